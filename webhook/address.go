package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLength bounds a subscription URL, in bytes.
const MaxURLLength = 2048

// Errors of URL and address checks. Every error CheckURL returns, and every
// dial that NewClient's client refuses, wraps exactly one of them.
var (
	// ErrInvalidURL means the URL is not an absolute http or https URL with a
	// host, or has user info, spaces or non-ASCII bytes, or is too long.
	ErrInvalidURL = errors.New("webhook: invalid URL")
	// ErrBlockedAddress means the URL's host is, or resolves to, an address
	// that is not public: loopback, private, link-local, CGNAT, NAT64,
	// multicast, documentation and the like.
	ErrBlockedAddress = errors.New("webhook: address is not public")
	// ErrUnresolvable means the URL's host name does not resolve.
	ErrUnresolvable = errors.New("webhook: host does not resolve")
)

// Resolver looks up the addresses of a host name; *net.Resolver is one.
// network is "ip", "ip4" or "ip6".
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckURL vets a subscription URL when it is saved: it must be an absolute
// http or https URL (any port) with a host and no user info, in printable
// ASCII, at most MaxURLLength bytes. Unless opts.AllowPrivate is set, its
// host must then be a public IP literal, or a DNS name (not "localhost" nor
// under it) whose addresses, looked up through opts.Resolver, are ALL public
// (see PublicAddr). The client of NewClient repeats the address check at
// connect time, as a name may resolve elsewhere by then.
func CheckURL(ctx context.Context, raw string, opts Options) error {
	host, err := parseTarget(raw)
	if err != nil {
		return fmt.Errorf("check webhook url: %w", err)
	}
	if opts.AllowPrivate {
		return nil
	}
	if _, err := resolvePublic(ctx, opts.resolver(), "ip", host); err != nil {
		return fmt.Errorf("check webhook url: %w", err)
	}
	return nil
}

// parseTarget checks the shape of a subscription URL and returns its host
// name or IP literal, lower case, without brackets or a trailing dot.
func parseTarget(raw string) (string, error) {
	if len(raw) > MaxURLLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidURL, MaxURLLength)
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] >= 0x7f {
			return "", fmt.Errorf("%w: only printable ASCII is allowed (percent-encode the rest)", ErrInvalidURL)
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%w: scheme must be http or https", ErrInvalidURL)
	case u.Opaque != "":
		return "", fmt.Errorf("%w: not an absolute URL with a host", ErrInvalidURL)
	case u.User != nil:
		return "", fmt.Errorf("%w: user info is not allowed", ErrInvalidURL)
	case u.Hostname() == "":
		return "", fmt.Errorf("%w: host is required", ErrInvalidURL)
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return "", fmt.Errorf("%w: port %q", ErrInvalidURL, port)
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("%w: empty port", ErrInvalidURL)
	}
	host := strings.ToLower(u.Hostname())
	if strings.HasPrefix(u.Host, "[") {
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", fmt.Errorf("%w: bad IPv6 literal %q", ErrInvalidURL, host)
		}
		return host, nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return host, nil
	}
	host = strings.TrimSuffix(host, ".")
	if !validHostName(host) {
		return "", fmt.Errorf("%w: host %q is not a DNS name or IP address", ErrInvalidURL, host)
	}
	return host, nil
}

// validHostName reports whether host is a lower-case ASCII DNS name: labels of
// 1 to 63 letters, digits, '-' and '_' not starting or ending with '-', at
// most 253 bytes, whose last label is not all digits (so that "2130706433" or
// "127.1", which some resolvers read as IPv4, are refused) and does not start
// with "0x" followed only by hex digits.
func validHostName(host string) bool {
	if host == "" || len(host) > 253 {
		return false
	}
	var last string
	for label := range strings.SplitSeq(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
		last = label
	}
	return !allDigits(last) && !isHexNumber(last)
}

// allDigits reports whether s is only decimal digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isHexNumber reports whether s is "0x" followed only by hex digits.
func isHexNumber(s string) bool {
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok {
		return false
	}
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// resolvePublic returns host's addresses (host itself when it is an IP
// literal) after checking that every one is public. network is "ip", "ip4"
// or "ip6".
func resolvePublic(ctx context.Context, r Resolver, network, host string) ([]netip.Addr, error) {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return nil, fmt.Errorf("%w: %s is a loopback name", ErrBlockedAddress, host)
	}
	addrs, err := resolve(ctx, r, network, host)
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if ok, why := classify(a); !ok {
			return nil, fmt.Errorf("%w: %s resolves to %s (%s)", ErrBlockedAddress, host, a, why)
		}
	}
	return addrs, nil
}

// resolve returns host's addresses: host itself when it is an IP literal,
// else what r answers, which must be at least one address.
func resolve(ctx context.Context, r Resolver, network, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := r.LookupNetIP(ctx, network, host)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnresolvable, host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: %s has no address", ErrUnresolvable, host)
	}
	return addrs, nil
}

