package transport

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// The protocols a DSP can be delivered to.
const (
	ProtocolDir  = "dir"
	ProtocolSFTP = "sftp"
	ProtocolS3   = "s3"
)

// Timeouts used when Config leaves them at zero.
const (
	DefaultDialTimeout = 30 * time.Second
	DefaultIOTimeout   = 60 * time.Second
)

// Secret is a credential held in clear: it prints, formats, logs and
// encodes (JSON, text) as "[redacted]" so that a Config can be logged or put
// in an error safely. Convert it with string(s) where the value itself is
// needed, and store it through its own encrypted column, not by encoding a
// Config.
type Secret string

// String implements fmt.Stringer without revealing the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// GoString implements fmt.GoStringer without revealing the secret.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// LogValue implements slog.LogValuer without revealing the secret.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler without revealing the
// secret, which covers JSON and slog's JSON handler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Config says where and how one DSP receives deliveries.
type Config struct {
	// Protocol is ProtocolDir, ProtocolSFTP or ProtocolS3.
	Protocol string
	// Dir is the local root directory of a ProtocolDir transport; it is
	// created if missing.
	Dir  string
	SFTP SFTPConfig
	S3   S3Config
	// DialTimeout bounds connecting and the SSH handshake (SFTP, S3);
	// DefaultDialTimeout when zero.
	DialTimeout time.Duration
	// IOTimeout bounds how long an operation may wait for the server: for
	// SFTP, the longest silence while an operation is under way (a stall of
	// the source being uploaded counts too, so it should exceed the blob
	// store's own stalls); for S3, the wait for response headers.
	// DefaultIOTimeout when zero.
	IOTimeout time.Duration
}

// SFTPConfig is the SFTP part of Config.
type SFTPConfig struct {
	Host string
	// Port is 22 when zero.
	Port int
	User string
	// Password and PrivateKey (PEM, OpenSSH or PKCS#1/PKCS#8/SEC1, with
	// Passphrase if encrypted): at least one is needed; with both, the key is
	// tried first.
	Password   Secret
	PrivateKey Secret
	Passphrase Secret
	// RemoteDir is the DSP's root on the server, absolute or relative to the
	// login directory; empty means the login directory.
	RemoteDir string
	// HostKeyFingerprint is the server's host key fingerprint in OpenSSH
	// form, "SHA256:" followed by unpadded base64. The connection is refused
	// when the server presents another key.
	HostKeyFingerprint string
	// InsecureIgnoreHostKey allows an empty HostKeyFingerprint, accepting any
	// server key. For tests only; never expose it to users.
	InsecureIgnoreHostKey bool
}

// S3Config is the S3 part of Config.
type S3Config struct {
	Bucket string
	// Prefix is prepended to every path ("dsp/inbox" puts "N_1/x.xml" at
	// "dsp/inbox/N_1/x.xml").
	Prefix string
	// Endpoint is a URL ("https://s3.eu-west-1.amazonaws.com",
	// "http://127.0.0.1:9000") or a bare host, taken as https; AWS
	// ("s3.amazonaws.com") when empty.
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey Secret
	// PathStyle addresses the bucket in the path rather than the host name,
	// as most S3-compatible stores want.
	PathStyle bool
}

// ErrInvalidConfig is matched (errors.Is) by the *ConfigError Validate
// returns.
var ErrInvalidConfig = errors.New("invalid transport config")

// ConfigError lists the fields of a Config that are wrong, each with a
// validation code ("required", "invalid", "out_of_range").
type ConfigError struct {
	// Fields maps a field path ("sftp.host") to its code.
	Fields map[string]string
}

// Error implements the error interface.
func (e *ConfigError) Error() string {
	names := make([]string, 0, len(e.Fields))
	for f, code := range e.Fields {
		names = append(names, f+": "+code)
	}
	sort.Strings(names)
	return ErrInvalidConfig.Error() + " (" + strings.Join(names, ", ") + ")"
}

// Is makes errors.Is(err, ErrInvalidConfig) hold.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// Validate checks c for its protocol and returns a *ConfigError naming every
// wrong field, or nil. It parses the SFTP private key, so a wrong passphrase
// is reported here.
func (c Config) Validate() error {
	_, err := c.validate()
	return err
}

// validate is Validate that also returns the parsed SFTP private key, so
// that Dial does not parse it twice (an encrypted key costs a slow KDF).
func (c Config) validate() (ssh.Signer, error) {
	var signer ssh.Signer
	bad := map[string]string{}
	if c.DialTimeout < 0 {
		bad["dial_timeout"] = "out_of_range"
	}
	if c.IOTimeout < 0 {
		bad["io_timeout"] = "out_of_range"
	}
	switch c.Protocol {
	case ProtocolDir:
		if c.Dir == "" {
			bad["dir"] = "required"
		}
	case ProtocolSFTP:
		signer = c.SFTP.validate(bad)
	case ProtocolS3:
		c.S3.validate(bad)
	case "":
		bad["protocol"] = "required"
	default:
		bad["protocol"] = "invalid"
	}
	if len(bad) > 0 {
		return nil, &ConfigError{Fields: bad}
	}
	return signer, nil
}

