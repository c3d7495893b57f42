package auth_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"tonegrid"
	"tonegrid/auth"
	"tonegrid/password"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// BenchmarkAuthenticate measures what authentication adds to a request on
// SQLite: an access JWT (signature, claims, one query) and an API key (a
// SHA-256 and a cached lookup; no argon2).
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	db := sqltest.Open(b, sqlstore.SQLite)
	cheap := password.Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}
	svc, err := auth.New(db, nil, auth.Config{MasterKey: []byte(strings.Repeat("m", 32)), Password: &cheap})
	if err != nil {
		b.Fatal(err)
	}
	hash, _ := password.Hash("bench-password-1", cheap)
	if _, err := db.CreateUser(ctx, "", "bench@example.com", "Bench", tonegrid.RoleLabelAdmin, hash); err != nil {
		b.Fatal(err)
	}
	sess, err := svc.Login(ctx, "bench@example.com", "bench-password-1", nil)
	if err != nil {
		b.Fatal(err)
	}
	ip := netip.MustParseAddr("127.0.0.1")
	p, err := svc.Authenticate(ctx, sess.AccessToken, ip)
	if err != nil {
		b.Fatal(err)
	}
	_, key, err := svc.CreateAPIKey(ctx, p, tonegrid.APIKeyInput{Name: "bench", Scopes: []string{"catalog:read"}})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, token string }{{"jwt", sess.AccessToken}, {"api-key", key}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := svc.Authenticate(ctx, bc.token, ip); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
