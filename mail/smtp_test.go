package mail

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server for tests: EHLO, STARTTLS, AUTH PLAIN,
// MAIL, RCPT, DATA, RSET, NOOP, QUIT. It records the messages it accepts.
type smtpServer struct {
	ln net.Listener
	// tls, when set, makes the server offer STARTTLS.
	tls *tls.Config
	// implicitTLS, when set, makes the server speak TLS from the start.
	implicitTLS *tls.Config
	// user and pass, when set, make the server offer AUTH PLAIN (after
	// STARTTLS, or before it when authInClear is set) and require it.
	user, pass  string
	authInClear bool
	// fail maps a command ("GREETING", "MAIL", "RCPT", "DATA" for the reply
	// after the message, "AUTH") to the reply the server gives instead.
	fail map[string]string
	// hang names the command after which the server stops answering.
	hang string

	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
	got   []received
	auths int // AUTH commands received
}

// received is one message the server accepted.
type received struct {
	from   string
	rcpts  []string
	data   string
	tls    bool
	authed bool
}

// startSMTP starts s on 127.0.0.1 and stops it when the test ends.
func startSMTP(t *testing.T, s *smtpServer) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.implicitTLS != nil {
		ln = tls.NewListener(ln, s.implicitTLS)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// sender returns an smtpSender for s, trusting roots, with a short timeout.
func (s *smtpServer) sender(t *testing.T, userinfo string, roots *x509.CertPool) *smtpSender {
	t.Helper()
	spec := "smtp://" + userinfo + s.ln.Addr().String()
	snd, err := Open(spec, testFrom, nil)
	if err != nil {
		t.Fatalf("Open(%s): %v", spec, err)
	}
	ss := snd.(*smtpSender)
	ss.rootCAs = roots
	ss.timeout = 2 * time.Second
	return ss
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

func (s *smtpServer) authCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auths
}

func (s *smtpServer) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, conn)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			s.session(conn)
		}()
	}
}

// waitClosed blocks until the client or the cleanup closes conn.
func waitClosed(conn net.Conn) {
	buf := make([]byte, 512)
	for {
		if _, err := conn.Read(buf); err != nil {
			return
		}
	}
}

func (s *smtpServer) session(conn net.Conn) {
	if s.hang == "GREETING" {
		waitClosed(conn)
		return
	}
	text := textproto.NewConn(conn)
	if reply, ok := s.fail["GREETING"]; ok {
		text.PrintfLine("%s", reply)
		return
	}
	text.PrintfLine("220 test.local ESMTP ready")
	_, isTLS := conn.(*tls.Conn)
	var (
		authed bool
		msg    received
	)
	for {
		line, err := text.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if s.hang == verb {
			waitClosed(conn)
			return
		}
		if reply, ok := s.fail[verb]; ok && verb != "DATA" {
			text.PrintfLine("%s", reply)
			if verb == "AUTH" {
				s.mu.Lock()
				s.auths++
				s.mu.Unlock()
			}
			continue
		}
		switch verb {
		case "EHLO", "HELO":
			lines := []string{"test.local greets you"}
			if s.tls != nil && !isTLS {
				lines = append(lines, "STARTTLS")
			}
			if s.user != "" && (isTLS || s.authInClear) {
				lines = append(lines, "AUTH PLAIN")
			}
			lines = append(lines, "HELP")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				text.PrintfLine("250%s%s", sep, l)
			}
		case "STARTTLS":
			text.PrintfLine("220 2.0.0 go ahead")
			tlsConn := tls.Server(conn, s.tls)
			if err := tlsConn.Handshake(); err != nil {
				return
			}
			conn, text, isTLS = tlsConn, textproto.NewConn(tlsConn), true
			msg = received{}
		case "AUTH":
			s.mu.Lock()
			s.auths++
			s.mu.Unlock()
			mech, initial, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				text.PrintfLine("504 5.5.4 mechanism not supported")
				continue
			}
			if initial == "" {
				text.PrintfLine("334 ")
				if initial, err = text.ReadLine(); err != nil {
					return
				}
			}
			creds, _ := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(creds), "\x00")
			if len(parts) == 3 && parts[1] == s.user && parts[2] == s.pass {
				authed = true
				text.PrintfLine("235 2.7.0 authenticated")
			} else {
				text.PrintfLine("535 5.7.8 bad credentials")
			}
		case "MAIL":
			if s.user != "" && !authed {
				text.PrintfLine("530 5.7.0 authentication required")
				continue
			}
			msg = received{from: addrArg(arg, "FROM:"), tls: isTLS, authed: authed}
			text.PrintfLine("250 2.1.0 ok")
		case "RCPT":
			msg.rcpts = append(msg.rcpts, addrArg(arg, "TO:"))
			text.PrintfLine("250 2.1.5 ok")
		case "DATA":
			text.PrintfLine("354 end with <CRLF>.<CRLF>")
			data, err := text.ReadDotBytes()
			if err != nil {
				return
			}
			if s.hang == "DATA-END" {
				waitClosed(conn)
				return
			}
			if reply, ok := s.fail["DATA"]; ok {
				text.PrintfLine("%s", reply)
				continue
			}
			msg.data = string(data)
			s.mu.Lock()
			s.got = append(s.got, msg)
			s.mu.Unlock()
			text.PrintfLine("250 2.0.0 queued")
		case "RSET", "NOOP":
			text.PrintfLine("250 2.0.0 ok")
		case "QUIT":
			text.PrintfLine("221 2.0.0 bye")
			return
		default:
			text.PrintfLine("502 5.5.2 command not recognized")
		}
	}
}