// validate records c's wrong fields in bad and returns the parsed private
// key, if any.
func (c SFTPConfig) validate(bad map[string]string) ssh.Signer {
	var signer ssh.Signer
	if c.Host == "" {
		bad["sftp.host"] = "required"
	} else if strings.ContainsAny(c.Host, "/@ \t") {
		bad["sftp.host"] = "invalid"
	}
	if c.Port < 0 || c.Port > 65535 {
		bad["sftp.port"] = "out_of_range"
	}
	if c.User == "" {
		bad["sftp.user"] = "required"
	}
	if c.Password == "" && c.PrivateKey == "" {
		bad["sftp.password"] = "required"
	}
	if c.PrivateKey != "" {
		var err error
		if signer, err = c.signer(); err != nil {
			var missing *ssh.PassphraseMissingError
			switch {
			case errors.As(err, &missing):
				bad["sftp.passphrase"] = "required"
			case c.Passphrase != "":
				bad["sftp.passphrase"] = "invalid"
			default:
				bad["sftp.private_key"] = "invalid"
			}
		}
	}
	if c.RemoteDir != "" && strings.ContainsRune(c.RemoteDir, 0) {
		bad["sftp.remote_dir"] = "invalid"
	}
	switch {
	case c.HostKeyFingerprint == "" && !c.InsecureIgnoreHostKey:
		bad["sftp.host_key_fingerprint"] = "required"
	case c.HostKeyFingerprint != "" && !validFingerprint(c.HostKeyFingerprint):
		bad["sftp.host_key_fingerprint"] = "invalid"
	}
	return signer
}

// signer parses the private key, with the passphrase when one is set.
func (c SFTPConfig) signer() (ssh.Signer, error) {
	if c.Passphrase == "" {
		return ssh.ParsePrivateKey([]byte(c.PrivateKey))
	}
	return ssh.ParsePrivateKeyWithPassphrase([]byte(c.PrivateKey), []byte(c.Passphrase))
}

// validFingerprint reports whether fp is "SHA256:" and 32 bytes of
// unpadded base64, as ssh-keygen -l and ssh.FingerprintSHA256 print it.
func validFingerprint(fp string) bool {
	b64, ok := strings.CutPrefix(fp, "SHA256:")
	if !ok {
		return false
	}
	sum, err := base64.RawStdEncoding.DecodeString(b64)
	return err == nil && len(sum) == 32
}

func (c S3Config) validate(bad map[string]string) {
	if c.Bucket == "" {
		bad["s3.bucket"] = "required"
	}
	if c.Prefix != "" {
		if err := checkPath(strings.Trim(c.Prefix, "/")); err != nil {
			bad["s3.prefix"] = "invalid"
		}
	}
	if _, _, err := c.endpoint(); err != nil {
		bad["s3.endpoint"] = "invalid"
	}
	if c.AccessKey == "" {
		bad["s3.access_key"] = "required"
	}
	if c.SecretKey == "" {
		bad["s3.secret_key"] = "required"
	}
}

// endpoint returns the host[:port] and whether to use TLS.
func (c S3Config) endpoint() (host string, secure bool, err error) {
	if c.Endpoint == "" {
		return "s3.amazonaws.com", true, nil
	}
	if !strings.Contains(c.Endpoint, "://") {
		if strings.ContainsAny(c.Endpoint, "/?# ") {
			return "", false, errors.New("endpoint host has a path")
		}
		return c.Endpoint, true, nil
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil {
		return "", false, fmt.Errorf("parse endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", false, errors.New("endpoint scheme is not http or https")
	}
	if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return "", false, errors.New("endpoint is not a bare http(s)://host[:port]")
	}
	return u.Host, u.Scheme == "https", nil
}

func (c Config) dialTimeout() time.Duration {
	if c.DialTimeout == 0 {
		return DefaultDialTimeout
	}
	return c.DialTimeout
}

func (c Config) ioTimeout() time.Duration {
	if c.IOTimeout == 0 {
		return DefaultIOTimeout
	}
	return c.IOTimeout
}

// Dial validates cfg and opens a Transport for it: it opens (creating) the
// local directory, connects and authenticates to the SFTP server after
// checking its host key, or checks that the S3 bucket exists.
func Dial(ctx context.Context, cfg Config) (Transport, error) {
	signer, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	switch cfg.Protocol {
	case ProtocolDir:
		return dialDir(cfg.Dir)
	case ProtocolSFTP:
		return dialSFTP(ctx, cfg, signer)
	default:
		return dialS3(ctx, cfg)
	}
}
