package transport

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
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

// testSFTPServer is a real SSH server on 127.0.0.1 serving the SFTP
// subsystem from a temporary directory. By default it uses pkg/sftp's
// request server over an os.Root-backed handler that logs every create,
// rename and remove in the order the server performed them; with plain set
// it uses pkg/sftp's stock server instead.
type testSFTPServer struct {
	dir         string
	port        int
	fingerprint string
	password    string
	clientKey   ed25519.PrivateKey
	plain       bool

	// authAttempts counts calls of the auth callbacks.
	authAttempts atomic.Int32
	// dropAfterBytes, when positive, makes the server close each new
	// connection once it has received that many bytes from the client.
	dropAfterBytes atomic.Int64
	// dropAfterRenames, when positive, makes the server close each new
	// connection right after that many renames on it.
	dropAfterRenames atomic.Int32
	// stall, when set, blocks every rename until it is closed.
	stall atomic.Pointer[chan struct{}]

	mu     sync.Mutex
	events []string
	conns  map[net.Conn]bool
}

// startSFTPServer starts a server that accepts user "dsp" with the password
// "secret-pw" or the key clientKey. It stops when the test ends.
func startSFTPServer(t testing.TB, plain bool) *testSFTPServer {
	t.Helper()
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	clientPriv := testClientKey
	clientPub, err := ssh.NewPublicKey(clientPriv.Public())
	if err != nil {
		t.Fatal(err)
	}
	s := &testSFTPServer{
		dir:         t.TempDir(),
		fingerprint: ssh.FingerprintSHA256(hostSigner.PublicKey()),
		password:    "secret-pw",
		clientKey:   clientPriv,
		plain:       plain,
		conns:       map[net.Conn]bool{},
	}
	config := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			s.authAttempts.Add(1)
			if c.User() == "dsp" && string(pw) == s.password {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("wrong password")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			s.authAttempts.Add(1)
			if c.User() == "dsp" && bytes.Equal(key.Marshal(), clientPub.Marshal()) {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	config.AddHostKey(hostSigner)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[conn] = true
			s.mu.Unlock()
			wg.Go(func() {
				defer func() {
					s.mu.Lock()
					delete(s.conns, conn)
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
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		wg.Wait()
	})
	return s
}

// serve runs one SSH connection until it ends.
func (s *testSFTPServer) serve(raw net.Conn, config *ssh.ServerConfig) {
	var conn net.Conn = raw
	if n := s.dropAfterBytes.Load(); n > 0 {
		conn = &droppingConn{Conn: raw, left: n}
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
func (s *testSFTPServer) serveSFTP(ch ssh.Channel, raw net.Conn, dropAfterRenames int32) {
	defer ch.Close()
	if s.plain {
		srv, err := sftp.NewServer(ch, sftp.WithServerWorkingDirectory(s.dir))
		if err != nil {
			return
		}
		_ = srv.Serve()
		return
	}
	root, err := os.OpenRoot(s.dir)
	if err != nil {
		return
	}
	defer root.Close()
	h := &osHandler{server: s, root: root, conn: raw, dropAfterRenames: dropAfterRenames}
	rs := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h})
	_ = rs.Serve()
	_ = rs.Close()
}

// stallRenames makes renames block until the returned func is called (or
// the test ends).
func (s *testSFTPServer) stallRenames(t testing.TB) (release func()) {
	ch := make(chan struct{})
	s.stall.Store(&ch)
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	return release
}

// log records a server-side event.
func (s *testSFTPServer) log(format string, args ...any) {
	s.mu.Lock()
	s.events = append(s.events, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

// eventLog returns the events so far.
func (s *testSFTPServer) eventLog() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

// config returns a Config that logs in with the password.
func (s *testSFTPServer) config() Config {
	return Config{
		Protocol: ProtocolSFTP,
		SFTP: SFTPConfig{
			Host:               "127.0.0.1",
			Port:               s.port,
			User:               "dsp",
			Password:           Secret(s.password),
			HostKeyFingerprint: s.fingerprint,
		},
	}
}

// testClientKey is the key every test server accepts for user "dsp".
var testClientKey = func() ed25519.PrivateKey {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return key
}()

// testPassphrase protects encryptedClientKey.
const testPassphrase = "pass phrase"

// encryptedClientKey is testClientKey in encrypted OpenSSH form, made once
// since its key derivation is slow.
var encryptedClientKey = sync.OnceValues(func() (*pem.Block, error) {
	return ssh.MarshalPrivateKeyWithPassphrase(testClientKey, "test", []byte(testPassphrase))
})

// keyPEM returns the client key in OpenSSH PEM form, encrypted with
// testPassphrase when encrypted is set.
func (s *testSFTPServer) keyPEM(t testing.TB, encrypted bool) Secret {
	t.Helper()
	block, err := ssh.MarshalPrivateKey(s.clientKey, "test")
	if encrypted {
		block, err = encryptedClientKey()
	}
	if err != nil {
		t.Fatal(err)
	}
	return Secret(pem.EncodeToMemory(block))
}

// otherKeyPEM returns a key no test server accepts.
func otherKeyPEM(t testing.TB) Secret {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(key, "other")
	if err != nil {
		t.Fatal(err)
	}
	return Secret(pem.EncodeToMemory(block))
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

// osHandler serves SFTP requests from an os.Root, logging the operations
// that change the tree.
type osHandler struct {
	server           *testSFTPServer
	root             *os.Root
	conn             net.Conn
	dropAfterRenames int32
	renames          atomic.Int32
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
