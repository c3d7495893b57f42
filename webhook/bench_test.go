package webhook_test

import (
	"testing"
	"time"

	"tonegrid/webhook"
)

// benchBody is a typical event body, about 1 KiB.
func benchBody(b *testing.B) []byte {
	b.Helper()
	e := testEvent()
	e.Data = []byte(`{"release":{"uuid":"0198f5a4-7c2e-7b3a-9f00-2b1f3c4d5e6f","title":"A Night at the Opera (Deluxe Edition)",` +
		`"upc":"602547202277","status":"approved","artists":[{"uuid":"0198f5a4-1111-7000-8000-000000000001","name":"Queen"}],` +
		`"tracks":[{"isrc":"GBUM71029604","title":"Bohemian Rhapsody","duration_ms":354320},{"isrc":"GBUM71029605","title":"Love of My Life","duration_ms":219000},` +
		`{"isrc":"GBUM71029606","title":"You're My Best Friend","duration_ms":170000},{"isrc":"GBUM71029607","title":"'39","duration_ms":210000}],` +
		`"dsps":["spotify","apple-music","deezer","tidal","youtube-music","amazon-music"],"release_date":"2026-12-01","label":"EMI"}}`)
	body, err := e.Encode()
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkSign(b *testing.B) {
	body := benchBody(b)
	secret := webhook.NewSecret()
	now := time.Now()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := webhook.Sign(secret, "0198f5a4-7c2e-7b3a-9f00-2b1f3c4d5e6f", now, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyBoth(b *testing.B) {
	body := benchBody(b)
	secret := webhook.NewSecret()
	now := time.Now()
	h, err := webhook.Sign(secret, "0198f5a4-7c2e-7b3a-9f00-2b1f3c4d5e6f", now, body)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := webhook.VerifyToneGrid(secret, h, body, now); err != nil {
			b.Fatal(err)
		}
		if err := webhook.VerifyStandard(secret, h, body, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatchAny(b *testing.B) {
	patterns := []string{"release.created", "release.approved", "ingestion.*", "statement.approved", "release.dsp.*.live"}
	b.ReportAllocs()
	for b.Loop() {
		if !webhook.MatchAny(patterns, "release.dsp.apple-music.live") {
			b.Fatal("no match")
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	e := testEvent()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Encode(); err != nil {
			b.Fatal(err)
		}
	}
}
