package webhook_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"tonegrid/webhook"
)

func TestValidEventType(t *testing.T) {
	for _, typ := range webhook.EventTypes {
		if !webhook.ValidEventType(typ) {
			t.Errorf("ValidEventType(%q) = false, want true", typ)
		}
	}
	for _, status := range webhook.DSPStatuses {
		typ := webhook.DSPEventType("apple-music", status)
		if !webhook.ValidEventType(typ) {
			t.Errorf("ValidEventType(%q) = false, want true", typ)
		}
	}
	for _, typ := range []string{
		"", "release", "release.", "release.updated", "Release.created", "release.created.",
		"release.dsp.spotify", "release.dsp.spotify.sent", "release.dsp..live", "release.dsp.-x.live",
		"release.dsp.Spotify.live", "release.dsp.spot.ify.live", "release.dsp.*.live",
		"release.dsp." + strings.Repeat("a", 65) + ".live", "webhook.test ", "payout.*",
	} {
		if webhook.ValidEventType(typ) {
			t.Errorf("ValidEventType(%q) = true, want false", typ)
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, event string
		want           bool
	}{
		{"*", "release.created", true},
		{"*", "release.dsp.spotify.live", true},
		{"*", "", false},
		{"release.created", "release.created", true},
		{"release.created", "release.approved", false},
		{"ingestion.*", "ingestion.completed", true},
		{"ingestion.*", "ingestion.failed", true},
		{"ingestion.*", "ingestion", false},
		{"ingestion.*", "release.created", false},
		{"release.dsp.*.*", "release.dsp.spotify.live", true},
		{"release.dsp.*.*", "release.dsp.apple-music.taken_down", true},
		{"release.dsp.*.*", "release.created", false},
		{"release.dsp.*.live", "release.dsp.deezer.live", true},
		{"release.dsp.*.live", "release.dsp.deezer.failed", false},
		{"release.dsp.spotify.*", "release.dsp.spotify.queued", true},
		{"release.dsp.spotify.*", "release.dsp.tidal.queued", false},
		// A trailing * is one segment, never more.
		{"release.*", "release.created", true},
		{"release.*", "release.dsp.spotify.live", false},
		{"release.dsp.*", "release.dsp.spotify.live", false},
		{"*.approved", "statement.approved", true},
		{"*.approved", "payee_statement.approved", true},
		{"*.approved", "release.dsp.x.approved", false},
		{"*.*", "payout.paid", true},
		{"release.*.*", "release.dsp.spotify", true},
		{"release.created", "release.created.extra", false},
		{"release.created.extra", "release.created", false},
		{"release.*", "release.", false},
		{"release..created", "release..created", false},
		{"", "", false},
	} {
		if got := webhook.Match(tc.pattern, tc.event); got != tc.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.event, got, tc.want)
		}
	}
}

func TestMatchAny(t *testing.T) {
	patterns := []string{"release.created", "ingestion.*"}
	if !webhook.MatchAny(patterns, "ingestion.failed") {
		t.Errorf("MatchAny(%v, ingestion.failed) = false", patterns)
	}
	if webhook.MatchAny(patterns, "payout.paid") {
		t.Errorf("MatchAny(%v, payout.paid) = true", patterns)
	}
	if webhook.MatchAny(nil, "payout.paid") {
		t.Errorf("MatchAny(nil, payout.paid) = true")
	}
}

func TestValidPattern(t *testing.T) {
	valid := []string{
		"*", "*.*", "*.approved", "release.*", "release.created", "ingestion.*",
		"release.dsp.*.*", "release.dsp.spotify.*", "release.dsp.*.taken_down", "release.dsp.apple-music.live",
		"*.dsp.*.*", "*.*.*.*", "release.dsp.my_store.queued", "webhook.test", "payee_statement.*",
	}
	for _, p := range valid {
		if !webhook.ValidPattern(p) {
			t.Errorf("ValidPattern(%q) = false, want true", p)
		}
	}
	invalid := []string{
		"", ".", "**", "*.", ".*", "release.", "release..created", "release.**",
		"foo.*", "foo.bar", "releases.*", "release.updated", "release.dsp.*", "release.dsp",
		"release.*.*", "release.dsp.*.sent", "release.dsp.*.*.*", "*.*.*", "*.*.*.*.*",
		"Release.created", "release.Created", "release.dsp.Spotify.*", "release.dsp.-x.*",
		"release created", "release.created ", " release.created", "release/created",
		"release.dsp.spöt.*", "release.created\x00", "release.c*", "re*.created",
		"release.dsp." + strings.Repeat("a", 65) + ".*",
		strings.Repeat("*.", 64) + "*",
	}
	for _, p := range invalid {
		if webhook.ValidPattern(p) {
			t.Errorf("ValidPattern(%q) = true, want false", p)
		}
	}
}

