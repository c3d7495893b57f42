package transport

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// ErrHostKeyMismatch is returned by Dial when the SFTP server presents a host
// key whose fingerprint is not the configured one.
var ErrHostKeyMismatch = errors.New("sftp server host key does not match the configured fingerprint")

// SFTP extensions the transport uses when the server offers them.
const (
	extPosixRename = "posix-rename@openssh.com"
	extFsync       = "fsync@openssh.com"
)

// sftpTransport delivers over SFTP. Every operation runs under an I/O
// deadline on the connection and closes it if ctx ends first, because the
// SFTP client itself does not take contexts.
type sftpTransport struct {
	conn   *deadlineConn
	ssh    *ssh.Client
	client *sftp.Client
	root   string
	// posixRename: the server replaces the target atomically on rename.
	posixRename bool
	// fsync: the server can flush a file to disk on request.
	fsync bool
}

// dialSFTP connects with the validated cfg and its parsed key (nil for
// password only).
func dialSFTP(ctx context.Context, cfg Config, signer ssh.Signer) (*sftpTransport, error) {
	c := cfg.SFTP
	var auth []ssh.AuthMethod
	if signer != nil {
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if c.Password != "" {
		auth = append(auth, ssh.Password(string(c.Password)))
	}
	port := c.Port
	if port == 0 {
		port = 22
	}
	addr := net.JoinHostPort(c.Host, strconv.Itoa(port))
	clientConfig := &ssh.ClientConfig{
		User:            c.User,
		Auth:            auth,
		HostKeyCallback: c.hostKeyCallback(),
	}

	dialer := net.Dialer{Timeout: cfg.dialTimeout()}
	raw, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to sftp server %s: %w", addr, err)
	}
	conn := &deadlineConn{Conn: raw, timeout: cfg.ioTimeout()}

	// The handshake (key exchange, host key check, authentication) runs
	// under the dial timeout and is cut short if ctx ends.
	_ = raw.SetDeadline(time.Now().Add(cfg.dialTimeout()))
	stop := context.AfterFunc(ctx, func() { _ = raw.Close() })
	sshConn, chans, reqs, err := ssh.NewClientConn(conn, addr, clientConfig)
	if !stop() {
		if err == nil {
			_ = sshConn.Close()
		}
		return nil, fmt.Errorf("ssh handshake with %s: %w", addr, ctx.Err())
	}
	if err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("ssh handshake with %s: %w", addr, err)
	}
	_ = raw.SetDeadline(time.Time{})
	sshClient := ssh.NewClient(sshConn, chans, reqs)

	t := &sftpTransport{conn: conn, ssh: sshClient, root: c.RemoteDir}
	if t.root == "" {
		t.root = "."
	}
	end := conn.begin(ctx)
	t.client, err = sftp.NewClient(sshClient)
	end()
	if err != nil {
		_ = sshClient.Close()
		return nil, fmt.Errorf("start sftp session on %s: %w", addr, err)
	}
	_, t.posixRename = t.client.HasExtension(extPosixRename)
	version, ok := t.client.HasExtension(extFsync)
	t.fsync = ok && version == "1"
	return t, nil
}

// hostKeyCallback accepts only the server key with the configured
// fingerprint. It runs during key exchange, before any credential is sent.
func (c SFTPConfig) hostKeyCallback() ssh.HostKeyCallback {
	if c.HostKeyFingerprint == "" && c.InsecureIgnoreHostKey {
		return ssh.InsecureIgnoreHostKey()
	}
	want := []byte(c.HostKeyFingerprint)
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		got := ssh.FingerprintSHA256(key)
		if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			return fmt.Errorf("%w: server presented %s %s", ErrHostKeyMismatch, key.Type(), got)
		}
		return nil
	}
}

// remote turns a checked transport path ("" for the root) into a server path.
func (t *sftpTransport) remote(p string) string {
	if p == "" {
		return t.root
	}
	return path.Join(t.root, p)
}

func (t *sftpTransport) Put(ctx context.Context, p string, r io.Reader, size int64) error {
	if err := checkPath(p); err != nil {
		return err
	}
	end := t.conn.begin(ctx)
	defer end()
	dir, name := splitPath(p)
	final := t.remote(p)
	tmp := t.remote(joinPath(dir, tempName(name)))
	f, err := t.client.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", p, t.cause(ctx, err))
	}
	if err := t.write(f, newExactReader(ctx, r, size)); err != nil {
		_ = t.client.Remove(tmp)
		return fmt.Errorf("write %s: %w", p, t.cause(ctx, err))
	}
	if err := t.rename(tmp, final); err != nil {
		_ = t.client.Remove(tmp)
		return fmt.Errorf("rename %s into place: %w", p, t.cause(ctx, err))
	}
	return nil
}

