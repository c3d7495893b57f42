package ddex

import (
	"strings"
	"testing"
)

// BenchmarkNewReleaseMessage builds and serializes a 20-track, two-disc
// album with localized titles and three deals.
func BenchmarkNewReleaseMessage(b *testing.B) {
	rel := albumRelease()
	in := newTestMessage(rel, mustDeals(b, DealOptions{Kinds: []DealKind{DealStreaming, DealDownload, DealUGC}, Release: rel}))
	b.ReportAllocs()
	var size int
	for b.Loop() {
		msg, err := NewReleaseMessage(in)
		if err != nil {
			b.Fatal(err)
		}
		size = len(msg.XML)
	}
	b.ReportMetric(float64(size), "xml-bytes")
}

// BenchmarkParseAcknowledgement parses a one-release rejection.
func BenchmarkParseAcknowledgement(b *testing.B) {
	doc := ackWith(releaseStatus("0123456789012", "ProcessingErrorAtReleaseDistributor", "<ErrorText>missing</ErrorText>", "ResourceMissing|track 3"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAcknowledgement(strings.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
}
