package ddex

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

func TestPurgeReleaseRoundTrip(t *testing.T) {
	in := testPurge()
	out, err := PurgeReleaseMessage(in)
	if err != nil {
		t.Fatalf("PurgeReleaseMessage: %v", err)
	}
	var doc ernPurgeReleaseMessage
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("parse own output: %v", err)
	}
	pr := doc.PurgedRelease
	if pr.ReleaseID.ICPN != in.Release.UPC || pr.Title[0].TitleText != "Corrupt & Gone" || len(pr.Contributor) != 2 {
		t.Errorf("purged release = %+v, want ICPN %s, the title and two contributors", pr, in.Release.UPC)
	}
	if !pr.Contributor[1].HasMadeFeaturedContribution || pr.Contributor[0].HasMadeFeaturedContribution {
		t.Error("only the featured artist should be marked as a featured contribution")
	}
	if doc.MessageHeader.MessageControlType != string(LiveMessage) {
		t.Errorf("control type %q, want LiveMessage", doc.MessageHeader.MessageControlType)
	}
}

func TestPurgeReleaseRefusals(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *Purge)
		want   string
	}{
		{"no release", func(in *Purge) { in.Release = nil }, "no release"},
		{"bad UPC", func(in *Purge) { in.Release.UPC = "" }, "UPC"},
		{"no title", func(in *Purge) { in.Release.Title = "  " }, "no title"},
		{"bad recipient", func(in *Purge) { in.Recipient.DPID = "PADPIDA" }, "recipient DPID"},
		{"nameless artist", func(in *Purge) { in.Release.Artists[0].Name = "" }, "artist 1 has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := testPurge()
			tt.change(&in)
			_, err := PurgeReleaseMessage(in)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}
