package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// DefaultTimeout bounds one delivery attempt, from the first dial to the end
// of the response.
const DefaultTimeout = 10 * time.Second

// maxResponseHeaderBytes bounds a receiver's response headers.
const maxResponseHeaderBytes = 64 << 10

// Options are the delivery settings shared by CheckURL and NewClient.
type Options struct {
	// AllowPrivate turns the address checks off, so that webhooks may target
	// loopback and private networks (TONEGRID_WEBHOOKS_ALLOW_PRIVATE, for
	// tests and on-premises installations). URL shape checks still apply.
	AllowPrivate bool
	// Resolver looks host names up; nil means net.DefaultResolver.
	Resolver Resolver
	// Timeout bounds one attempt, connecting and the whole response
	// included; zero means DefaultTimeout.
	Timeout time.Duration
}

// resolver returns the configured resolver or the system's.
func (o Options) resolver() Resolver {
	if o.Resolver == nil {
		return net.DefaultResolver
	}
	return o.Resolver
}

// NewClient returns the HTTP client deliveries go through. It resolves every
// host itself and connects only to addresses that pass PublicAddr, checking
// the address of the socket once more just before it connects, so a name
// that resolved to a public address when the subscription was saved and to a
// private one now (DNS rebinding) is refused at dial time with an error
// wrapping ErrBlockedAddress. It ignores proxy environment variables (a proxy
// would connect on its behalf), follows no redirect (a 3xx response is
// returned as is, and counts as a failed attempt), bounds each attempt by
// opts.Timeout, and response headers to 64 KiB. Make one client per
// process and share it: it pools connections.
func NewClient(opts Options) *http.Client {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	d := &guardedDialer{
		resolver:     opts.resolver(),
		allowPrivate: opts.AllowPrivate,
		dialer:       net.Dialer{Timeout: timeout},
	}
	if !opts.AllowPrivate {
		d.dialer.Control = refuseNonPublic
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    timeout,
		ResponseHeaderTimeout:  timeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// guardedDialer resolves a dial address through its resolver, checks every
// address, and connects to the checked IPs in turn.
type guardedDialer struct {
	resolver     Resolver
	allowPrivate bool
	dialer       net.Dialer
}

// DialContext connects to address ("host:port") over network, trying each
// of the host's checked addresses until one answers.
func (d *guardedDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	targets, err := dialTarget(ctx, d.resolver, d.allowPrivate, network, address)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", address, err)
	}
	var errs []error
	for _, target := range targets {
		conn, err := d.dialer.DialContext(ctx, network, target.String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("dial %s: %w", address, errors.Join(errs...))
}

// refuseNonPublic is the dialer's last check, on the very address the socket
// is about to connect to.
func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse dial address %q", ErrBlockedAddress, address)
	}
	if ok, why := classify(ap.Addr()); !ok {
		return fmt.Errorf("%w: %s (%s)", ErrBlockedAddress, ap.Addr(), why)
	}
	return nil
}
