// Package sftptest runs a real SFTP server (x/crypto/ssh with pkg/sftp's
// server) on the loopback interface for tests of deliveries: it serves a
// temporary directory to user "dsp" with a password, and can drop
// connections after a number of bytes to simulate a store that fails in
// the middle of a batch.
package sftptest

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// User and Password are the credentials the server accepts.
const (
	User     = "dsp"
	Password = "sftp-test-password"
)

// Server is a running test SFTP server.
type Server struct {
	// Dir is the directory served; uploads land there.
	Dir string
	// Port is the loopback port it listens on.
	Port int
	// Fingerprint is the host key's SHA256 fingerprint, as OpenSSH prints
	// it.
	Fingerprint string

	dropAfter atomic.Int64
	dropConns atomic.Int64
	conns     atomic.Int64

	mu   sync.Mutex
	open map[net.Conn]bool
}

// Start starts a server that stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	_, hostKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(hostKey)
	if err != nil {
		t.Fatal(err)
	}
	config := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if c.User() == User && string(pw) == Password {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong password")
		},
	}
	config.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Dir: t.TempDir(), Port: ln.Addr().(*net.TCPAddr).Port,
		Fingerprint: ssh.FingerprintSHA256(signer.PublicKey()), open: map[net.Conn]bool{}}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.open[conn] = true
			s.mu.Unlock()
			wg.Go(func() {
				defer func() {
					s.mu.Lock()
					delete(s.open, conn)
					s.mu.Unlock()
					conn.Close()
				}()
				s.serve(conn, config)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for c := range s.open {
			c.Close()
		}
		s.mu.Unlock()
		wg.Wait()
	})
	return s
}

// DropConnections makes the next n connections (every one when n is
// negative) close once the server has read after bytes from the client.
func (s *Server) DropConnections(n int, after int64) {
	s.dropAfter.Store(after)
	s.dropConns.Store(int64(n))
}

// Connections counts the connections accepted so far.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// serve runs one SSH connection until it ends.
func (s *Server) serve(raw net.Conn, config *ssh.ServerConfig) {
	s.conns.Add(1)
	var conn net.Conn = raw
	if left := s.dropConns.Load(); left != 0 {
		if left > 0 {
			s.dropConns.Add(-1)
		}
		conn = &droppingConn{Conn: raw, left: s.dropAfter.Load()}
	}
	sconn, chans, reqs, err := ssh.NewServerConn(conn, config)
	if err != nil {
		return
	}
	defer sconn.Close()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	defer wg.Wait()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "session only")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Go(func() {
			for req := range chReqs {
				ok := req.Type == "subsystem" && len(req.Payload) > 4 && string(req.Payload[4:]) == "sftp"
				_ = req.Reply(ok, nil)
				if ok {
					wg.Go(func() {
						defer ch.Close()
						srv, err := sftp.NewServer(ch, sftp.WithServerWorkingDirectory(s.Dir))
						if err != nil {
							return
						}
						_ = srv.Serve()
					})
				}
			}
		})
	}
}

// droppingConn closes the connection once it has read its quota of bytes.
type droppingConn struct {
	net.Conn
	left int64
}

func (c *droppingConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.Conn.Close()
		return 0, net.ErrClosed
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.Conn.Read(p)
	c.left -= int64(n)
	return n, err
}
