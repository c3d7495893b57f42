// Package mail sends ToneGrid's outgoing mail: one-time codes, password-reset
// links, invitations and webhook notices. It owns the mail backends (log,
// directory of .eml files, SMTP), the localized templates, the sealed job
// payload that keeps recipients and secrets out of the job table in
// plaintext, and the job worker that renders and sends.
//
// mail imports the standard library, go-mail, River and tonegrid/jobs. It
// must not import sqlstore, httpapi or the domain package: callers hand it
// addresses and template data, never domain types.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail to one recipient, with a plain-text and an HTML body.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender delivers messages. Send returns an error wrapping ErrInvalidMessage
// when the message can never be sent (header injection, bad address), and
// any other error when a later attempt may succeed.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage means a message or sender address is malformed or tries
// to inject headers; sending it again cannot succeed.
var ErrInvalidMessage = errors.New("invalid mail message")

// Open returns the Sender that spec names:
//
//	log                          log each message (development)
//	dir:/path                    write each message to /path as an .eml file
//	smtp://user:pass@host:port   SMTP, STARTTLS when offered (port 587 by default)
//	smtps://user:pass@host:port  SMTP over implicit TLS (port 465 by default)
//
// from is the From address, such as "ToneGrid <no-reply@example.com>".
func Open(spec, from string, log *slog.Logger) (Sender, error) {
	if log == nil {
		log = slog.Default()
	}
	if _, err := parseFrom(from); err != nil {
		return nil, err
	}
	switch {
	case spec == "log":
		return &logSender{from: from, log: log}, nil
	case strings.HasPrefix(spec, "dir:"):
		return openDir(strings.TrimPrefix(spec, "dir:"), from)
	case strings.HasPrefix(spec, "smtp://"), strings.HasPrefix(spec, "smtps://"):
		return openSMTP(spec, from)
	}
	return nil, fmt.Errorf("open mail: unknown backend %q (want log, dir:/path, smtp:// or smtps://)", redact(spec))
}

// redact keeps what comes before "://" of a spec that may hold a password.
func redact(spec string) string {
	if i := strings.Index(spec, "://"); i >= 0 {
		return spec[:i] + "://…"
	}
	return spec
}

// parseFrom checks a From address and returns its parsed form.
func parseFrom(from string) (*netmail.Address, error) {
	if err := checkHeader("From", from); err != nil {
		return nil, err
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("parse From %q: %w: %w", from, ErrInvalidMessage, err)
	}
	return addr, nil
}

// checkMessage rejects messages that cannot be sent as they are.
func checkMessage(m Message) error {
	if err := checkHeader("To", m.To); err != nil {
		return err
	}
	if err := checkHeader("Subject", m.Subject); err != nil {
		return err
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
		return fmt.Errorf("mail body: %w: not valid UTF-8", ErrInvalidMessage)
	}
	if _, err := netmail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("parse To: %w: %w", ErrInvalidMessage, err)
	}
	return nil
}

// checkHeader rejects header values that are not UTF-8 or hold control
// characters, CR and LF first among them: they would let a value start a
// header of its own.
func checkHeader(name, value string) error {
	if !utf8.ValidString(value) {
		return fmt.Errorf("%s header: %w: not valid UTF-8", name, ErrInvalidMessage)
	}
	for _, r := range value {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%s header: %w: control character %U", name, ErrInvalidMessage, r)
		}
	}
	return nil
}

// compose builds the RFC 5322 message for m: multipart/alternative with
// quoted-printable text and HTML parts, CRLF line endings, a Subject encoded
// per RFC 2047 when it is not ASCII, and a Message-ID at from's domain.
func compose(from string, m Message, now time.Time) (*gomail.Msg, error) {
	fromAddr, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	if err := checkMessage(m); err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("set From: %w: %w", ErrInvalidMessage, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("set To: %w: %w", ErrInvalidMessage, err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)
	id, err := messageID(fromAddr.Address)
	if err != nil {
		return nil, err
	}
	msg.SetMessageIDWithValue(id)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// messageID returns a random Message-ID (without angle brackets) at the
// domain of addr.
func messageID(addr string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("message id: %w", err)
	}
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	return hex.EncodeToString(b[:]) + "@" + domain, nil
}
