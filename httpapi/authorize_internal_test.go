package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"tonegrid"
)

// fixedAuth authenticates every token as one principal: a stand-in for the
// auth service that lets these tests exercise the permission layer alone.
type fixedAuth struct {
	tonegrid.AuthService
	p *tonegrid.Principal
}

func (f fixedAuth) Authenticate(context.Context, string, netip.Addr) (*tonegrid.Principal, error) {
	return f.p, nil
}

// TestAuthorize covers the permission layer's rules that no identity route
// reaches yet: verified-email routes and platform (★) routes.
func TestAuthorize(t *testing.T) {
	verified := time.Now()
	label := &tonegrid.Principal{Role: tonegrid.RoleLabelAdmin, Tenant: &tonegrid.Tenant{},
		User: &tonegrid.User{EmailVerifiedAt: &verified}}
	unverified := &tonegrid.Principal{Role: tonegrid.RoleLabelAdmin, Tenant: &tonegrid.Tenant{}, User: &tonegrid.User{}}
	super := &tonegrid.Principal{Role: tonegrid.RoleSuperAdmin, Tenant: &tonegrid.Tenant{}, User: &tonegrid.User{EmailVerifiedAt: &verified}}
	key := &tonegrid.Principal{Tenant: &tonegrid.Tenant{}, APIKey: &tonegrid.APIKey{Scopes: []string{"catalog:write"}}}
	ok := func(w http.ResponseWriter, r *http.Request) error { writeData(w, 200, "ok"); return nil }

	for _, tt := range []struct {
		name   string
		p      *tonegrid.Principal
		token  string
		rt     route
		status int
		code   string
	}{
		{"verified user on a verified route", label, "t", route{perm: tonegrid.PermCatalogWrite, verified: true}, 200, ""},
		{"unverified user on a verified route", unverified, "t", route{perm: tonegrid.PermCatalogWrite, verified: true}, 403, "email_unverified"},
		{"api key on a verified route", key, "t", route{perm: tonegrid.PermCatalogWrite, verified: true}, 200, ""},
		{"unverified user elsewhere", unverified, "t", route{perm: tonegrid.PermCatalogWrite}, 200, ""},
		{"super admin on a platform route", super, "t", route{perm: tonegrid.PermPlatform}, 200, ""},
		{"label admin on a platform route", label, "t", route{perm: tonegrid.PermPlatform}, 404, "route_not_found"},
		{"api key on a platform route", key, "t", route{perm: tonegrid.PermPlatform}, 404, "route_not_found"},
		{"anonymous on a platform route", label, "", route{perm: tonegrid.PermPlatform}, 404, "route_not_found"},
		{"anonymous elsewhere", label, "", route{perm: tonegrid.PermCatalogRead}, 401, "token_missing"},
		{"missing scope", key, "t", route{perm: tonegrid.PermFinanceRead}, 403, "forbidden"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Config{}, Deps{Auth: fixedAuth{p: tt.p}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			tt.rt.method, tt.rt.path, tt.rt.handle = "GET", "/api/x", ok
			h := chain(s.wrap(tt.rt), s.requestID)
			req := httptest.NewRequest("GET", "/api/x", nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var e errorEnvelope
			json.Unmarshal(rec.Body.Bytes(), &e)
			if rec.Code != tt.status || e.Code != tt.code {
				t.Errorf("got %d %q, want %d %q", rec.Code, e.Code, tt.status, tt.code)
			}
		})
	}
}
