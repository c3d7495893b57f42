package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"tonegrid"
)

type principalKey struct{}

func withPrincipal(ctx context.Context, p *tonegrid.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principalOf returns the authenticated caller of an authenticated route.
func principalOf(r *http.Request) *tonegrid.Principal {
	p, _ := r.Context().Value(principalKey{}).(*tonegrid.Principal)
	return p
}

// bearer returns the token of an "Authorization: Bearer …" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	tok := strings.TrimSpace(h[len(prefix):])
	return tok, tok != ""
}

// authenticate resolves the request's bearer token into a principal.
func (s *Server) authenticate(r *http.Request) (*tonegrid.Principal, error) {
	tok, ok := bearer(r)
	if !ok {
		return nil, tonegrid.ErrTokenMissing
	}
	if s.deps.Auth == nil {
		return nil, tonegrid.ErrTokenInvalid
	}
	return s.deps.Auth.Authenticate(r.Context(), tok, s.clientIP(r))
}

// clientIP is the address of the client: the connection's peer, or, when
// that peer is a trusted proxy, the last address in X-Forwarded-For that is
// not a trusted proxy.
func (s *Server) clientIP(r *http.Request) netip.Addr {
	peer := peerAddr(r)
	if !s.trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a
		}
		peer = a
	}
	return peer
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr is the address of the connection's peer.
func peerAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.IPv4Unspecified()
	}
	return a.Unmap()
}

// secureRequest reports whether the client reached us over TLS, directly or
// through a trusted proxy that says so.
func (s *Server) secureRequest(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return s.trusted(peerAddr(r)) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// requestTenant resolves the tenant an unauthenticated request is for: the
// X-Tenant-Domain header, else the Host; the platform's own host is the
// root tenant.
func (s *Server) requestTenant(r *http.Request) (*tonegrid.Tenant, error) {
	host := r.Header.Get("X-Tenant-Domain")
	if host == "" {
		host = r.Host
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" || len(host) > 253 {
		return nil, tonegrid.ErrTenantUnresolved
	}
	if s.platformHost(host) {
		return s.deps.Tenants.RootTenant(r.Context())
	}
	return s.deps.Tenants.ResolveTenant(r.Context(), host)
}

// platformHost reports whether host (lower case, without port) is the
// platform's own: TONEGRID_PUBLIC_HOST, or, while that is the default
// "localhost", any loopback address, so that a server started with no
// configuration answers at http://127.0.0.1:8080 as the README says.
func (s *Server) platformHost(host string) bool {
	public := strings.ToLower(s.cfg.PublicHost)
	if host == public {
		return true
	}
	if public != "localhost" {
		return false
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
