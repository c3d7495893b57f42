package transport

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"tonegrid/delivery/transport/sftptest"
)

func TestSFTPBatchOrderOnTheServer(t *testing.T) {
	srv := sftptest.StartRecording(t)
	fx := newFixture(t, "20240601120000010", 2, 3, 64<<10)
	if _, err := SendBatch(t.Context(), mustDial(t, sftpConfig(srv)), fx.batch); err != nil {
		t.Fatalf("SendBatch: %v", err)
	}
	// Each file must be created under a temporary name and renamed to its
	// final name, in upload order, and the manifest's temporary file must
	// be created only after every other file was renamed into place.
	var renamed []string
	manifestCreated, lastOtherRename := -1, -1
	for i, ev := range srv.Events() {
		fields := strings.Fields(ev)
		switch fields[0] {
		case "rename":
			_, from := splitPath(fields[1])
			if !isTempName(from) {
				t.Errorf("rename from a non-temporary name: %s", ev)
			}
			renamed = append(renamed, fields[2])
			if fields[2] != fx.manifest() {
				lastOtherRename = i
			}
		case "create":
			_, name := splitPath(fields[1])
			if !isTempName(name) {
				t.Errorf("file created under its final name: %s", ev)
			}
			if strings.Contains(name, "BatchComplete_") {
				manifestCreated = i
			}
		}
	}
	if !slices.Equal(renamed, fx.order) {
		t.Errorf("server-side renames\n %v\nwant\n %v", renamed, fx.order)
	}
	if manifestCreated < lastOtherRename {
		t.Errorf("manifest created at event %d, before the last other rename at %d", manifestCreated, lastOtherRename)
	}
	checkComplete(t, mustDial(t, sftpConfig(srv)), fx)
}

func TestSFTPRefusesWrongHostKey(t *testing.T) {
	srv := sftptest.StartRecording(t)
	other := sftptest.StartRecording(t)
	cfg := sftpConfig(srv)
	cfg.SFTP.HostKeyFingerprint = other.Fingerprint
	_, err := Dial(t.Context(), cfg)
	if !errors.Is(err, ErrHostKeyMismatch) {
		t.Fatalf("Dial = %v, want ErrHostKeyMismatch", err)
	}
	if n := srv.AuthAttempts(); n != 0 {
		t.Errorf("server saw %d authentication attempts, want none before the host key check", n)
	}
}

func TestSFTPHostKeyFingerprintRequired(t *testing.T) {
	srv := sftptest.StartRecording(t)
	cfg := sftpConfig(srv)
	cfg.SFTP.HostKeyFingerprint = ""
	_, err := Dial(t.Context(), cfg)
	var cfgErr *ConfigError
	if !errors.As(err, &cfgErr) || cfgErr.Fields["sftp.host_key_fingerprint"] != "required" {
		t.Fatalf("Dial without fingerprint = %v, want a required sftp.host_key_fingerprint", err)
	}
	if n := srv.AuthAttempts(); n != 0 {
		t.Errorf("server saw %d authentication attempts, want none", n)
	}
	cfg.SFTP.InsecureIgnoreHostKey = true
	mustDial(t, cfg)
}

func TestSFTPAuthentication(t *testing.T) {
	srv := sftptest.StartRecording(t)
	tests := []struct {
		name   string
		modify func(c *SFTPConfig)
		ok     bool
	}{
		{"password", func(c *SFTPConfig) {}, true},
		{"wrong password", func(c *SFTPConfig) { c.Password = "wrong" }, false},
		{"wrong user", func(c *SFTPConfig) { c.User = "someone" }, false},
		{"key", func(c *SFTPConfig) { c.Password, c.PrivateKey = "", clientKeyPEM(t, false) }, true},
		{"encrypted key", func(c *SFTPConfig) {
			c.Password, c.PrivateKey, c.Passphrase = "", clientKeyPEM(t, true), testPassphrase
		}, true},
		{"key, then wrong password", func(c *SFTPConfig) { c.Password, c.PrivateKey = "wrong", clientKeyPEM(t, false) }, true},
		{"unknown key, then password", func(c *SFTPConfig) { c.PrivateKey = otherKeyPEM(t) }, true},
		{"unknown key only", func(c *SFTPConfig) { c.Password, c.PrivateKey = "", otherKeyPEM(t) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sftpConfig(srv)
			tt.modify(&cfg.SFTP)
			tr, err := Dial(t.Context(), cfg)
			if tt.ok != (err == nil) {
				t.Fatalf("Dial = %v, want success %v", err, tt.ok)
			}
			if err != nil {
				if errors.Is(err, ErrHostKeyMismatch) || !strings.Contains(err.Error(), "unable to authenticate") {
					t.Errorf("Dial = %v, want an authentication failure", err)
				}
				return
			}
			defer tr.Close()
			if _, err := tr.List(t.Context(), ""); err != nil {
				t.Errorf("List after login: %v", err)
			}
		})
	}
}

