// Package sftptest runs a real SFTP server (x/crypto/ssh with pkg/sftp's
// server side) on the loopback interface for tests of deliveries. It serves
// a temporary directory to user "dsp", who logs in with a password or with
// ClientKey, and it can drop connections after a number of bytes to
// simulate a store that fails in the middle of a batch.
//
// Start runs pkg/sftp's stock server. StartRecording runs pkg/sftp's
// request server over an os.Root-backed handler instead: it records every
// create, rename and remove (Events), can stall renames (StallRenames) or
// drop connections after a number of renames (DropAfterRenames), and
// refuses a plain SFTP rename onto an existing name as OpenSSH does, while
// posix-rename@openssh.com replaces it.
package sftptest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"strings"
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

// ClientKey returns the private key every server accepts for User. It is
// the same for the whole test binary.
var ClientKey = sync.OnceValue(func() ed25519.PrivateKey {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return key
})

// Server is a running test SFTP server.
type Server struct {
	// Dir is the directory served; uploads land there.
	Dir string
	// Port is the loopback port it listens on.
	Port int
	// Fingerprint is the host key's SHA256 fingerprint, as OpenSSH prints
	// it.
	Fingerprint string

	// recording is set for StartRecording's request server.
	recording bool

	authAttempts     atomic.Int64
	dropAfter        atomic.Int64
	dropConns        atomic.Int64
	dropAfterRenames atomic.Int64
	conns            atomic.Int64
	// stall, when set, blocks every rename until it is closed.
	stall atomic.Pointer[chan struct{}]

	mu     sync.Mutex
	open   map[net.Conn]bool
	events []string
}

// Start starts a server running pkg/sftp's stock server. It stops when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, false)
}

// StartRecording starts a server running pkg/sftp's request server over a
// handler that records what it changes (see the package comment). It stops
// when the test ends.
func StartRecording(t testing.TB) *Server {
	t.Helper()
	return start(t, true)
}

// start starts a server of either kind.
func start(t testing.TB, recording bool) *Server {
	t.Helper()
	_, hostKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(hostKey)
	if err != nil {
		t.Fatal(err)
	}
	clientPub, err := ssh.NewPublicKey(ClientKey().Public())
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Dir: t.TempDir(), Fingerprint: ssh.FingerprintSHA256(signer.PublicKey()),
		recording: recording, open: map[net.Conn]bool{}}
	config := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			s.authAttempts.Add(1)
			if c.User() == User && string(pw) == Password {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong password")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			s.authAttempts.Add(1)
			if c.User() == User && bytes.Equal(key.Marshal(), clientPub.Marshal()) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	config.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
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
// negative, none when it is zero) close once the server has read after
// bytes from the client.
func (s *Server) DropConnections(n int, after int64) {
	s.dropAfter.Store(after)
	s.dropConns.Store(int64(n))
}

// DropAfterRenames makes every new connection close right after the
// server performed n renames on it; zero stops it. Only a StartRecording
// server can do this.
func (s *Server) DropAfterRenames(n int) {
	s.mustRecord("DropAfterRenames")
	s.dropAfterRenames.Store(int64(n))
}

// StallRenames makes every rename block until the returned func is called
// or the test ends. Only a StartRecording server can do this.
func (s *Server) StallRenames(t testing.TB) (release func()) {
	s.mustRecord("StallRenames")
	ch := make(chan struct{})
	s.stall.Store(&ch)
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	return release
}

// Events returns what the server changed so far, in the order it did
// it: "create NAME", "rename FROM TO" and "remove NAME", with names
// relative to Dir. Only a StartRecording server records them.
func (s *Server) Events() []string {
	s.mustRecord("Events")
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

// Connections counts the connections accepted so far.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// AuthAttempts counts the password and public key checks the server made.
func (s *Server) AuthAttempts() int { return int(s.authAttempts.Load()) }

// mustRecord panics when a server that does not record is asked for what
// only a recording one can do, rather than let a test pass vacuously.
func (s *Server) mustRecord(what string) {
	if !s.recording {
		panic("sftptest: " + what + " needs a server from StartRecording")
	}
}

// log records a server-side event.
func (s *Server) log(format string, args ...any) {
	s.mu.Lock()
	s.events = append(s.events, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

// serve runs one SSH connection until it ends.
func (s *Server) serve(raw net.Conn, config *ssh.ServerConfig) {
	s.conns.Add(1)
	var conn net.Conn = raw
	if left := s.dropConns.Load(); left != 0 {
		if left > 0 {
			s.dropConns.Add(-1)
		}
		conn = &droppingConn{Conn: raw, quota: io.LimitedReader{R: raw, N: s.dropAfter.Load()}}
	}
	sconn, chans, reqs, err := ssh.NewServerConn(conn, config)
	if err != nil {
		return
	}
	defer sconn.Close()
	go ssh.DiscardRequests(reqs)
	renames := s.dropAfterRenames.Load()
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
					wg.Go(func() { s.serveSFTP(ch, raw, renames) })
				}
			}
		})
	}
}

