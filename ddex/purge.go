package ddex

import (
	"fmt"
	"strings"
	"time"

	"tonegrid"
)

// Purge is what a PurgeReleaseMessage says: remove this release from the
// store's catalogue for good. It is for releases that cannot be taken down
// the normal way (corrupt metadata) or must disappear permanently; a plain
// takedown is TakedownMessage.
type Purge struct {
	MessageID string
	ThreadID  string
	CreatedAt time.Time
	Control   ControlType
	Sender    Party
	Recipient Party
	// Release gives the ICPN (UPC), title, language and artists.
	Release *tonegrid.Release
}

// PurgeReleaseMessage builds the ERN 4.3 PurgeReleaseMessage naming the
// release by ICPN, title and artists. It returns an error wrapping
// ErrInvalid when the input cannot make a valid message.
func PurgeReleaseMessage(in Purge) ([]byte, error) {
	const doing = "build purge release message"
	if in.Release == nil {
		return nil, fmt.Errorf("%s: %w: no release", doing, ErrInvalid)
	}
	var p problems
	rel := in.Release
	if strings.TrimSpace(in.MessageID) == "" {
		p.add("no message id")
	}
	checkCreatedAt(&p, in.CreatedAt)
	checkControl(&p, in.Control)
	checkParty(&p, "sender", in.Sender)
	checkParty(&p, "recipient", in.Recipient)
	checkICPN(&p, rel.UPC)
	if strings.TrimSpace(rel.Title) == "" {
		p.add("the release has no title")
	}
	doc := ernPurgeReleaseMessage{
		LanguageAndScriptCode: messageLanguage(&p, rel.Language),
		AvsVersionID:          AVSVersion,
		MessageHeader: ernMessageHeader{
			MessageThreadID:        in.ThreadID,
			MessageID:              in.MessageID,
			MessageSender:          messagingParty(in.Sender),
			MessageRecipient:       []ernMessagingParty{messagingParty(in.Recipient)},
			MessageCreatedDateTime: dateTime(in.CreatedAt),
			MessageControlType:     string(in.Control),
		},
		PurgedRelease: ernPurgedRelease{
			ReleaseID: &ernReleaseID{ICPN: rel.UPC},
			Title:     []ernTitle{{TitleText: rel.Title, SubTitle: rel.Version}},
		},
	}
	for i, c := range rel.Artists {
		if strings.TrimSpace(c.Name) == "" {
			p.add("release artist %d has no name", i+1)
		}
		doc.PurgedRelease.Contributor = append(doc.PurgedRelease.Contributor, ernPurgeContributor{
			SequenceNumber:              i + 1,
			PartyName:                   []ernPartyName{{FullName: c.Name}},
			Role:                        []ernRole{{Value: "Artist"}},
			HasMadeFeaturedContribution: c.Role == tonegrid.ArtistFeatured,
		})
	}
	if err := p.err(doing); err != nil {
		return nil, err
	}
	out, err := writeDocument(doc, "ern", "PurgeReleaseMessage", ERNNamespace)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	return out, nil
}
