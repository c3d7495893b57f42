package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// smtpTimeout bounds connecting and each stage of an SMTP session.
const smtpTimeout = 30 * time.Second

// smtpSender sends each message over a new SMTP connection.
type smtpSender struct {
	host        string
	port        int
	implicitTLS bool // smtps://: TLS from the first byte, no STARTTLS
	user, pass  string
	from        string
	timeout     time.Duration
	rootCAs     *x509.CertPool // nil: the system's roots
}

// openSMTP parses an smtp:// or smtps:// URL.
func openSMTP(spec, from string) (*smtpSender, error) {
	u, err := url.Parse(spec)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("parse SMTP URL: %w", err)
	}
	s := &smtpSender{host: u.Hostname(), from: from, timeout: smtpTimeout, implicitTLS: u.Scheme == "smtps", port: 587}
	if s.implicitTLS {
		s.port = 465
	}
	if s.host == "" {
		return nil, errors.New("parse SMTP URL: no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("parse SMTP URL: unexpected path, query or fragment")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("parse SMTP URL: bad port %q", p)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	return s, nil
}

// Send delivers m in one SMTP session. It upgrades the connection with
// STARTTLS when the server offers it, and authenticates when the URL named a
// user, choosing the strongest mechanism offered and never sending a password
// in clear over an unencrypted connection. Cancelling ctx aborts the session.
func (s *smtpSender) Send(ctx context.Context, m Message) error {
	msg, err := compose(s.from, m, time.Now())
	if err != nil {
		return err
	}
	tlsConfig := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12, RootCAs: s.rootCAs}
	stopWatching := func() bool { return false }
	dial := func(dialCtx context.Context, network, addr string) (net.Conn, error) {
		var conn net.Conn
		var err error
		if s.implicitTLS {
			conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(dialCtx, network, addr)
		} else {
			conn, err = (&net.Dialer{}).DialContext(dialCtx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		stopWatching = context.AfterFunc(ctx, func() { conn.Close() })
		return conn, nil
	}
	defer func() { stopWatching() }()

	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSPolicy(gomail.TLSOpportunistic),
		gomail.WithTLSConfig(tlsConfig),
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	if s.user != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	server := net.JoinHostPort(s.host, strconv.Itoa(s.port))
	session, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("smtp connect to %s: %w", server, ctxErr(ctx, err))
	}
	if err := client.SendWithSMTPClient(session, msg); err != nil {
		client.CloseWithSMTPClient(session)
		return fmt.Errorf("smtp send via %s: %w", server, ctxErr(ctx, err))
	}
	// The server accepted the message: a failing QUIT must not make the
	// caller send it again.
	client.CloseWithSMTPClient(session)
	return nil
}

// ctxErr adds ctx's error to err when ctx ended the session.
func ctxErr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return errors.Join(cause, err)
	}
	return err
}