// serveSFTP serves the SFTP subsystem on one channel.
func (s *Server) serveSFTP(ch ssh.Channel, raw net.Conn, dropAfterRenames int64) {
	defer ch.Close()
	if !s.recording {
		srv, err := sftp.NewServer(ch, sftp.WithServerWorkingDirectory(s.Dir))
		if err != nil {
			return
		}
		_ = srv.Serve()
		return
	}
	root, err := os.OpenRoot(s.Dir)
	if err != nil {
		return
	}
	defer root.Close()
	h := &osHandler{server: s, root: root, conn: raw, dropAfterRenames: dropAfterRenames}
	rs := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h})
	_ = rs.Serve()
	_ = rs.Close()
}

// droppingConn closes the connection once it has read its quota of bytes.
type droppingConn struct {
	net.Conn
	quota io.LimitedReader
}

func (c *droppingConn) Read(p []byte) (int, error) {
	if c.quota.N <= 0 {
		c.Conn.Close()
		return 0, net.ErrClosed
	}
	return c.quota.Read(p)
}

// osHandler serves SFTP requests from an os.Root, logging the operations
// that change the tree.
type osHandler struct {
	server           *Server
	root             *os.Root
	conn             net.Conn
	dropAfterRenames int64
	renames          atomic.Int64
}

// rel turns a request path (absolute, cleaned) into an os.Root name.
func rel(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

func (h *osHandler) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	return h.root.Open(rel(r.Filepath))
}

func (h *osHandler) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	pf := r.Pflags()
	flags := os.O_WRONLY
	if pf.Creat {
		flags |= os.O_CREATE
	}
	if pf.Trunc {
		flags |= os.O_TRUNC
	}
	if pf.Excl {
		flags |= os.O_EXCL
	}
	f, err := h.root.OpenFile(rel(r.Filepath), flags, 0o644)
	if err == nil && pf.Creat {
		h.server.log("create %s", rel(r.Filepath))
	}
	return f, err
}

func (h *osHandler) Filecmd(r *sftp.Request) error {
	switch r.Method {
	case "Rename":
		// Plain SFTP rename refuses an existing target.
		if _, err := h.root.Lstat(rel(r.Target)); err == nil {
			return os.ErrExist
		}
		return h.rename(r)
	case "Remove", "Rmdir":
		if err := h.root.Remove(rel(r.Filepath)); err != nil {
			return err
		}
		h.server.log("remove %s", rel(r.Filepath))
		return nil
	case "Mkdir":
		return h.root.Mkdir(rel(r.Filepath), 0o755)
	case "Setstat":
		return nil
	}
	return sftp.ErrSSHFxOpUnsupported
}

// PosixRename serves posix-rename@openssh.com, which replaces the target.
func (h *osHandler) PosixRename(r *sftp.Request) error { return h.rename(r) }

// rename renames, logs, and drops the connection when told to.
func (h *osHandler) rename(r *sftp.Request) error {
	if ch := h.server.stall.Load(); ch != nil {
		<-*ch
	}
	if err := h.root.Rename(rel(r.Filepath), rel(r.Target)); err != nil {
		return err
	}
	h.server.log("rename %s %s", rel(r.Filepath), rel(r.Target))
	if n := h.renames.Add(1); h.dropAfterRenames > 0 && n >= h.dropAfterRenames {
		h.conn.Close()
	}
	return nil
}

func (h *osHandler) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	switch r.Method {
	case "List":
		d, err := h.root.Open(rel(r.Filepath))
		if err != nil {
			return nil, err
		}
		defer d.Close()
		des, err := d.ReadDir(-1)
		if err != nil {
			return nil, err
		}
		infos := make(listerAt, 0, len(des))
		for _, de := range des {
			info, err := de.Info()
			if err != nil {
				return nil, err
			}
			infos = append(infos, info)
		}
		return infos, nil
	case "Stat":
		info, err := h.root.Stat(rel(r.Filepath))
		if err != nil {
			return nil, err
		}
		return listerAt{info}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

// listerAt serves a fixed listing.
type listerAt []os.FileInfo

func (l listerAt) ListAt(out []os.FileInfo, offset int64) (int, error) {
	if offset >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[offset:])
	if n < len(out) {
		return n, io.EOF
	}
	return n, nil
}
