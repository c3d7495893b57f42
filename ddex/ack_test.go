package ddex

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

const ackHeader = `<?xml version="1.0" encoding="UTF-8"?>
<ern-c-sftp:AcknowledgementMessage xmlns:ern-c-sftp="http://ddex.net/xml/ern-c-sftp/18" AvsVersionId="3">
  <MessageHeader>
    <MessageId>ACK-42</MessageId>
    <MessageSender><PartyId>PADPIDA2024020202S</PartyId><PartyName><FullName>Example Store</FullName></PartyName></MessageSender>
    <MessageRecipient><PartyId>PADPIDA2024010101T</PartyId></MessageRecipient>
    <MessageCreatedDateTime>2025-03-15T10:00:00Z</MessageCreatedDateTime>
  </MessageHeader>
`

const ackFooter = `</ern-c-sftp:AcknowledgementMessage>
`

// ackWith wraps ReleaseStatus blocks in an AcknowledgementMessage.
func ackWith(statuses ...string) string { return ackHeader + strings.Join(statuses, "\n") + ackFooter }

func releaseStatus(icpn, supply, extra string, fileStatuses ...string) string {
	var b strings.Builder
	b.WriteString("<ReleaseStatus><ReleaseId><ICPN>" + icpn + "</ICPN></ReleaseId>")
	b.WriteString("<ReleaseStatus>" + supply + "</ReleaseStatus>" + extra)
	if len(fileStatuses) > 0 {
		b.WriteString("<Acknowledgement><MessageType>NewReleaseMessage</MessageType><BatchId>20250314092653589</BatchId><MessageId>TG-" + icpn + "-1</MessageId>")
		for _, s := range fileStatuses {
			status, info, _ := strings.Cut(s, "|")
			b.WriteString("<MessageStatus><Status>" + status + "</Status>")
			if info != "" {
				b.WriteString("<Information>" + info + "</Information>")
			}
			b.WriteString("</MessageStatus>")
		}
		b.WriteString("</Acknowledgement>")
	}
	b.WriteString("</ReleaseStatus>")
	return b.String()
}

func TestParseAcknowledgement(t *testing.T) {
	tests := []struct {
		name        string
		xml         string
		wantOutcome Outcome
		wantReason  string
	}{
		{"ingested", ackWith(releaseStatus("0123456789012", "SuccessfullyIngestedByReleaseDistributor", "", "FileOK")), OutcomeLive, ""},
		{"made available", ackWith(releaseStatus("0123456789012", "ReleaseMadeAvailableToConsumers", "")), OutcomeLive, ""},
		{
			"processing error with text",
			ackWith(releaseStatus("0123456789012", "ProcessingErrorAtReleaseDistributor",
				"<ErrorText>Audio for track 3 is missing</ErrorText><ProposedActionType>ResendXmlAndResources</ProposedActionType>"+
					"<ManualCheckRequired>false</ManualCheckRequired><AffectedResource><ISRC>QZABC2500003</ISRC></AffectedResource>",
				"ResourceMissing|resources/0123456789012_01_003.flac not found")),
			OutcomeRejected,
			"ProcessingErrorAtReleaseDistributor; ResourceMissing: resources/0123456789012_01_003.flac not found; Audio for track 3 is missing; affected: QZABC2500003",
		},
		{"bad file status only", ackWith(releaseStatus("0123456789012", "ReleaseReceivedByReleaseDistributor", "", "FileOK", "SignatureOrHashSumWrongOrMissing")), OutcomeRejected, "SignatureOrHashSumWrongOrMissing"},
		{"rights conflict", ackWith(releaseStatus("0123456789012", "RightsConflict", "")), OutcomeRejected, "RightsConflict"},
		{"received, in progress", ackWith(releaseStatus("0123456789012", "ReleaseReceivedByReleaseDistributor", "", "FileOK")), OutcomePending, "ReleaseReceivedByReleaseDistributor"},
		{"user defined status, file ok", ackWith(releaseStatus("0123456789012", `UserDefined`, "", "FileOK")), OutcomeLive, ""},
		{"nothing known", ackWith(releaseStatus("0123456789012", "", "")), OutcomePending, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ack, err := ParseAcknowledgement(strings.NewReader(tt.xml))
			if err != nil {
				t.Fatalf("ParseAcknowledgement: %v", err)
			}
			if ack.MessageID != "ACK-42" || ack.SenderDPID != "PADPIDA2024020202S" || ack.CreatedAt != "2025-03-15T10:00:00Z" {
				t.Errorf("header = %q %q %q", ack.MessageID, ack.SenderDPID, ack.CreatedAt)
			}
			if len(ack.Releases) != 1 {
				t.Fatalf("%d releases, want 1", len(ack.Releases))
			}
			r := ack.Releases[0]
			if r.ICPN != "0123456789012" {
				t.Errorf("ICPN = %q", r.ICPN)
			}
			if r.Outcome != tt.wantOutcome || r.Reason != tt.wantReason {
				t.Errorf("outcome %s, reason %q; want %s, %q", r.Outcome, r.Reason, tt.wantOutcome, tt.wantReason)
			}
		})
	}
}