// write copies r into f with pipelined writes, flushes it when the server
// can, and closes it.
func (t *sftpTransport) write(f *sftp.File, r io.Reader) error {
	if _, err := f.ReadFromWithConcurrency(r, 0); err != nil {
		_ = f.Close()
		return err
	}
	if t.fsync {
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return fmt.Errorf("sync: %w", err)
		}
	}
	return f.Close()
}

// rename moves tmp over final: atomically with posix-rename, else by removing
// final first (plain SFTP rename refuses an existing target).
func (t *sftpTransport) rename(tmp, final string) error {
	if t.posixRename {
		return t.client.PosixRename(tmp, final)
	}
	if err := t.client.Remove(final); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove previous file: %w", err)
	}
	return t.client.Rename(tmp, final)
}

// cause prefers ctx's error when ctx ended, since the connection was then
// closed under the operation and its own error says only that.
// Likewise it adds why the connection broke (an I/O timeout, a reset),
// which the SFTP client reports only as "connection lost".
func (t *sftpTransport) cause(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%w (%w)", ctxErr, err)
	}
	if connErr := t.conn.err(); connErr != nil && !errors.Is(err, connErr) {
		return fmt.Errorf("%w (%w)", err, connErr)
	}
	return err
}

func (t *sftpTransport) Remove(ctx context.Context, p string) error {
	if err := checkPath(p); err != nil {
		return err
	}
	end := t.conn.begin(ctx)
	defer end()
	if err := t.client.Remove(t.remote(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", p, t.cause(ctx, err))
	}
	return nil
}

func (t *sftpTransport) List(ctx context.Context, dir string) ([]Entry, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	end := t.conn.begin(ctx)
	defer end()
	infos, err := t.client.ReadDirContext(ctx, t.remote(dir))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", t.remote(dir), t.cause(ctx, err))
	}
	entries := make([]Entry, 0, len(infos))
	for _, info := range infos {
		// A server's listing is untrusted: skip names no path could hold.
		if checkSegment(info.Name()) != nil {
			continue
		}
		entries = append(entries, Entry{Name: info.Name(), Size: info.Size(), IsDir: info.IsDir(), ModTime: info.ModTime()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries, nil
}

func (t *sftpTransport) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := checkPath(p); err != nil {
		return nil, err
	}
	end := t.conn.begin(ctx)
	defer end()
	f, err := t.client.Open(t.remote(p))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, t.cause(ctx, err))
	}
	return &sftpReader{ctx: ctx, conn: t.conn, f: f}, nil
}

// sftpReader reads a remote file under the transport's deadlines.
type sftpReader struct {
	ctx  context.Context
	conn *deadlineConn
	f    *sftp.File
}

func (r *sftpReader) Read(p []byte) (int, error) {
	end := r.conn.begin(r.ctx)
	defer end()
	return r.f.Read(p)
}

func (r *sftpReader) Close() error { return r.f.Close() }

func (t *sftpTransport) MkdirAll(ctx context.Context, dir string) error {
	if err := checkDir(dir); err != nil {
		return err
	}
	end := t.conn.begin(ctx)
	defer end()
	if err := t.client.MkdirAll(t.remote(dir)); err != nil {
		return fmt.Errorf("create directory %s: %w", t.remote(dir), t.cause(ctx, err))
	}
	return nil
}

func (t *sftpTransport) Close() error {
	err := t.client.Close()
	if serr := t.ssh.Close(); err == nil && serr != nil && !errors.Is(serr, net.ErrClosed) {
		err = serr
	}
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close sftp connection: %w", err)
	}
	return nil
}

var _ Transport = (*sftpTransport)(nil)

// deadlineConn puts I/O deadlines on an SSH connection. Writes always get
// one. Reads get one only while an operation is under way (begin…end), and
// every byte received pushes it back: an idle connection between operations
// is left alone, a server that goes silent during one is cut off.
type deadlineConn struct {
	net.Conn
	timeout time.Duration

	mu      sync.Mutex
	busy    int
	failure error
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if n > 0 && c.busy > 0 {
		_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	}
	if err != nil && c.failure == nil {
		c.failure = fmt.Errorf("read: %w", err)
	}
	c.mu.Unlock()
	return n, err
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
	n, err := c.Conn.Write(p)
	if err != nil {
		c.mu.Lock()
		if c.failure == nil {
			c.failure = fmt.Errorf("write: %w", err)
		}
		c.mu.Unlock()
	}
	return n, err
}

// err returns the first error the connection failed with, if any.
func (c *deadlineConn) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.failure
}

// begin marks an operation under way until the returned func is called; if
// ctx ends meanwhile the connection is closed, failing the operation.
func (c *deadlineConn) begin(ctx context.Context) (end func()) {
	c.mu.Lock()
	c.busy++
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.timeout))
	c.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { _ = c.Conn.Close() })
	return func() {
		stop()
		c.mu.Lock()
		c.busy--
		if c.busy == 0 {
			_ = c.Conn.SetReadDeadline(time.Time{})
		}
		c.mu.Unlock()
	}
}
