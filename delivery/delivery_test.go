package delivery

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/ddex"
	"tonegrid/delivery/transport"
)

func TestBackoffDoublesUpToAnHour(t *testing.T) {
	s := New(nil, nil, Config{RetryBase: time.Second}, nil)
	want := map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 5: 16 * time.Second, 20: time.Hour, 100: time.Hour}
	for attempt, w := range want {
		if got := s.backoff(attempt); got != w {
			t.Errorf("backoff(%d) = %s, want %s", attempt, got, w)
		}
	}
}

func TestPermanentFailures(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("send: %w", errors.New("connection reset")), false},
		{&permanentError{errors.New("media gone")}, true},
		{invalid(fmt.Errorf("build: %w", ddex.ErrInvalid)), true},
		{fmt.Errorf("dial: %w", transport.ErrInvalidConfig), true},
		{fmt.Errorf("send: %w", &transport.FileError{Path: "x", Err: errors.New("eof")}), false},
	}
	for _, c := range cases {
		if got := permanent(c.err); got != c.want {
			t.Errorf("permanent(%v) = %v, want %v", c.err, got, c.want)
		}
	}
	// A message that cannot be built is the catalogue's release_invalid.
	if e, ok := tonegrid.ErrorOf(invalid(fmt.Errorf("build: %w", ddex.ErrInvalid))); !ok || e.Code != "release_invalid" {
		t.Errorf("invalid() is not release_invalid: %v", e)
	}
}

func TestTruncateKeepsRunes(t *testing.T) {
	s := strings.Repeat("é", 10) // 20 bytes
	if got := truncate(s, 5); got != "éé" {
		t.Errorf("truncate = %q", got)
	}
	if got := truncate("short", 100); got != "short" {
		t.Errorf("truncate = %q", got)
	}
}

func TestDealKindsPerStore(t *testing.T) {
	cases := map[string][]ddex.DealKind{
		"spotify":     {ddex.DealStreaming},
		"tiktok":      {ddex.DealUGC},
		"apple-music": {ddex.DealStreaming, ddex.DealDownload},
		"new-store":   {ddex.DealStreaming, ddex.DealDownload},
	}
	for slug, want := range cases {
		if got := kindsOf(slug); !reflect.DeepEqual(got, want) {
			t.Errorf("kindsOf(%s) = %v, want %v", slug, got, want)
		}
	}
}

func TestAckFolder(t *testing.T) {
	for protocol, want := range map[string]string{"dir": "acks", "sftp": "acknowledgements", "s3": "acknowledgements"} {
		if got := AckFolder(protocol); got != want {
			t.Errorf("AckFolder(%s) = %s, want %s", protocol, got, want)
		}
	}
}

func TestCheckEndpoint(t *testing.T) {
	s := New(nil, nil, Config{}, nil)
	if err := s.checkEndpoint(tonegrid.DSPDelivery{Protocol: "dir"}); err != nil {
		t.Errorf("dir: %v", err)
	}
	good := tonegrid.DSPDelivery{Protocol: "sftp", SFTP: tonegrid.DSPSFTP{Host: "sftp.example.com", User: "u", Password: "p",
		HostKeyFingerprint: "SHA256:" + strings.Repeat("A", 43)}}
	if err := s.checkEndpoint(good); err != nil {
		t.Errorf("good sftp: %v", err)
	}
	cases := map[string]tonegrid.DSPDelivery{
		"delivery.protocol":                  {Protocol: "ftp"},
		"delivery.sftp.host":                 {Protocol: "sftp", SFTP: tonegrid.DSPSFTP{User: "u", Password: "p", HostKeyFingerprint: good.SFTP.HostKeyFingerprint}},
		"delivery.sftp.host_key_fingerprint": {Protocol: "sftp", SFTP: tonegrid.DSPSFTP{Host: "h", User: "u", Password: "p", HostKeyFingerprint: "MD5:xx"}},
		"delivery.s3.bucket":                 {Protocol: "s3"},
	}
	for field, ep := range cases {
		err := s.checkEndpoint(ep)
		e, ok := tonegrid.ErrorOf(err)
		if !ok || e.Code != "validation_failed" || len(e.Fields[field]) == 0 {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func TestKeepSecrets(t *testing.T) {
	old := tonegrid.DSPDelivery{Protocol: "sftp", SFTP: tonegrid.DSPSFTP{Host: "a", Password: "pw", PrivateKey: "key"}}
	next := tonegrid.DSPDelivery{Protocol: "sftp", SFTP: tonegrid.DSPSFTP{Host: "b", Password: "new"}}
	next.KeepSecrets(old)
	if next.SFTP.Host != "b" || next.SFTP.Password != "new" || next.SFTP.PrivateKey != "key" {
		t.Errorf("same protocol: %+v", next.SFTP)
	}
	s3 := tonegrid.DSPDelivery{Protocol: "s3"}
	s3.KeepSecrets(old)
	if s3.SFTP.Password != "" {
		t.Errorf("another protocol inherited credentials: %+v", s3)
	}
}

func TestAckResults(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<ern-c-sftp:AcknowledgementMessage xmlns:ern-c-sftp="http://ddex.net/xml/ern-c-sftp/18" AvsVersionId="3">
  <MessageHeader><MessageId>A1</MessageId><MessageSender><PartyId>PADPIDA1S</PartyId></MessageSender>
    <MessageRecipient><PartyId>PADPIDA1T</PartyId></MessageRecipient><MessageCreatedDateTime>2026-01-01T00:00:00Z</MessageCreatedDateTime></MessageHeader>
  <ReleaseStatus><ReleaseId><ICPN>0123456789012</ICPN></ReleaseId><ReleaseStatus>SuccessfullyIngestedByReleaseDistributor</ReleaseStatus>
    <Acknowledgement><MessageType>NewReleaseMessage</MessageType><BatchId>1</BatchId><MessageId>TG-1</MessageId>
      <MessageStatus><Status>FileOK</Status></MessageStatus></Acknowledgement></ReleaseStatus>
  <ReleaseStatus><ReleaseId><ICPN>0123456789029</ICPN></ReleaseId><ReleaseStatus>ProcessingErrorAtReleaseDistributor</ReleaseStatus>
    <ErrorText>cover too small</ErrorText></ReleaseStatus>
</ern-c-sftp:AcknowledgementMessage>`
	got, err := ackResults(transport.Ack{Name: "ACK_1.xml", Body: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got[0].Live || got[0].ICPN != "0123456789012" || !reflect.DeepEqual(got[0].MessageIDs, []string{"TG-1"}) ||
		got[1].Live || !strings.Contains(got[1].Reason, "cover too small") {
		t.Errorf("results %+v", got)
	}
	if _, err := ackResults(transport.Ack{Name: "ACK_2.xml", Body: []byte("<nope/>")}); err == nil {
		t.Error("a document that is not an acknowledgement was read")
	}
	if _, err := ackResults(transport.Ack{Name: "ACK_3.xml", Err: transport.ErrAckTooLarge}); !errors.Is(err, transport.ErrAckTooLarge) {
		t.Errorf("too large: %v", err)
	}
}