// The contract's examples keep their documented meaning.
func TestContractPatternExamples(t *testing.T) {
	for _, p := range []string{"release.dsp.*.*", "ingestion.*", "*"} {
		if !webhook.ValidPattern(p) {
			t.Errorf("ValidPattern(%q) = false", p)
		}
	}
	every := append([]string(nil), webhook.EventTypes...)
	for _, status := range webhook.DSPStatuses {
		every = append(every, webhook.DSPEventType("spotify", status))
	}
	for _, typ := range every {
		if !webhook.Match("*", typ) {
			t.Errorf("Match(*, %q) = false", typ)
		}
		wantDSP := strings.HasPrefix(typ, "release.dsp.")
		if got := webhook.Match("release.dsp.*.*", typ); got != wantDSP {
			t.Errorf("Match(release.dsp.*.*, %q) = %v, want %v", typ, got, wantDSP)
		}
		wantIngestion := strings.HasPrefix(typ, "ingestion.")
		if got := webhook.Match("ingestion.*", typ); got != wantIngestion {
			t.Errorf("Match(ingestion.*, %q) = %v, want %v", typ, got, wantIngestion)
		}
	}
}

// testEvent is an event every field of which is set.
func testEvent() webhook.Event {
	return webhook.Event{
		ID:         "0198f5a4-7c2e-7b3a-9f00-2b1f3c4d5e6f",
		Type:       webhook.EventReleaseApproved,
		CreatedAt:  time.Date(2026, 11, 3, 20, 26, 10, 344522789, time.FixedZone("CET", 3600)),
		TenantUUID: "0198f5a4-0000-7000-8000-000000000001",
		Data:       json.RawMessage(`{ "uuid": "r-1", "title": "Café <live> & more" }`),
	}
}

func TestEventEncode(t *testing.T) {
	body, err := testEvent().Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	want := `{"id":"0198f5a4-7c2e-7b3a-9f00-2b1f3c4d5e6f","type":"release.approved",` +
		`"created_at":"2026-11-03T19:26:10.344522Z","tenant_uuid":"0198f5a4-0000-7000-8000-000000000001",` +
		`"data":{"uuid":"r-1","title":"Café \u003clive\u003e \u0026 more"}}`
	if string(body) != want {
		t.Fatalf("Encode =\n%s\nwant\n%s", body, want)
	}
	decoded, err := webhook.DecodeEvent(body)
	if err != nil {
		t.Fatalf("DecodeEvent(Encode()): %v", err)
	}
	again, err := decoded.Encode()
	if err != nil {
		t.Fatalf("Encode(DecodeEvent(Encode())): %v", err)
	}
	if string(again) != string(body) {
		t.Errorf("re-encoding changed the bytes:\n%s\n%s", again, body)
	}
}

func TestEventEncodeNilData(t *testing.T) {
	e := testEvent()
	e.Data = nil
	body, err := e.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	if !strings.HasSuffix(string(body), `"data":{}}`) {
		t.Errorf("Encode with nil data = %s, want data {}", body)
	}
}

func TestEventEncodeRefusesInvalid(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(e *webhook.Event)
	}{
		{"no id", func(e *webhook.Event) { e.ID = "" }},
		{"id with dot", func(e *webhook.Event) { e.ID = "evt.1" }},
		{"unknown type", func(e *webhook.Event) { e.Type = "release.updated" }},
		{"pattern as type", func(e *webhook.Event) { e.Type = "release.*" }},
		{"no time", func(e *webhook.Event) { e.CreatedAt = time.Time{} }},
		{"no tenant", func(e *webhook.Event) { e.TenantUUID = "" }},
		{"data array", func(e *webhook.Event) { e.Data = json.RawMessage(`[1]`) }},
		{"data null", func(e *webhook.Event) { e.Data = json.RawMessage(`null`) }},
		{"data broken", func(e *webhook.Event) { e.Data = json.RawMessage(`{"a":`) }},
		{"data empty", func(e *webhook.Event) { e.Data = json.RawMessage(``) }},
		{"year out of range", func(e *webhook.Event) { e.CreatedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := testEvent()
			tc.edit(&e)
			body, err := e.Encode()
			if !errors.Is(err, webhook.ErrInvalidEvent) {
				t.Errorf("Encode = %s, %v; want ErrInvalidEvent", body, err)
			}
		})
	}
}

func TestDecodeEventRefusesInvalid(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `{}`, `{"id":"e1","type":"payout.paid","created_at":"2026-01-01T00:00:00Z","tenant_uuid":"t"}`,
		`{"id":"e1","type":"payout.paid","created_at":"2026-01-01T00:00:00Z","tenant_uuid":"t","data":[]}`,
		`{"id":"e1","type":"payout.nope","created_at":"2026-01-01T00:00:00Z","tenant_uuid":"t","data":{}}`,
		`{"id":"e1","type":"payout.paid","created_at":"yesterday","tenant_uuid":"t","data":{}}`,
	} {
		if e, err := webhook.DecodeEvent([]byte(body)); !errors.Is(err, webhook.ErrInvalidEvent) {
			t.Errorf("DecodeEvent(%s) = %+v, %v; want ErrInvalidEvent", body, e, err)
		}
	}
}
