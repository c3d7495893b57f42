package ddex

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// The batch profile of the ERN cloud/SFTP choreography: a batch folder
// <priority>_<BatchId> holds one folder per release (named by ICPN, holding
// <ICPN>.xml and resources/) and, uploaded last, the manifest
// BatchComplete_<BatchId>.xml.

// ManifestNamespace is the namespace of the ern-c-sftp messages (the batch
// manifest and the stores' acknowledgements).
const ManifestNamespace = "http://ddex.net/xml/ern-c-sftp/18"

// ManifestVersion is the MessageVersionId of the manifests this package
// writes.
const ManifestVersion = "ern-c-sftp/18"

// Priority is the batch folder's priority indicator.
type Priority string

// The priority indicators.
const (
	PriorityNone  Priority = "N"
	PriorityAll   Priority = "P"
	PriorityMixed Priority = "M"
)

// DeliveryType is what a message in a batch does (AVS MessageActionType).
type DeliveryType string

// The delivery types ToneGrid sends.
const (
	NewReleaseDelivery DeliveryType = "NewReleaseDelivery"
	ReDelivery         DeliveryType = "ReDelivery"
	TakeDown           DeliveryType = "TakeDown"
)

// BatchID is the batch identifier of a batch created at t: its UTC time to
// the millisecond, YYYYMMDDhhmmssnnn.
func BatchID(t time.Time) string {
	t = t.UTC()
	return t.Format("20060102150405") + fmt.Sprintf("%03d", t.Nanosecond()/int(time.Millisecond))
}

// BatchFolder is the name of a batch's root folder: <priority>_<BatchId>.
func BatchFolder(batchID string, p Priority) string { return string(p) + "_" + batchID }

// ManifestFileName is the name of a batch's manifest:
// BatchComplete_<BatchId>.xml.
func ManifestFileName(batchID string) string { return "BatchComplete_" + batchID + ".xml" }

// ReleaseFolder is the folder of a release inside a batch: its ICPN.
func ReleaseFolder(icpn string) string { return icpn }

// MessageFileName is the file name of a release's message: <ICPN>.xml.
func MessageFileName(icpn string) string { return icpn + ".xml" }

// MessagePath is the path of a release's message relative to the batch
// folder, as the manifest's URL gives it: ./<ICPN>/<ICPN>.xml.
func MessagePath(icpn string) string { return "./" + ReleaseFolder(icpn) + "/" + MessageFileName(icpn) }

// Batch is a batch of messages to one store, described by its manifest.
type Batch struct {
	// ID is the BatchId (see BatchID).
	ID        string
	Priority  Priority
	Sender    Party
	Recipient Party
	CreatedAt time.Time
	// Test marks a batch of test messages (IsTestFlag).
	Test     bool
	Messages []BatchEntry
}

// BatchEntry is one message of a batch.
type BatchEntry struct {
	MessageID    string
	ICPN         string
	DeliveryType DeliveryType
	// MD5 is the hex MD5 of the message file (Message.MD5).
	MD5 string
}

// Entry describes m in a batch manifest.
func (m *Message) Entry(t DeliveryType) BatchEntry {
	return BatchEntry{MessageID: m.MessageID, ICPN: m.ICPN, DeliveryType: t, MD5: m.MD5()}
}

var batchIDPattern = regexp.MustCompile(`^[0-9]{17}$`)

type sftpManifestMessage struct {
	MessageVersionID string               `xml:"MessageVersionId,attr"`
	AvsVersionID     string               `xml:"AvsVersionId,attr"`
	MessageHeader    sftpHeader           `xml:"MessageHeader"`
	IsTestFlag       bool                 `xml:"IsTestFlag"`
	RootDirectory    string               `xml:"RootDirectory"`
	NumberOfMessages int                  `xml:"NumberOfMessages"`
	MessageInBatch   []sftpMessageInBatch `xml:"MessageInBatch"`
}

type sftpHeader struct {
	MessageSender          sftpParty `xml:"MessageSender"`
	MessageRecipient       sftpParty `xml:"MessageRecipient"`
	MessageCreatedDateTime string    `xml:"MessageCreatedDateTime"`
}

