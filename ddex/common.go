package ddex

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"tonegrid"
)

// Versions and namespaces of the messages this package writes.
const (
	// ERNNamespace is the namespace of ERN 4.3 messages.
	ERNNamespace = "http://ddex.net/xml/ern/43"
	// AVSVersion is the allowed-value-set version the messages declare (the
	// AVS bundled with the ERN 4.3 schema).
	AVSVersion = "3"
	// ReleaseProfile is the ERN release profile of every NewReleaseMessage.
	ReleaseProfile = "Audio"
)

// ErrInvalid is wrapped by every error about input that cannot be written as
// a valid message; the text after it lists each problem.
var ErrInvalid = errors.New("invalid input")

// Party is a party to a message exchange: the platform sending or the store
// receiving, identified by its DDEX Party ID.
type Party struct {
	// DPID is the DDEX Party ID, PADPIDA followed by letters and digits.
	DPID string
	// Name is the party's full name; optional.
	Name string
}

// ControlType says whether a message is live or a test (MessageControlType).
type ControlType string

// The message control types.
const (
	LiveMessage ControlType = "LiveMessage"
	TestMessage ControlType = "TestMessage"
)

// problems collects what is wrong with an input so one error names all of it.
type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p problems) err(doing string) error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w: %s", doing, ErrInvalid, strings.Join(p, "; "))
}

var (
	dpidPattern = regexp.MustCompile(`^PADPIDA[a-zA-Z0-9]+$`)
	// languagePattern is the XSD's LanguageAndScriptCode pattern, anchored.
	languagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z]+)?(-[a-zA-Z]{2}|-[0-9]{3})?(-[a-zA-Z][a-zA-Z0-9]{4}[a-zA-Z0-9]*)?$`)
	icpnPattern     = regexp.MustCompile(`^[0-9]{12,14}$`)
	isrcPattern     = regexp.MustCompile(`^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$`)
	md5Pattern      = regexp.MustCompile(`^[0-9a-f]{32}$`)
	sha256Pattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func checkParty(p *problems, role string, party Party) {
	if !dpidPattern.MatchString(party.DPID) {
		p.add("%s DPID %q is not PADPIDA followed by letters and digits", role, party.DPID)
	}
}

func checkCreatedAt(p *problems, t time.Time) {
	if t.IsZero() {
		p.add("no creation time")
	} else if y := t.UTC().Year(); y < 1 || y > 9999 {
		p.add("creation time %s is not between years 1 and 9999", t)
	}
}

func checkControl(p *problems, c ControlType) {
	if c != LiveMessage && c != TestMessage {
		p.add("message control type %q is neither %s nor %s", c, LiveMessage, TestMessage)
	}
}

func checkICPN(p *problems, upc string) {
	if !icpnPattern.MatchString(upc) {
		p.add("UPC %q is not 12 to 14 digits", upc)
	}
}

func checkDate(p *problems, what string, d tonegrid.Date) {
	if d.Year < 1 || d.Year > 9999 || tonegrid.DateOf(d.Time()) != d {
		p.add("%s %s is not a calendar date between years 1 and 9999", what, d)
	}
}

// messageLanguage is the message's LanguageAndScriptCode: the release's
// language, English when it has none.
func messageLanguage(p *problems, lang string) string {
	if lang == "" {
		return "en"
	}
	if !languagePattern.MatchString(lang) {
		p.add("language %q is not an RFC 5646 language tag", lang)
	}
	return lang
}

func messagingParty(party Party) ernMessagingParty {
	mp := ernMessagingParty{PartyID: party.DPID}
	if party.Name != "" {
		mp.PartyName = &ernPartyName{FullName: party.Name}
	}
	return mp
}

// dateTime formats t as an xs:dateTime in UTC to the second.
func dateTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// isoDuration formats milliseconds as an xs:duration (PT1H2M3.5S), keeping
// the milliseconds only when there are some.
func isoDuration(ms int64) string {
	h, ms := ms/3_600_000, ms%3_600_000
	m, ms := ms/60_000, ms%60_000
	s, ms := ms/1000, ms%1000
	var b strings.Builder
	b.WriteString("PT")
	if h > 0 {
		b.WriteString(strconv.FormatInt(h, 10) + "H")
	}
	if h > 0 || m > 0 {
		b.WriteString(strconv.FormatInt(m, 10) + "M")
	}
	b.WriteString(strconv.FormatInt(s, 10))
	if ms > 0 {
		b.WriteString(strings.TrimRight(fmt.Sprintf(".%03d", ms), "0"))
	}
	b.WriteString("S")
	return b.String()
}

// writeDocument writes v as a standalone XML document whose root element is
// prefix:local in namespace ns, children unqualified, indented by two spaces.
func writeDocument(v any, prefix, local, ns string) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(16 << 10)
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	start := xml.StartElement{
		Name: xml.Name{Local: prefix + ":" + local},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns:" + prefix}, Value: ns}},
	}
	if err := enc.EncodeElement(v, start); err != nil {
		return nil, fmt.Errorf("encode %s: %w", local, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode %s: %w", local, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