// addrArg returns the address of "FROM:<a@b> PARAMS" after prefix.
func addrArg(arg, prefix string) string {
	arg = strings.TrimSpace(arg[min(len(prefix), len(arg)):])
	addr, _, _ := strings.Cut(arg, " ")
	return strings.Trim(addr, "<>")
}

// testCert returns a server TLS config for 127.0.0.1 and a pool that trusts it.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test.local"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

// testMessage is a rendered French OTP mail to bob.
func testMessage(t *testing.T) Message {
	t.Helper()
	m, err := Render("fr", OTP, map[string]string{"code": "582914", "name": "Bob"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "Bob <bob@example.com>"
	return m
}

func TestSMTPDelivers(t *testing.T) {
	serverTLS, roots := testCert(t)
	for _, tc := range []struct {
		name       string
		server     *smtpServer
		userinfo   string
		wantTLS    bool
		wantAuthed bool
	}{
		{"plain, no auth", &smtpServer{}, "", false, false},
		{"STARTTLS offered", &smtpServer{tls: serverTLS}, "", true, false},
		{"STARTTLS and AUTH PLAIN", &smtpServer{tls: serverTLS, user: "mailer", pass: "s3cr:t"}, "mailer:s3cr%3At@", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startSMTP(t, tc.server)
			m := testMessage(t)
			if err := srv.sender(t, tc.userinfo, roots).Send(context.Background(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.messages()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			r := got[0]
			if r.from != "no-reply@localhost" {
				t.Errorf("MAIL FROM %q, want no-reply@localhost", r.from)
			}
			if len(r.rcpts) != 1 || r.rcpts[0] != "bob@example.com" {
				t.Errorf("RCPT TO %v, want [bob@example.com]", r.rcpts)
			}
			if r.tls != tc.wantTLS || r.authed != tc.wantAuthed {
				t.Errorf("tls %v authed %v, want %v %v", r.tls, r.authed, tc.wantTLS, tc.wantAuthed)
			}
			// ReadDotBytes turned CRLF into LF; put them back to parse.
			p := parseMail(t, []byte(strings.ReplaceAll(r.data, "\n", "\r\n")))
			if p.subject != m.Subject || p.text != m.Text || p.html != m.HTML {
				t.Errorf("received subject %q, text %q; want %q, %q", p.subject, p.text, m.Subject, m.Text)
			}
			if !strings.Contains(p.text, "582914") {
				t.Errorf("text lacks the code:\n%s", p.text)
			}
		})
	}
}

func TestSMTPWithImplicitTLS(t *testing.T) {
	serverTLS, roots := testCert(t)
	srv := startSMTP(t, &smtpServer{implicitTLS: serverTLS, user: "mailer", pass: "pw"})
	snd := srv.sender(t, "mailer:pw@", roots)
	snd.implicitTLS = true
	if err := snd.Send(context.Background(), testMessage(t)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.messages()
	if len(got) != 1 || !got[0].tls || !got[0].authed || len(got[0].rcpts) != 1 || got[0].rcpts[0] != "bob@example.com" {
		t.Fatalf("server received %+v, want one message to bob over TLS, authenticated", got)
	}
}

func TestSMTPRejectsAnUntrustedCertificate(t *testing.T) {
	serverTLS, _ := testCert(t)
	srv := startSMTP(t, &smtpServer{tls: serverTLS})
	_, otherRoots := testCert(t)
	err := sendWithin(t, srv.sender(t, "", otherRoots), testMessage(t), 20*time.Second)
	if err == nil {
		t.Fatal("Send over STARTTLS with an untrusted certificate succeeded")
	}
	if got := srv.messages(); len(got) != 0 {
		t.Errorf("server accepted %d messages", len(got))
	}
}

func TestSMTPFailures(t *testing.T) {
	serverTLS, roots := testCert(t)
	for _, tc := range []struct {
		name     string
		server   *smtpServer
		userinfo string
		want     string // in the error
	}{
		{"421 greeting", &smtpServer{fail: map[string]string{"GREETING": "421 4.3.2 shutting down"}}, "", "421"},
		{"451 MAIL", &smtpServer{fail: map[string]string{"MAIL": "451 4.3.0 try later"}}, "", "451"},
		{"550 RCPT", &smtpServer{fail: map[string]string{"RCPT": "550 5.1.1 <bob@example.com>: no such user"}}, "", "550"},
		{"554 after DATA", &smtpServer{fail: map[string]string{"DATA": "554 5.6.0 rejected"}}, "", "554"},
		{"535 AUTH", &smtpServer{tls: serverTLS, user: "mailer", pass: "right"}, "mailer:wrong@", "535"},
		{"AUTH required", &smtpServer{tls: serverTLS, user: "mailer", pass: "right"}, "", "530"},
		{"AUTH offered only in clear", &smtpServer{user: "mailer", pass: "pw", authInClear: true}, "mailer:pw@", ""},
		{"no AUTH offered", &smtpServer{}, "mailer:pw@", ""},
		{"hangs before greeting", &smtpServer{hang: "GREETING"}, "", ""},
		{"hangs after MAIL", &smtpServer{hang: "MAIL"}, "", ""},
		{"hangs after the message", &smtpServer{hang: "DATA-END"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startSMTP(t, tc.server)
			snd := srv.sender(t, tc.userinfo, roots)
			// Servers that hang need a short timeout to fail; the others
			// must fail on their answer, whatever the machine's load.
			snd.timeout = 5 * time.Second
			if tc.server.hang != "" {
				snd.timeout = 500 * time.Millisecond
			}
			err := sendWithin(t, snd, testMessage(t), 20*time.Second)
			if err == nil {
				t.Fatal("Send succeeded, want an error")
			}
			if errors.Is(err, ErrInvalidMessage) {
				t.Errorf("error %v wraps ErrInvalidMessage: a retry would not be tried", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if got := srv.messages(); len(got) != 0 {
				t.Errorf("server accepted %d messages", len(got))
			}
			if n := srv.authCount(); tc.name == "AUTH offered only in clear" && n != 0 {
				t.Errorf("client sent AUTH %d times over an unencrypted connection", n)
			}
		})
	}
}

func TestSMTPHonoursContext(t *testing.T) {
	srv := startSMTP(t, &smtpServer{hang: "MAIL"})
	snd := srv.sender(t, "", nil)
	snd.timeout = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	err := sendCtxWithin(t, ctx, snd, testMessage(t), 20*time.Second)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send with a cancelled context: %v, want context.Canceled", err)
	}
}

// sendWithin sends m and fails the test if Send has not returned within
// limit, far above the sender's own timeouts.
func sendWithin(t *testing.T, s Sender, m Message, limit time.Duration) error {
	t.Helper()
	return sendCtxWithin(t, context.Background(), s, m, limit)
}

func sendCtxWithin(t *testing.T, ctx context.Context, s Sender, m Message, limit time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, m) }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("Send did not return within %s", limit)
		return nil
	}
}
