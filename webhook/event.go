package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The event types of the contract (API.md §3 Webhooks). Store events are
// built with DSPEventType.
const (
	EventReleaseCreated         = "release.created"
	EventReleaseSubmitted       = "release.submitted"
	EventReleaseApproved        = "release.approved"
	EventReleaseRejected        = "release.rejected"
	EventReleaseDeleted         = "release.deleted"
	EventReleaseTakenDown       = "release.taken_down"
	EventTrackAudioProcessed    = "track.audio_processed"
	EventIngestionCompleted     = "ingestion.completed"
	EventIngestionFailed        = "ingestion.failed"
	EventStatementApproved      = "statement.approved"
	EventPayeeStatementApproved = "payee_statement.approved"
	EventPayoutPaid             = "payout.paid"
	EventWebhookTest            = "webhook.test"
)

// The statuses a release takes at one store, the last segment of
// "release.dsp.<slug>.<status>".
const (
	DSPStatusQueued    = "queued"
	DSPStatusDelivered = "delivered"
	DSPStatusFailed    = "failed"
	DSPStatusLive      = "live"
	DSPStatusRejected  = "rejected"
	DSPStatusTakenDown = "taken_down"
)

// EventTypes lists the event types without a store in them, in contract order.
var EventTypes = []string{
	EventReleaseCreated, EventReleaseSubmitted, EventReleaseApproved, EventReleaseRejected,
	EventReleaseDeleted, EventReleaseTakenDown, EventTrackAudioProcessed,
	EventIngestionCompleted, EventIngestionFailed, EventStatementApproved,
	EventPayeeStatementApproved, EventPayoutPaid, EventWebhookTest,
}

// DSPStatuses lists the store statuses in contract order.
var DSPStatuses = []string{
	DSPStatusQueued, DSPStatusDelivered, DSPStatusFailed, DSPStatusLive, DSPStatusRejected, DSPStatusTakenDown,
}

// dspEventPrefix starts every store event type.
const dspEventPrefix = "release.dsp."

// Length limits of event types, patterns and their segments.
const (
	maxEventTypeLen = 128
	maxSlugLen      = 64
)

// DSPEventType returns "release.dsp.<slug>.<status>", the event of a release
// changing status at one store. It does not check its arguments;
// ValidEventType does.
func DSPEventType(slug, status string) string {
	return dspEventPrefix + slug + "." + status
}

// ValidEventType reports whether t is an event type of the contract: one of
// EventTypes, or "release.dsp.<slug>.<status>" with a store slug (1 to 64 of
// a-z, 0-9, '-' and '_', starting with a letter or digit) and one of
// DSPStatuses.
func ValidEventType(t string) bool {
	if len(t) > maxEventTypeLen {
		return false
	}
	for _, known := range EventTypes {
		if t == known {
			return true
		}
	}
	rest, ok := strings.CutPrefix(t, dspEventPrefix)
	if !ok {
		return false
	}
	slug, status, ok := strings.Cut(rest, ".")
	return ok && validSlug(slug) && validDSPStatus(status)
}

// validSlug reports whether s can be a store slug.
func validSlug(s string) bool {
	if s == "" || len(s) > maxSlugLen || s[0] == '-' || s[0] == '_' {
		return false
	}
	return validSegment(s)
}

// validDSPStatus reports whether s is one of DSPStatuses.
func validDSPStatus(s string) bool {
	for _, status := range DSPStatuses {
		if s == status {
			return true
		}
	}
	return false
}

