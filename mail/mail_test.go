package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const testFrom = "ToneGrid <no-reply@localhost>"

// emlName is the form of the names the dir backend gives its files.
var emlName = regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-[0-9a-f]{16}\.eml$`)

// parsedMail is a message read back from its RFC 5322 bytes.
type parsedMail struct {
	header        netmail.Header
	subject       string
	text, html    string
	textCT, htmCT string
}

// parseMail parses raw as the dir and SMTP backends write it: CRLF line
// endings, multipart/alternative with quoted-printable text and HTML parts.
func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	if i := bytes.IndexByte(bytes.ReplaceAll(raw, []byte("\r\n"), nil), '\n'); i >= 0 {
		t.Errorf("message has a bare LF line ending")
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	var p parsedMail
	p.header = msg.Header
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("decode Subject %q: %v", msg.Header.Get("Subject"), err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	parts := multipart.NewReader(msg.Body, params["boundary"])
	for i, dst := range []*string{&p.text, &p.html} {
		part, err := parts.NextRawPart()
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("part %d Content-Transfer-Encoding = %q, want quoted-printable", i+1, cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(part))
		if err != nil {
			t.Fatalf("part %d: decode quoted-printable: %v", i+1, err)
		}
		*dst = strings.ReplaceAll(string(body), "\r\n", "\n")
		if i == 0 {
			p.textCT = part.Header.Get("Content-Type")
		} else {
			p.htmCT = part.Header.Get("Content-Type")
		}
	}
	if _, err := parts.NextRawPart(); err != io.EOF {
		t.Errorf("after two parts: %v, want io.EOF", err)
	}
	return p
}

// readOneEML returns the only .eml file of dir, checking its name and mode
// and that no temporary file is left.
func readOneEML(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("dir holds %v, want one .eml file", names)
	}
	name := entries[0].Name()
	if !emlName.MatchString(name) {
		t.Errorf("file name %q does not match %s", name, emlName)
	}
	info, err := entries[0].Info()
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("file mode %o, want 600", mode)
	}
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestDirBackendWritesACompleteMessage(t *testing.T) {
	for _, tc := range []struct{ locale, template, to string }{
		{"fr", PasswordReset, "Élodie Dupré <elodie@example.com>"},
		{"de", Invitation, "juergen@example.de"},
		{"en", OTP, "Bob <bob@example.com>"},
		{"pt", WebhookDisabled, "admin@example.com.br"},
	} {
		t.Run(tc.locale+"/"+tc.template, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "outbox", "mail")
			s, err := Open("dir:"+dir, testFrom, nil)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			info, err := os.Stat(dir)
			if err != nil {
				t.Fatalf("Open did not create the directory: %v", err)
			}
			if mode := info.Mode().Perm(); mode != 0o700 {
				t.Errorf("directory mode %o, want 700", mode)
			}
			m, err := Render(tc.locale, tc.template, dataFor(t, tc.template))
			if err != nil {
				t.Fatal(err)
			}
			m.To = tc.to
			before := time.Now().Add(-time.Second)
			if err := s.Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			raw := readOneEML(t, dir)
			got := parseMail(t, raw)

			from, err := got.header.AddressList("From")
			if err != nil || len(from) != 1 || from[0].Name != "ToneGrid" || from[0].Address != "no-reply@localhost" {
				t.Errorf("From = %v (%v), want ToneGrid <no-reply@localhost>", from, err)
			}
			wantTo, _ := netmail.ParseAddress(tc.to)
			to, err := got.header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Address != wantTo.Address || to[0].Name != wantTo.Name {
				t.Errorf("To = %v (%v), want %v", to, err, wantTo)
			}
			if got.subject != m.Subject {
				t.Errorf("Subject decodes to %q, want %q", got.subject, m.Subject)
			}
			rawSubject := got.header.Get("Subject")
			if isASCII(m.Subject) != !strings.Contains(rawSubject, "=?UTF-8?") {
				t.Errorf("Subject %q written as %q: want RFC 2047 exactly when not ASCII", m.Subject, rawSubject)
			}
			date, err := got.header.Date()
			if err != nil || date.Before(before) || date.After(time.Now().Add(time.Second)) {
				t.Errorf("Date = %v (%v), want now", date, err)
			}
			if id := got.header.Get("Message-Id"); !regexp.MustCompile(`^<[0-9a-f]{32}@localhost>$`).MatchString(id) {
				t.Errorf("Message-ID = %q", id)
			}
			if v := got.header.Get("MIME-Version"); v != "1.0" {
				t.Errorf("MIME-Version = %q, want 1.0", v)
			}
			if ct, params, _ := mime.ParseMediaType(got.textCT); ct != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
				t.Errorf("text part Content-Type = %q", got.textCT)
			}
			if ct, params, _ := mime.ParseMediaType(got.htmCT); ct != "text/html" || !strings.EqualFold(params["charset"], "utf-8") {
				t.Errorf("html part Content-Type = %q", got.htmCT)
			}
			if got.text != m.Text {
				t.Errorf("text part:\n%q\nwant\n%q", got.text, m.Text)
			}
			if got.html != m.HTML {
				t.Errorf("html part:\n%q\nwant\n%q", got.html, m.HTML)
			}
		})
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestDirBackendNamesAreUnique(t *testing.T) {
	dir := t.TempDir()
	s, err := Open("dir:"+dir, testFrom, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 20
	for range n {
		if err := s.Send(context.Background(), Message{To: "a@example.com", Subject: "s", Text: "t", HTML: "<p>t</p>"}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != n {
		t.Fatalf("%d files, want %d", len(entries), n)
	}
	for _, e := range entries {
		if !emlName.MatchString(e.Name()) {
			t.Errorf("file name %q does not match %s", e.Name(), emlName)
		}
	}
}

func TestSendersRejectHeaderInjection(t *testing.T) {
	good := Message{To: "bob@example.com", Subject: "Hello", Text: "t", HTML: "<p>t</p>"}
	cases := []struct {
		name string
		edit func(*Message)
	}{
		{"CRLF in To", func(m *Message) { m.To = "bob@example.com\r\nBcc: eve@evil.example" }},
		{"LF in To", func(m *Message) { m.To = "bob@example.com\nBcc: eve@evil.example" }},
		{"CR in Subject", func(m *Message) { m.Subject = "Hello\rBcc: eve@evil.example" }},
		{"CRLF in Subject", func(m *Message) { m.Subject = "Hello\r\nBcc: eve@evil.example" }},
		{"NUL in Subject", func(m *Message) { m.Subject = "Hel\x00lo" }},
		{"tab in To", func(m *Message) { m.To = "bob@example.com\tx" }},
		{"DEL in Subject", func(m *Message) { m.Subject = "Hello\x7f" }},
		{"C1 control in Subject", func(m *Message) { m.Subject = "Hello\u0085Bcc: x" }},
		{"line separator in Subject", func(m *Message) { m.Subject = "Hello\u2028Bcc: x" }},
		{"two recipients", func(m *Message) { m.To = "bob@example.com, eve@evil.example" }},
		{"no recipient", func(m *Message) { m.To = "" }},
		{"not an address", func(m *Message) { m.To = "bob" }},
	}
	dir := t.TempDir()
	backends := map[string]string{
		"log":  "log",
		"dir":  "dir:" + dir,
		"smtp": "smtp://user:secret@127.0.0.1:1", // checked before connecting
	}
	for backend, spec := range backends {
		s, err := Open(spec, testFrom, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatalf("Open(%s): %v", backend, err)
		}
		for _, tc := range cases {
			m := good
			tc.edit(&m)
			if err := s.Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("%s: %s: Send error %v, want ErrInvalidMessage", backend, tc.name, err)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("dir backend wrote %d files for rejected messages", len(entries))
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		spec, from string
		ok         bool
	}{
		{"log", testFrom, true},
		{"dir:" + dir, testFrom, true},
		{"dir:" + dir, "no-reply@example.com", true},
		{"smtp://mail.example.com", testFrom, true},
		{"smtp://user:p%40ss@mail.example.com:2525", testFrom, true},
		{"smtps://user:pass@mail.example.com", testFrom, true},
		{"", testFrom, false},
		{"stdout", testFrom, false},
		{"dir:", testFrom, false},
		{"ftp://mail.example.com", testFrom, false},
		{"smtp://", testFrom, false},
		{"smtp://mail.example.com:0", testFrom, false},
		{"smtp://mail.example.com:99999", testFrom, false},
		{"smtp://mail.example.com:smtp", testFrom, false},
		{"smtp://mail.example.com/inbox", testFrom, false},
		{"smtp://mail.example.com?tls=off", testFrom, false},
		{"log", "", false},
		{"log", "no-reply", false},
		{"log", "ToneGrid <no-reply@localhost>\r\nBcc: eve@evil.example", false},
		{"log", "ToneGrid <no-reply@localhost>, eve@evil.example", false},
	} {
		s, err := Open(tc.spec, tc.from, nil)
		if (err == nil) != tc.ok {
			t.Errorf("Open(%q, %q) = %T, %v; want ok=%v", tc.spec, tc.from, s, err, tc.ok)
		}
	}
}

func TestOpenParsesSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		spec       string
		host       string
		port       int
		tls        bool
		user, pass string
	}{
		{"smtp://mail.example.com", "mail.example.com", 587, false, "", ""},
		{"smtp://u%40x:p%3Ass@mail.example.com:25", "mail.example.com", 25, false, "u@x", "p:ss"},
		{"smtps://u:p@[::1]", "::1", 465, true, "u", "p"},
		{"smtps://mail.example.com:2465/", "mail.example.com", 2465, true, "", ""},
	} {
		s, err := Open(tc.spec, testFrom, nil)
		if err != nil {
			t.Errorf("Open(%q): %v", tc.spec, err)
			continue
		}
		got := s.(*smtpSender)
		if got.host != tc.host || got.port != tc.port || got.implicitTLS != tc.tls || got.user != tc.user || got.pass != tc.pass {
			t.Errorf("Open(%q) = host %q port %d tls %v user %q pass %q, want %q %d %v %q %q",
				tc.spec, got.host, got.port, got.implicitTLS, got.user, got.pass, tc.host, tc.port, tc.tls, tc.user, tc.pass)
		}
	}
}

func TestOpenErrorsHideThePassword(t *testing.T) {
	for _, spec := range []string{"smtp://user:hunter2@mail.example.com:x", "smtp://user:hunter2@mail.example.com/x", "smtp://user:hunter2@%zz", "smtpx://user:hunter2@host"} {
		_, err := Open(spec, testFrom, nil)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", spec)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) error shows the password: %v", spec, err)
		}
	}
}

func TestLogBackendLogsOneLine(t *testing.T) {
	var buf bytes.Buffer
	s, err := Open("log", testFrom, slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Render("en", OTP, map[string]string{"code": "731904", "name": "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "ana@example.com"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d log lines, want 1:\n%s", len(lines), buf.String())
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"to": m.To, "subject": m.Subject, "text": m.Text, "from": testFrom} {
		if entry[k] != want {
			t.Errorf("log %s = %v, want %q", k, entry[k], want)
		}
	}
}

// FuzzCompose checks that whatever compose accepts parses back to the same
// recipient, subject and bodies, and that what it rejects is rejected as an
// invalid message.
func FuzzCompose(f *testing.F) {
	f.Add("bob@example.com", "Hello", "text\n", "<p>html</p>")
	f.Add("Élodie <elodie@example.com>", "Réinitialisation de votre mot de passe", "Bonjour,\n\nligne très longue "+strings.Repeat("é", 100), "<p>x</p>")
	f.Add("bob@example.com", "=?UTF-8?q?spoof?=", "a=b\r\n.\r\n", "=3D")
	f.Add("bob@example.com\r\nBcc: x@y", "s", "t", "h")
	f.Add(`"quoted, name" <q@example.com>`, strings.Repeat("long subject ", 20), "", "")
	f.Fuzz(func(t *testing.T, to, subject, text, html string) {
		m := Message{To: to, Subject: subject, Text: text, HTML: html}
		msg, err := compose(testFrom, m, time.Now())
		if err != nil {
			if !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("compose error %v does not wrap ErrInvalidMessage", err)
			}
			return
		}
		var buf bytes.Buffer
		if _, err := msg.WriteTo(&buf); err != nil {
			t.Fatalf("write: %v", err)
		}
		parsed, err := netmail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		rcpts, err := parsed.Header.AddressList("To")
		want, _ := netmail.ParseAddress(to)
		if err != nil || len(rcpts) != 1 || rcpts[0].Address != want.Address {
			t.Fatalf("To = %v (%v), want %v", rcpts, err, want.Address)
		}
		if len(parsed.Header["Bcc"]) != 0 || len(parsed.Header["Cc"]) != 0 {
			t.Fatalf("headers gained recipients: %v", parsed.Header)
		}
		if !strings.Contains(subject, "=?") {
			got, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject"))
			if err != nil || strings.TrimSpace(got) != strings.TrimSpace(subject) {
				t.Fatalf("Subject decodes to %q (%v), want %q", got, err, subject)
			}
		}
	})
}
