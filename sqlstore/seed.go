package sqlstore

import (
	"context"
	"fmt"
	"strings"
)

// RootTenantName is the name the platform's own tenant is created with.
const RootTenantName = "ToneGrid"

// defaultDSP is one store of the list seeded on first start.
type defaultDSP struct{ slug, name string }

// defaultDSPs are the stores every installation starts with. Their DDEX party
// ids are placeholders until staff enter the store's real DPID; they deliver
// with protocol "dir" until an SFTP or S3 endpoint is configured.
var defaultDSPs = []defaultDSP{
	{"spotify", "Spotify"},
	{"apple-music", "Apple Music"},
	{"youtube-music", "YouTube Music"},
	{"amazon-music", "Amazon Music"},
	{"deezer", "Deezer"},
	{"tidal", "TIDAL"},
	{"tiktok", "TikTok"},
	{"meta", "Meta (Facebook/Instagram)"},
	{"soundcloud", "SoundCloud"},
	{"pandora", "Pandora"},
	{"boomplay", "Boomplay"},
	{"audiomack", "Audiomack"},
	{"anghami", "Anghami"},
}

// placeholderPartyID returns a syntactically valid DPID that says it is a
// placeholder: PADPIDA + "TGPLACEHOLDER" + the slug's letters.
func placeholderPartyID(slug string) string {
	return "PADPIDATGPLACEHOLDER" + strings.ToUpper(strings.ReplaceAll(slug, "-", ""))
}

// Seed makes sure the root tenant and the default DSPs exist. It is
// idempotent and never overwrites a DSP that staff configured.
func (db *DB) Seed(ctx context.Context) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()

	var roots int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tenants WHERE parent_id IS NULL`).Scan(&roots); err != nil {
		return translate(fmt.Errorf("count root tenants: %w", err))
	}
	if roots == 0 {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO tenants (uuid, name, status, default_locale, created_at, updated_at)
			VALUES ($1, $2, 'active', 'en', $3, $3)`, newUUID(), RootTenantName, tx.now); err != nil {
			return translate(fmt.Errorf("insert root tenant: %w", err))
		}
	}
	for _, d := range defaultDSPs {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO dsps (slug, name, ddex_party_id, ern_version, delivery_protocol, is_active, created_at, updated_at)
			VALUES ($1, $2, $3, '4.3', 'dir', TRUE, $4, $4)
			ON CONFLICT (slug) DO NOTHING`, d.slug, d.name, placeholderPartyID(d.slug), tx.now); err != nil {
			return translate(fmt.Errorf("seed dsp %s: %w", d.slug, err))
		}
	}
	return tx.commit()
}