func TestParseAcknowledgementDetails(t *testing.T) {
	doc := ackWith(
		releaseStatus("0123456789012", "ProcessingErrorAtReleaseDistributor",
			"<ErrorText> bad </ErrorText><ProposedActionType>ResendXmlOnly</ProposedActionType><ManualCheckRequired>true</ManualCheckRequired>",
			"NewReleaseMessageInvalid|line 3"),
		`<ReleaseStatus><ReleaseId><GRid>A10302B0001234567C</GRid></ReleaseId><ReleaseStatus UserDefinedValue="Queued">UserDefined</ReleaseStatus></ReleaseStatus>`,
	)
	ack, err := ParseAcknowledgement(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	first := ack.Releases[0]
	wantMessages := []MessageAcknowledgement{{MessageID: "TG-0123456789012-1", BatchID: "20250314092653589", Statuses: []string{"NewReleaseMessageInvalid"}, Information: []string{"line 3"}}}
	if first.ErrorText != "bad" || first.ProposedAction != "ResendXmlOnly" || !first.ManualCheckRequired || !reflect.DeepEqual(first.Messages, wantMessages) {
		t.Errorf("first release = %+v", first)
	}
	second := ack.Releases[1]
	if second.GRid != "A10302B0001234567C" || second.SupplyChainStatus != "Queued" || second.Outcome != OutcomePending {
		t.Errorf("second release = %+v, want GRid, Queued, pending", second)
	}
}

func TestParseAcknowledgementMessageLevel(t *testing.T) {
	doc := ackHeader + `<Acknowledgement><MessageType>NewReleaseMessage</MessageType><MessageId>TG-1</MessageId>` +
		`<MessageStatus><Status>ResourceCorrupt</Status><StatusMessage>bad flac</StatusMessage></MessageStatus></Acknowledgement>` + ackFooter
	ack, err := ParseAcknowledgement(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []MessageAcknowledgement{{MessageID: "TG-1", Statuses: []string{"ResourceCorrupt"}, Information: []string{"bad flac"}}}
	if !reflect.DeepEqual(ack.Messages, want) || len(ack.Releases) != 0 {
		t.Errorf("messages = %+v, releases = %+v; want %+v and none", ack.Messages, ack.Releases, want)
	}
}

func TestParseAcknowledgementRefusals(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"not XML", "hello", "EOF"},
		{"truncated", ackHeader, "EOF"},
		{"another message", `<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43"/>`, "not an AcknowledgementMessage"},
		{"too large", ackHeader + strings.Repeat(" ", MaxAcknowledgementSize) + ackFooter, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAcknowledgement(strings.NewReader(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	_, err := ParseAcknowledgement(strings.NewReader(`<NewReleaseMessage/>`))
	if !errors.Is(err, ErrNotAcknowledgement) {
		t.Errorf("err = %v, want ErrNotAcknowledgement", err)
	}
}

func TestReasonIsBounded(t *testing.T) {
	long := strings.Repeat("é", maxReasonLength)
	ack, err := ParseAcknowledgement(strings.NewReader(ackWith(releaseStatus("1", "RightsConflict", "<ErrorText>"+long+"</ErrorText>"))))
	if err != nil {
		t.Fatal(err)
	}
	r := ack.Releases[0].Reason
	if len(r) > maxReasonLength || !utf8.ValidString(r) || !strings.HasSuffix(r, "…") {
		t.Errorf("reason of %d bytes (valid UTF-8: %v), want at most %d ending in …", len(r), utf8.ValidString(r), maxReasonLength)
	}
}

func FuzzParseAcknowledgement(f *testing.F) {
	f.Add(ackWith(releaseStatus("0123456789012", "SuccessfullyIngestedByReleaseDistributor", "", "FileOK")))
	f.Add(ackWith(releaseStatus("0123456789012", "ProcessingErrorAtReleaseDistributor", "<ErrorText>x</ErrorText>", "ResourceMissing|y")))
	f.Add(ackWith(`<ReleaseStatus><ReleaseStatus UserDefinedValue="Q">UserDefined</ReleaseStatus></ReleaseStatus>`))
	f.Add(ackHeader + `<Acknowledgement><MessageStatus><Status>FileOK</Status></MessageStatus></Acknowledgement>` + ackFooter)
	f.Add(`<AcknowledgementMessage><ReleaseStatus><ReleaseStatus><ReleaseStatus/></ReleaseStatus></ReleaseStatus></AcknowledgementMessage>`)
	f.Fuzz(func(t *testing.T, doc string) {
		ack, err := ParseAcknowledgement(strings.NewReader(doc))
		if err != nil {
			return
		}
		for _, r := range ack.Releases {
			switch r.Outcome {
			case OutcomeLive, OutcomePending:
			case OutcomeRejected:
				if r.Reason == "" {
					t.Errorf("rejected without a reason: %+v", r)
				}
			default:
				t.Errorf("unknown outcome %q", r.Outcome)
			}
			if len(r.Reason) > maxReasonLength {
				t.Errorf("reason of %d bytes exceeds %d", len(r.Reason), maxReasonLength)
			}
		}
	})
}