type sftpParty struct {
	PartyID   []string      `xml:"PartyId"`
	PartyName *ernPartyName `xml:"PartyName,omitempty"`
}

type sftpMessageInBatch struct {
	MessageType       string          `xml:"MessageType"`
	MessageID         string          `xml:"MessageId"`
	URL               string          `xml:"URL"`
	IncludedReleaseID []sftpReleaseID `xml:"IncludedReleaseId"`
	DeliveryType      string          `xml:"DeliveryType"`
	ProductType       string          `xml:"ProductType"`
	HashSum           *sftpHashSum    `xml:"HashSum,omitempty"`
}

type sftpReleaseID struct {
	ICPN string `xml:"ICPN"`
}

type sftpHashSum struct {
	HashSumValue         string `xml:"HashSumValue"`
	HashSumAlgorithmType string `xml:"HashSumAlgorithmType"`
}

func manifestParty(party Party) sftpParty {
	sp := sftpParty{PartyID: []string{party.DPID}}
	if party.Name != "" {
		sp.PartyName = &ernPartyName{FullName: party.Name}
	}
	return sp
}

// BatchManifest builds the ern-c-sftp ManifestMessage of a batch, to be
// uploaded as ManifestFileName(b.ID) in the batch folder after everything
// else. It returns an error wrapping ErrInvalid when the batch cannot be
// described validly.
func BatchManifest(b Batch) ([]byte, error) {
	const doing = "build batch manifest"
	var p problems
	if !batchIDPattern.MatchString(b.ID) {
		p.add("batch id %q is not YYYYMMDDhhmmssnnn", b.ID)
	}
	switch b.Priority {
	case PriorityNone, PriorityAll, PriorityMixed:
	default:
		p.add("batch priority %q is not N, P or M", b.Priority)
	}
	checkParty(&p, "sender", b.Sender)
	checkParty(&p, "recipient", b.Recipient)
	checkCreatedAt(&p, b.CreatedAt)
	if len(b.Messages) == 0 {
		p.add("the batch has no messages")
	}
	doc := sftpManifestMessage{
		MessageVersionID: ManifestVersion,
		AvsVersionID:     AVSVersion,
		MessageHeader: sftpHeader{
			MessageSender:          manifestParty(b.Sender),
			MessageRecipient:       manifestParty(b.Recipient),
			MessageCreatedDateTime: dateTime(b.CreatedAt),
		},
		IsTestFlag:       b.Test,
		RootDirectory:    BatchFolder(b.ID, b.Priority),
		NumberOfMessages: len(b.Messages),
	}
	seen := map[string]bool{}
	for i, m := range b.Messages {
		where := "message " + strconv.Itoa(i+1)
		if m.MessageID == "" {
			p.add("%s has no message id", where)
		}
		checkICPN(&p, m.ICPN)
		if seen[m.ICPN] {
			p.add("%s repeats release %s: a release goes in a batch once", where, m.ICPN)
		}
		seen[m.ICPN] = true
		switch m.DeliveryType {
		case NewReleaseDelivery, ReDelivery, TakeDown:
		default:
			p.add("%s delivery type %q is not NewReleaseDelivery, ReDelivery or TakeDown", where, m.DeliveryType)
		}
		if !md5Pattern.MatchString(m.MD5) {
			p.add("%s MD5 %q is not 32 lower-case hex digits", where, m.MD5)
		}
		doc.MessageInBatch = append(doc.MessageInBatch, sftpMessageInBatch{
			MessageType:       "NewReleaseMessage",
			MessageID:         m.MessageID,
			URL:               MessagePath(m.ICPN),
			IncludedReleaseID: []sftpReleaseID{{ICPN: m.ICPN}},
			DeliveryType:      string(m.DeliveryType),
			ProductType:       "AudioProduct",
			HashSum:           &sftpHashSum{HashSumValue: m.MD5, HashSumAlgorithmType: "MD5"},
		})
	}
	if err := p.err(doing); err != nil {
		return nil, err
	}
	out, err := writeDocument(doc, "ern-c-sftp", "ManifestMessage", ManifestNamespace)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	return out, nil
}