func TestSFTPDroppedConnectionThenRetry(t *testing.T) {
	const size = 256 << 10
	tests := []struct {
		name  string
		setup func(s *sftptest.Server)
	}{
		{"after bytes", func(s *sftptest.Server) { s.DropConnections(-1, 2*size+size/2) }},
		{"after files", func(s *sftptest.Server) { s.DropAfterRenames(3) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := sftptest.StartRecording(t)
			fx := newFixture(t, "20240601120000011", 2, 3, size)
			tt.setup(srv)
			report, err := SendBatch(t.Context(), mustDial(t, sftpConfig(srv)), fx.batch)
			var fileErr *FileError
			if !errors.As(err, &fileErr) || report.Failed == "" || report.Failed == fx.manifest() {
				t.Fatalf("SendBatch over a dropped connection = %v (report %+v), want a FileError before the manifest", err, report)
			}
			srv.DropConnections(0, 0)
			srv.DropAfterRenames(0)

			// Inspect the server's directory itself.
			complete := checkNoPartial(t, mustDial(t, Config{Protocol: ProtocolDir, Dir: srv.Dir}), fx)
			if len(complete) == 0 || len(complete) >= len(fx.order)-1 {
				t.Fatalf("%d files complete after the drop, want some but not all", len(complete))
			}
			// The failed file may be complete too, when only the reply to its
			// rename was lost.
			if n := len(complete); !slices.Equal(complete, fx.order[:n]) ||
				!slices.Equal(report.Uploaded, complete[:len(report.Uploaded)]) || n > len(report.Uploaded)+1 {
				t.Errorf("complete files %v, want the reported uploads %v (and perhaps the failed file)", complete, report.Uploaded)
			}

			report, err = SendBatch(t.Context(), mustDial(t, sftpConfig(srv)), fx.batch)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if !slices.Equal(report.Skipped, complete) {
				t.Errorf("retry skipped %v, want %v", report.Skipped, complete)
			}
			checkComplete(t, mustDial(t, sftpConfig(srv)), fx)
		})
	}
}

func TestSFTPRenameWithoutPosixRename(t *testing.T) {
	srv := sftptest.StartRecording(t)
	tr := mustDial(t, sftpConfig(srv))
	tr.(*sftpTransport).posixRename = false
	for _, content := range []string{"one", "two!"} {
		if err := tr.Put(t.Context(), "f.xml", strings.NewReader(content), int64(len(content))); err != nil {
			t.Fatalf("Put: %v", err)
		}
		if got, err := readFile(t, tr, "f.xml"); err != nil || string(got) != content {
			t.Fatalf("read back %q, %v; want %q", got, err, content)
		}
	}
	events := srv.Events()
	if n := len(events); n < 2 || events[n-2] != "remove f.xml" || !strings.HasSuffix(events[n-1], " f.xml") {
		t.Errorf("server events %v, want the old file removed before the rename", events)
	}
}

// blockingReader blocks until its context ends.
type blockingReader struct{ ctx context.Context }

func (r blockingReader) Read([]byte) (int, error) {
	<-r.ctx.Done()
	return 0, errors.New("unblocked")
}

func TestSFTPContextCancelled(t *testing.T) {
	srv := sftptest.StartRecording(t)
	tr := mustDial(t, sftpConfig(srv))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- tr.Put(ctx, "slow.flac", blockingReader{ctx}, 100) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Put = %v, want context.Canceled", err)
	}
	checkNoFinal(t, srv.Dir, "slow.flac")
}

func TestSFTPServerStallHitsIOTimeout(t *testing.T) {
	srv := sftptest.StartRecording(t)
	cfg := sftpConfig(srv)
	cfg.IOTimeout = 300 * time.Millisecond
	tr := mustDial(t, cfg)
	srv.StallRenames(t)
	err := tr.Put(t.Context(), "f.xml", strings.NewReader("x"), 1)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Put against a stalled server = %v, want an i/o timeout", err)
	}
}

// checkNoFinal fails if name exists in dir on disk.
func checkNoFinal(t *testing.T, dir, name string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s exists after a failed put (stat: %v)", name, err)
	}
}

var _ io.Reader = blockingReader{}

// startSFTPServer starts a test SFTP server: pkg/sftp's stock server when
// plain is set, its request server that records events otherwise.
func startSFTPServer(t testing.TB, plain bool) *sftptest.Server {
	t.Helper()
	if plain {
		return sftptest.Start(t)
	}
	return sftptest.StartRecording(t)
}

// sftpConfig returns a Config that logs in to s with the password.
func sftpConfig(s *sftptest.Server) Config {
	return Config{
		Protocol: ProtocolSFTP,
		SFTP: SFTPConfig{
			Host:               "127.0.0.1",
			Port:               s.Port,
			User:               sftptest.User,
			Password:           sftptest.Password,
			HostKeyFingerprint: s.Fingerprint,
		},
	}
}

// testPassphrase protects encryptedClientKey.
const testPassphrase = "pass phrase"

// encryptedClientKey is sftptest.ClientKey in encrypted OpenSSH form, made
// once since its key derivation is slow.
var encryptedClientKey = sync.OnceValues(func() (*pem.Block, error) {
	return ssh.MarshalPrivateKeyWithPassphrase(sftptest.ClientKey(), "test", []byte(testPassphrase))
})

// clientKeyPEM returns the key every test server accepts in OpenSSH PEM
// form, encrypted with testPassphrase when encrypted is set.
func clientKeyPEM(t testing.TB, encrypted bool) Secret {
	t.Helper()
	block, err := ssh.MarshalPrivateKey(sftptest.ClientKey(), "test")
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
