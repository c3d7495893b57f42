package ddex

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxAcknowledgementSize is the largest AcknowledgementMessage
// ParseAcknowledgement reads.
const MaxAcknowledgementSize = 4 << 20

// maxReasonLength bounds a Reason, which ends up stored and shown.
const maxReasonLength = 2000

// ErrNotAcknowledgement is returned for well-formed XML whose root is not an
// AcknowledgementMessage.
var ErrNotAcknowledgement = errors.New("not an AcknowledgementMessage")

// Outcome is what an acknowledgement means for a release at a store.
type Outcome string

// The outcomes: live and rejected settle a delivery; pending covers the
// in-progress supply-chain statuses (received, in delivery…) that do
// neither.
const (
	OutcomeLive     Outcome = "live"
	OutcomeRejected Outcome = "rejected"
	OutcomePending  Outcome = "pending"
)

// Acknowledgement is a store's AcknowledgementMessage (ern-c-sftp).
type Acknowledgement struct {
	MessageID  string
	SenderDPID string
	// CreatedAt is MessageCreatedDateTime as written.
	CreatedAt string
	Releases  []ReleaseAcknowledgement
	// Messages are acknowledgements of whole messages given outside any
	// ReleaseStatus, which some stores send.
	Messages []MessageAcknowledgement
}

// ReleaseAcknowledgement is the status of one release (a ReleaseStatus).
type ReleaseAcknowledgement struct {
	ICPN          string
	GRid          string
	CatalogNumber string
	// SupplyChainStatus is the AVS value, or the UserDefinedValue of a
	// UserDefined one.
	SupplyChainStatus   string
	ErrorText           string
	ProposedAction      string
	ManualCheckRequired bool
	// AffectedISRCs are the resources the store complains about.
	AffectedISRCs []string
	Messages      []MessageAcknowledgement
	Outcome       Outcome
	// Reason says why, for a rejection: the error statuses and texts.
	Reason string
}

// MessageAcknowledgement is the store's verdict on one message it received.
type MessageAcknowledgement struct {
	MessageID string
	BatchID   string
	// Statuses are AVS ErncFileStatus values (FileOK, ResourceMissing…).
	Statuses    []string
	Information []string
}

// The acknowledgement as read: elements are matched by local name, whatever
// the ern-c-sftp version.
type ackDocument struct {
	XMLName       xml.Name
	MessageHeader struct {
		MessageID     string `xml:"MessageId"`
		MessageSender struct {
			PartyID []string `xml:"PartyId"`
		} `xml:"MessageSender"`
		MessageCreatedDateTime string `xml:"MessageCreatedDateTime"`
	} `xml:"MessageHeader"`
	ReleaseStatus   []ackReleaseStatus   `xml:"ReleaseStatus"`
	Acknowledgement []ackAcknowledgement `xml:"Acknowledgement"`
}

type ackReleaseStatus struct {
	ReleaseID struct {
		GRid          string `xml:"GRid"`
		ICPN          string `xml:"ICPN"`
		CatalogNumber string `xml:"CatalogNumber"`
	} `xml:"ReleaseId"`
	Status              ackValue `xml:"ReleaseStatus"`
	ErrorText           string   `xml:"ErrorText"`
	ProposedActionType  ackValue `xml:"ProposedActionType"`
	ManualCheckRequired string   `xml:"ManualCheckRequired"`
	AffectedResource    []struct {
		ISRC string `xml:"ISRC"`
	} `xml:"AffectedResource"`
	Acknowledgement []ackAcknowledgement `xml:"Acknowledgement"`
}

type ackAcknowledgement struct {
	BatchID       string `xml:"BatchId"`
	MessageID     string `xml:"MessageId"`
	MessageStatus []struct {
		Status      ackValue `xml:"Status"`
		Information string   `xml:"Information"`
		// StatusMessage is not in the schema, but stores send it.
		StatusMessage string `xml:"StatusMessage"`
	} `xml:"MessageStatus"`
}

// ackValue is an allowed value that may be UserDefined.
type ackValue struct {
	Value            string `xml:",chardata"`
	UserDefinedValue string `xml:"UserDefinedValue,attr"`
}

func (v ackValue) text() string {
	s := strings.TrimSpace(v.Value)
	if s == "UserDefined" && strings.TrimSpace(v.UserDefinedValue) != "" {
		return strings.TrimSpace(v.UserDefinedValue)
	}
	return s
}

// Supply-chain statuses by what they mean for the release.
var (
	supplyChainErrors = []string{
		"ProcessingErrorAtReleaseCreator", "ProcessingErrorAtReleaseDistributor",
		"ReleaseViolatesTermsOfService", "RightsConflict",
	}
	supplyChainLive = []string{
		"SuccessfullyIngestedByReleaseDistributor", "ReleaseMadeAvailableToConsumers",
	}
	supplyChainPending = []string{
		"DeliveredToReleaseDistributor", "InDeliveryToReleaseDistributor",
		"InPreparationForDeliveryToReleaseDistributor", "OrderPlacedForReleaseDistributor",
		"ReleaseReceivedByReleaseDistributor", "ReleaseStagedForPublication", "ReleaseNotAvailable",
	}
)

// fileOK is the ErncFileStatus of a message without errors.
const fileOK = "FileOK"

