package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"testing/iotest"

	"tonegrid/delivery/transport/sftptest"
)

func TestConfigValidate(t *testing.T) {
	srv := sftptest.StartRecording(t)
	sftpOK := sftpConfig(srv)
	s3OK := s3Config("http://127.0.0.1:9000", "inbox")
	tests := []struct {
		name   string
		config Config
		modify func(c *Config)
		want   map[string]string
	}{
		{"dir", Config{Protocol: ProtocolDir, Dir: "/data/deliveries/x"}, nil, nil},
		{"dir without directory", Config{Protocol: ProtocolDir}, nil, map[string]string{"dir": "required"}},
		{"no protocol", Config{}, nil, map[string]string{"protocol": "required"}},
		{"unknown protocol", Config{Protocol: "ftp"}, nil, map[string]string{"protocol": "invalid"}},
		{"negative timeouts", Config{Protocol: ProtocolDir, Dir: "d", DialTimeout: -1, IOTimeout: -1}, nil,
			map[string]string{"dial_timeout": "out_of_range", "io_timeout": "out_of_range"}},
		{"sftp", sftpOK, nil, nil},
		{"sftp key only", sftpOK, func(c *Config) { c.SFTP.Password, c.SFTP.PrivateKey = "", clientKeyPEM(t, false) }, nil},
		{"sftp empty", Config{Protocol: ProtocolSFTP}, nil, map[string]string{
			"sftp.host": "required", "sftp.user": "required", "sftp.password": "required",
			"sftp.host_key_fingerprint": "required",
		}},
		{"sftp bad host and port", sftpOK, func(c *Config) { c.SFTP.Host, c.SFTP.Port = "user@host", 70000 },
			map[string]string{"sftp.host": "invalid", "sftp.port": "out_of_range"}},
		{"sftp fingerprint in MD5 form", sftpOK, func(c *Config) { c.SFTP.HostKeyFingerprint = "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48" },
			map[string]string{"sftp.host_key_fingerprint": "invalid"}},
		{"sftp fingerprint too short", sftpOK, func(c *Config) { c.SFTP.HostKeyFingerprint = "SHA256:abc" },
			map[string]string{"sftp.host_key_fingerprint": "invalid"}},
		{"sftp garbage key", sftpOK, func(c *Config) { c.SFTP.PrivateKey = "-----BEGIN NOTHING-----" },
			map[string]string{"sftp.private_key": "invalid"}},
		{"sftp encrypted key without passphrase", sftpOK, func(c *Config) { c.SFTP.PrivateKey = clientKeyPEM(t, true) },
			map[string]string{"sftp.passphrase": "required"}},
		{"sftp encrypted key, wrong passphrase", sftpOK, func(c *Config) {
			c.SFTP.PrivateKey, c.SFTP.Passphrase = clientKeyPEM(t, true), "other"
		}, map[string]string{"sftp.passphrase": "invalid"}},
		{"s3", s3OK, nil, nil},
		{"s3 bare host", s3OK, func(c *Config) { c.S3.Endpoint = "s3.eu-west-1.amazonaws.com" }, nil},
		{"s3 empty", Config{Protocol: ProtocolS3}, nil, map[string]string{
			"s3.bucket": "required", "s3.access_key": "required", "s3.secret_key": "required",
		}},
		{"s3 endpoint with path", s3OK, func(c *Config) { c.S3.Endpoint = "https://host/bucket" },
			map[string]string{"s3.endpoint": "invalid"}},
		{"s3 endpoint scheme", s3OK, func(c *Config) { c.S3.Endpoint = "ftp://host" },
			map[string]string{"s3.endpoint": "invalid"}},
		{"s3 prefix", s3OK, func(c *Config) { c.S3.Prefix = "a/../b" }, map[string]string{"s3.prefix": "invalid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.config
			if tt.modify != nil {
				tt.modify(&cfg)
			}
			err := cfg.Validate()
			var got map[string]string
			var cfgErr *ConfigError
			if errors.As(err, &cfgErr) {
				got = cfgErr.Fields
				if !errors.Is(err, ErrInvalidConfig) {
					t.Errorf("%v does not match ErrInvalidConfig", err)
				}
			} else if err != nil {
				t.Fatalf("Validate = %v, want a *ConfigError or nil", err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("Validate fields = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConfigNeverShowsSecrets(t *testing.T) {
	cfg := Config{
		Protocol: ProtocolSFTP,
		SFTP:     SFTPConfig{Host: "h", User: "u", Password: "pw-SECRET1", PrivateKey: "key-SECRET2", Passphrase: "pp-SECRET3"},
		S3:       S3Config{AccessKey: "AKIA", SecretKey: "sk-SECRET4"},
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("dial", "config", cfg, "sftp", cfg.SFTP, "secret", cfg.S3.SecretKey)
	outputs := map[string]string{
		"%v":   fmt.Sprintf("%v", cfg),
		"%+v":  fmt.Sprintf("%+v", cfg),
		"%#v":  fmt.Sprintf("%#v", cfg),
		"%s":   fmt.Sprintf("%s", cfg.S3.SecretKey),
		"slog": logged.String(),
	}
	_, dialErr := Dial(context.Background(), cfg)
	outputs["Dial error"] = dialErr.Error()
	for format, out := range outputs {
		if strings.Contains(out, "SECRET") {
			t.Errorf("%s shows a secret: %s", format, out)
		}
	}
	if !strings.Contains(outputs["%+v"], "[redacted]") {
		t.Errorf("%%+v = %s, want [redacted] in place of secrets", outputs["%+v"])
	}
}

func TestExactReader(t *testing.T) {
	tests := []struct {
		name    string
		src     io.Reader
		size    int64
		wantErr error
	}{
		{"exact", strings.NewReader("hello"), 5, nil},
		{"exact, data and EOF together", iotest.DataErrReader(strings.NewReader("hello")), 5, nil},
		{"one byte at a time", iotest.OneByteReader(strings.NewReader("hello")), 5, nil},
		{"empty", strings.NewReader(""), 0, nil},
		{"short", strings.NewReader("hell"), 5, ErrSizeMismatch},
		{"long", strings.NewReader("hello!"), 5, ErrSizeMismatch},
		{"failing", iotest.ErrReader(errSourceBroken), 5, errSourceBroken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := io.ReadAll(newExactReader(context.Background(), tt.src, tt.size))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadAll = %v, want %v", err, tt.wantErr)
			}
			if err == nil && int64(len(got)) != tt.size {
				t.Fatalf("read %d bytes, want %d", len(got), tt.size)
			}
		})
	}
}

func TestExactReaderFailsBeforeConsumerStops(t *testing.T) {
	// A consumer that reads exactly size bytes, as an HTTP client with a
	// Content-Length does, must still see a longer source fail.
	r := newExactReader(context.Background(), strings.NewReader("hello!"), 5)
	_, err := io.ReadFull(r, make([]byte, 5))
	if err == nil {
		_, err = r.Read(make([]byte, 1))
	}
	if !errors.Is(err, ErrSizeMismatch) {
		t.Fatalf("reading 5 of 6 bytes: %v, want ErrSizeMismatch", err)
	}
}

func FuzzCheckPath(f *testing.F) {
	for _, seed := range []string{"a", "a/b.xml", "N_1/0123/resources/x.flac", "", "/a", "a//b", "..", "a/../b", "./a", "a/.", `a\b`, "a\x00", "é/ü", "\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if checkPath(p) != nil {
			return
		}
		if strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
			t.Fatalf("accepted %q", p)
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("accepted %q with segment %q", p, seg)
			}
		}
		dir, name := splitPath(p)
		if joinPath(dir, name) != p || checkSegment(name) != nil || checkDir(dir) != nil {
			t.Fatalf("split %q into %q and %q", p, dir, name)
		}
	})
}