// validSegment reports whether s is a non-empty run of a-z, 0-9, '-' and
// '_', the characters event types are written with.
func validSegment(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Match reports whether eventType is selected by pattern. A pattern is an
// event type in which any segment may be "*", matching exactly one segment
// of any value: "ingestion.*" matches "ingestion.failed", "release.dsp.*.*"
// matches "release.dsp.spotify.live", and "release.*" matches
// "release.created" but NOT "release.dsp.spotify.live" (four segments). The
// lone pattern "*" is the exception: it matches every event type. Match
// compares text only; patterns are checked once, with ValidPattern, when a
// subscription is saved.
func Match(pattern, eventType string) bool {
	if pattern == "*" {
		return eventType != ""
	}
	for {
		p, pRest, pMore := strings.Cut(pattern, ".")
		e, eRest, eMore := strings.Cut(eventType, ".")
		if e == "" || (p != "*" && p != e) {
			return false
		}
		if !pMore || !eMore {
			return pMore == eMore
		}
		pattern, eventType = pRest, eRest
	}
}

// MatchAny reports whether eventType is selected by any of patterns.
func MatchAny(patterns []string, eventType string) bool {
	for _, p := range patterns {
		if Match(p, eventType) {
			return true
		}
	}
	return false
}

// ValidPattern reports whether p may be saved in a subscription: "*", or
// dot-separated segments that are each "*" or a run of a-z, 0-9, '-' and '_'
// (no empty segment), at most 128 bytes, that together match at least one
// event type of the contract. So "release.dsp.*.*", "release.dsp.spotify.*",
// "*.approved" and "ingestion.*" are valid, while "foo.*" (unknown prefix),
// "release.dsp.*" (store events have four segments), "release.dsp.*.sent"
// (unknown status), "release..created" and "Release.created" are not.
func ValidPattern(p string) bool {
	if p == "*" {
		return true
	}
	if len(p) > maxEventTypeLen {
		return false
	}
	segs := strings.Split(p, ".")
	for _, s := range segs {
		if s != "*" && !validSegment(s) {
			return false
		}
	}
	for _, known := range EventTypes {
		if Match(p, known) {
			return true
		}
	}
	if len(segs) != 4 {
		return false
	}
	return (segs[0] == "*" || segs[0] == "release") &&
		(segs[1] == "*" || segs[1] == "dsp") &&
		(segs[2] == "*" || validSlug(segs[2])) &&
		(segs[3] == "*" || validDSPStatus(segs[3]))
}

// Event is the body of every delivery: what happened (Type), to which tenant,
// when, with the event's own Data. ID is the event's id, which callers also
// use as the webhook-id of its deliveries.
type Event struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	CreatedAt  time.Time       `json:"created_at"`
	TenantUUID string          `json:"tenant_uuid"`
	Data       json.RawMessage `json:"data"`
}

// ErrInvalidEvent means an event cannot be encoded or decoded: a field is
// missing, the type is unknown, or data is not a JSON object.
var ErrInvalidEvent = errors.New("webhook: invalid event")

// Encode returns the event's body, the exact bytes to sign, store and send:
// compact JSON with the fields in the order id, type, created_at,
// tenant_uuid, data; created_at in UTC as RFC 3339 with at most microsecond
// precision (what the databases keep); nil Data as {}. Encoding the same
// event, or an event read back from its encoding, gives the same bytes.
func (e Event) Encode() ([]byte, error) {
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	data := e.Data
	if data == nil {
		data = json.RawMessage("{}")
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		return nil, fmt.Errorf("encode event: %w: data: %w", ErrInvalidEvent, err)
	}
	if compact.Len() == 0 || compact.Bytes()[0] != '{' {
		return nil, fmt.Errorf("encode event: %w: data is not a JSON object", ErrInvalidEvent)
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(time.Microsecond)
	e.Data = compact.Bytes()
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w: %w", ErrInvalidEvent, err)
	}
	return body, nil
}

// DecodeEvent parses a delivery body, as a receiver or a redelivery would.
func DecodeEvent(body []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		return Event{}, fmt.Errorf("decode event: %w: %w", ErrInvalidEvent, err)
	}
	if err := e.check(); err != nil {
		return Event{}, fmt.Errorf("decode event: %w", err)
	}
	if len(e.Data) == 0 || e.Data[0] != '{' {
		return Event{}, fmt.Errorf("decode event: %w: data is not a JSON object", ErrInvalidEvent)
	}
	return e, nil
}

// check reports the first missing or invalid field.
func (e Event) check() error {
	switch {
	case !validMessageID(e.ID):
		return fmt.Errorf("%w: id %q", ErrInvalidEvent, e.ID)
	case !ValidEventType(e.Type):
		return fmt.Errorf("%w: type %q", ErrInvalidEvent, e.Type)
	case e.CreatedAt.IsZero():
		return fmt.Errorf("%w: created_at missing", ErrInvalidEvent)
	case e.TenantUUID == "":
		return fmt.Errorf("%w: tenant_uuid missing", ErrInvalidEvent)
	}
	return nil
}