// ParseAcknowledgement reads a store's AcknowledgementMessage (at most
// MaxAcknowledgementSize bytes) and says, per release, whether it is live,
// rejected (with the reason) or still pending. A release is rejected when
// its supply-chain status is an error or any acknowledged message has a file
// status other than FileOK; live when the store ingested it or made it
// available (or, with no known supply-chain status, every message is
// FileOK); pending otherwise.
func ParseAcknowledgement(r io.Reader) (Acknowledgement, error) {
	const doing = "parse acknowledgement"
	data, err := io.ReadAll(io.LimitReader(r, MaxAcknowledgementSize+1))
	if err != nil {
		return Acknowledgement{}, fmt.Errorf("%s: %w", doing, err)
	}
	if len(data) > MaxAcknowledgementSize {
		return Acknowledgement{}, fmt.Errorf("%s: larger than %d bytes", doing, MaxAcknowledgementSize)
	}
	var doc ackDocument
	if err := xml.Unmarshal(data, &doc); err != nil {
		return Acknowledgement{}, fmt.Errorf("%s: %w", doing, err)
	}
	if doc.XMLName.Local != "AcknowledgementMessage" {
		return Acknowledgement{}, fmt.Errorf("%s: root element %q: %w", doing, doc.XMLName.Local, ErrNotAcknowledgement)
	}
	ack := Acknowledgement{
		MessageID: strings.TrimSpace(doc.MessageHeader.MessageID),
		CreatedAt: strings.TrimSpace(doc.MessageHeader.MessageCreatedDateTime),
		Messages:  messageAcks(doc.Acknowledgement),
	}
	if ids := doc.MessageHeader.MessageSender.PartyID; len(ids) > 0 {
		ack.SenderDPID = strings.TrimSpace(ids[0])
	}
	for _, rs := range doc.ReleaseStatus {
		ack.Releases = append(ack.Releases, releaseAck(rs))
	}
	return ack, nil
}

func messageAcks(in []ackAcknowledgement) []MessageAcknowledgement {
	var out []MessageAcknowledgement
	for _, a := range in {
		m := MessageAcknowledgement{MessageID: strings.TrimSpace(a.MessageID), BatchID: strings.TrimSpace(a.BatchID)}
		for _, s := range a.MessageStatus {
			m.Statuses = append(m.Statuses, s.Status.text())
			info := strings.TrimSpace(s.Information)
			if info == "" {
				info = strings.TrimSpace(s.StatusMessage)
			}
			m.Information = append(m.Information, info)
		}
		out = append(out, m)
	}
	return out
}

func releaseAck(rs ackReleaseStatus) ReleaseAcknowledgement {
	ra := ReleaseAcknowledgement{
		ICPN:              strings.TrimSpace(rs.ReleaseID.ICPN),
		GRid:              strings.TrimSpace(rs.ReleaseID.GRid),
		CatalogNumber:     strings.TrimSpace(rs.ReleaseID.CatalogNumber),
		SupplyChainStatus: rs.Status.text(),
		ErrorText:         strings.TrimSpace(rs.ErrorText),
		ProposedAction:    rs.ProposedActionType.text(),
		Messages:          messageAcks(rs.Acknowledgement),
	}
	manual := strings.TrimSpace(rs.ManualCheckRequired)
	ra.ManualCheckRequired = manual == "true" || manual == "1"
	for _, res := range rs.AffectedResource {
		if isrc := strings.TrimSpace(res.ISRC); isrc != "" {
			ra.AffectedISRCs = append(ra.AffectedISRCs, isrc)
		}
	}
	ra.Outcome, ra.Reason = judge(ra)
	return ra
}

// judge decides a release's outcome and the reason for it.
func judge(ra ReleaseAcknowledgement) (Outcome, string) {
	var errs []string
	if slices.Contains(supplyChainErrors, ra.SupplyChainStatus) {
		errs = append(errs, ra.SupplyChainStatus)
	}
	anyFileOK := false
	for _, m := range ra.Messages {
		for i, s := range m.Statuses {
			switch {
			case s == fileOK:
				anyFileOK = true
			case s != "":
				errs = append(errs, joinNonEmpty(": ", s, m.Information[i]))
			}
		}
	}
	switch {
	case len(errs) > 0:
		if ra.ErrorText != "" {
			errs = append(errs, ra.ErrorText)
		}
		if len(ra.AffectedISRCs) > 0 {
			errs = append(errs, "affected: "+strings.Join(ra.AffectedISRCs, ", "))
		}
		return OutcomeRejected, truncate(strings.Join(dedupe(errs), "; "), maxReasonLength)
	case slices.Contains(supplyChainLive, ra.SupplyChainStatus):
		return OutcomeLive, truncate(ra.ErrorText, maxReasonLength)
	case slices.Contains(supplyChainPending, ra.SupplyChainStatus):
		return OutcomePending, truncate(joinNonEmpty(": ", ra.SupplyChainStatus, ra.ErrorText), maxReasonLength)
	case anyFileOK:
		return OutcomeLive, truncate(ra.ErrorText, maxReasonLength)
	}
	return OutcomePending, truncate(joinNonEmpty(": ", ra.SupplyChainStatus, ra.ErrorText), maxReasonLength)
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, s := range parts {
		if s != "" {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, sep)
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