// PublicAddr reports whether a webhook may connect to a: a globally routable
// unicast address. Refused, with the IPv4-mapped (::ffff:a.b.c.d) form of
// each IPv4 range and the 6to4 (2002::/16) addresses that embed one:
// 0.0.0.0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16, 172.16/12,
// 192.0.0/24, 192.0.2/24, 192.88.99/24, 192.168/16, 198.18/15 (benchmarking),
// 198.51.100/24, 203.0.113/24, 224/4 (multicast), 240/4 (reserved and
// broadcast). For IPv6 only global unicast (2000::/3) is allowed, which shuts
// out ::, ::1, the deprecated IPv4-compatible ::/96, NAT64 (64:ff9b::/96,
// 64:ff9b:1::/48), 100::/64, fc00::/7, fe80::/10, fec0::/10 and ff00::/8; and
// within it 2001::/23 (IETF assignments: Teredo, benchmarking, ORCHID),
// 2001:db8::/32 and 3fff::/20 (documentation) are refused too. Addresses
// with a zone are refused.
func PublicAddr(a netip.Addr) bool {
	ok, _ := classify(a)
	return ok
}

// blockedRange is an address range webhooks may not reach, and why.
type blockedRange struct {
	prefix netip.Prefix
	why    string
}

// blockedIPv4 are the IPv4 ranges that are not globally reachable unicast
// (IANA IPv4 Special-Purpose Address Registry, plus multicast and class E).
var blockedIPv4 = []blockedRange{
	{netip.MustParsePrefix("0.0.0.0/8"), "this network"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (CGNAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "6to4 relay anycast (deprecated)"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved or broadcast"},
}

// globalUnicast6 is the only IPv6 space allocated for global unicast.
var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// nonGlobal6 names the well-known IPv6 ranges outside 2000::/3, all refused,
// so that errors say why; the first that contains an address names it.
var nonGlobal6 = []blockedRange{
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
	{netip.MustParsePrefix("64:ff9b::/96"), "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "NAT64 local use"},
	{netip.MustParsePrefix("100::/64"), "discard only"},
	{netip.MustParsePrefix("fc00::/7"), "unique local (private)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// blockedIPv6 are the ranges inside 2000::/3 that are not globally reachable
// unicast (IANA IPv6 Special-Purpose Address Registry).
var blockedIPv6 = []blockedRange{
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments (Teredo, benchmarking, ORCHID)"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("3fff::/20"), "documentation"},
}

// sixToFour is the 6to4 prefix, whose bits 16 to 47 are an IPv4 address.
var sixToFour = netip.MustParsePrefix("2002::/16")

// classify reports whether a is public and, when it is not, why.
func classify(a netip.Addr) (bool, string) {
	switch {
	case !a.IsValid():
		return false, "invalid address"
	case a.Zone() != "":
		return false, "scoped address"
	case a.Is4In6():
		return classify4(a.Unmap(), "IPv4-mapped ")
	case a.Is4():
		return classify4(a, "")
	case !globalUnicast6.Contains(a):
		for _, r := range nonGlobal6 {
			if r.prefix.Contains(a) {
				return false, r.why
			}
		}
		return false, "not IPv6 global unicast"
	case sixToFour.Contains(a):
		b := a.As16()
		return classify4(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), "6to4 of ")
	}
	for _, r := range blockedIPv6 {
		if r.prefix.Contains(a) {
			return false, r.why
		}
	}
	return true, ""
}

// classify4 reports whether the IPv4 address a is public; form says how it
// was embedded, for the reason.
func classify4(a netip.Addr, form string) (bool, string) {
	for _, r := range blockedIPv4 {
		if r.prefix.Contains(a) {
			return false, form + r.why
		}
	}
	return true, ""
}

// dialTarget resolves the host of a dial address to the IPs to connect to,
// refusing the whole dial if any of them is not public unless allowPrivate.
func dialTarget(ctx context.Context, r Resolver, allowPrivate bool, network, address string) ([]netip.AddrPort, error) {
	host, portText, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidURL, err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("%w: port %q", ErrInvalidURL, portText)
	}
	ipNetwork := "ip"
	switch network {
	case "tcp4":
		ipNetwork = "ip4"
	case "tcp6":
		ipNetwork = "ip6"
	}
	var addrs []netip.Addr
	if allowPrivate {
		addrs, err = resolve(ctx, r, ipNetwork, host)
	} else {
		addrs, err = resolvePublic(ctx, r, ipNetwork, strings.ToLower(host))
	}
	if err != nil {
		return nil, err
	}
	targets := make([]netip.AddrPort, len(addrs))
	for i, a := range addrs {
		targets[i] = netip.AddrPortFrom(a, uint16(port))
	}
	return targets, nil
}
