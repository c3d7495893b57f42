package ddex

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBatchNames(t *testing.T) {
	id := BatchID(time.Date(2024, 6, 1, 14, 0, 0, 41_999_999, time.FixedZone("CEST", 2*3600)))
	checks := []struct{ what, got, want string }{
		{"batch id", id, "20240601120000041"},
		{"batch folder", BatchFolder(id, PriorityNone), "N_20240601120000041"},
		{"manifest", ManifestFileName(id), "BatchComplete_20240601120000041.xml"},
		{"release folder", ReleaseFolder("0123456789012"), "0123456789012"},
		{"message file", MessageFileName("0123456789012"), "0123456789012.xml"},
		{"message path", MessagePath("0123456789012"), "./0123456789012/0123456789012.xml"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
}

// testBatch is a batch of a delivery and a takedown built from real
// messages.
func testBatch(t testing.TB) Batch {
	t.Helper()
	single := newTestRelease(releaseOptions{})
	msg, err := NewReleaseMessage(newTestMessage(single, mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming}, Release: single})))
	if err != nil {
		t.Fatal(err)
	}
	gone := newTestRelease(releaseOptions{upc: "0098765432109"})
	takedown, err := TakedownMessage(newTestMessage(gone, nil), TakedownWithoutDeals)
	if err != nil {
		t.Fatal(err)
	}
	return Batch{
		ID: BatchID(testCreatedAt), Priority: PriorityMixed, Sender: testSender, Recipient: testRecipient,
		CreatedAt: testCreatedAt, Test: true,
		Messages: []BatchEntry{msg.Entry(NewReleaseDelivery), takedown.Entry(TakeDown)},
	}
}

func TestBatchManifestGolden(t *testing.T) {
	got, err := BatchManifest(testBatch(t))
	if err != nil {
		t.Fatalf("BatchManifest: %v", err)
	}
	checkGolden(t, "batch-manifest.xml", got)
}

func TestBatchManifestRoundTrip(t *testing.T) {
	b := testBatch(t)
	out, err := BatchManifest(b)
	if err != nil {
		t.Fatalf("BatchManifest: %v", err)
	}
	if !strings.Contains(string(out), `<ern-c-sftp:ManifestMessage xmlns:ern-c-sftp="`+ManifestNamespace+`"`) {
		t.Errorf("root element is not ern-c-sftp:ManifestMessage in %s:\n%s", ManifestNamespace, out[:200])
	}
	var doc sftpManifestMessage
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("parse own manifest: %v", err)
	}
	if doc.RootDirectory != "M_20250314092653589" || doc.NumberOfMessages != 2 || !doc.IsTestFlag {
		t.Errorf("root %q, %d messages, test %v; want M_20250314092653589, 2, true", doc.RootDirectory, doc.NumberOfMessages, doc.IsTestFlag)
	}
	for i, m := range doc.MessageInBatch {
		want := b.Messages[i]
		if m.MessageID != want.MessageID || m.IncludedReleaseID[0].ICPN != want.ICPN ||
			m.DeliveryType != string(want.DeliveryType) || m.HashSum.HashSumValue != want.MD5 || m.URL != MessagePath(want.ICPN) {
			t.Errorf("message %d = %+v, want %+v", i+1, m, want)
		}
	}
}

func TestBatchManifestRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(b *Batch)
		want   string
	}{
		{"bad id", func(b *Batch) { b.ID = "2024-06-01" }, "batch id"},
		{"bad priority", func(b *Batch) { b.Priority = "X" }, "priority"},
		{"no messages", func(b *Batch) { b.Messages = nil }, "no messages"},
		{"same release twice", func(b *Batch) { b.Messages[1].ICPN = b.Messages[0].ICPN }, "repeats release"},
		{"unknown delivery type", func(b *Batch) { b.Messages[0].DeliveryType = "Purge" }, "delivery type"},
		{"bad hash", func(b *Batch) { b.Messages[0].MD5 = "ABC" }, "MD5"},
		{"bad recipient", func(b *Batch) { b.Recipient.DPID = "" }, "recipient DPID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := testBatch(t)
			tt.change(&b)
			_, err := BatchManifest(b)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}
