package ddex

import (
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tonegrid"
)

// titlePieces mix XML-special characters, non-Latin scripts, characters XML
// cannot carry and plain words.
var titlePieces = []string{
	"&", "<", ">", `"`, "'", "]]>", "&amp;", "<!--", "日本語", "Ελληνικά", "العربية", "हिन्दी", "🎵",
	"tab\there", "line\nbreak", "bell\x07", "\uFFFE", "Love", "Song", "(Remix)", " ", "Ω",
}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(5) {
		b.WriteString(titlePieces[r.IntN(len(titlePieces))])
	}
	if strings.TrimSpace(b.String()) == "" {
		b.WriteString("x")
	}
	return b.String()
}

func pick[T any](r *rand.Rand, from ...T) T { return from[r.IntN(len(from))] }

// randomRelease is a valid release with random shape and content.
func randomRelease(r *rand.Rand, n int) *tonegrid.Release {
	artist := func(role string) tonegrid.ArtistCredit {
		return tonegrid.ArtistCredit{ArtistUUID: fmt.Sprintf("a-%d", r.IntN(6)), Name: randomText(r), Role: role}
	}
	rel := &tonegrid.Release{
		Title:            randomText(r),
		Type:             pick(r, tonegrid.ReleaseTypeSingle, tonegrid.ReleaseTypeEP, tonegrid.ReleaseTypeAlbum, tonegrid.ReleaseTypeCompilation),
		Artists:          []tonegrid.ArtistCredit{artist(tonegrid.ArtistPrimary)},
		LabelName:        randomText(r),
		UPC:              fmt.Sprintf("%013d", 1_000_000+n),
		Genre:            randomText(r),
		Language:         pick(r, "", "en", "ja", "pt-BR"),
		ParentalAdvisory: pick(r, "", tonegrid.AdvisoryExplicit, tonegrid.AdvisoryClean, tonegrid.AdvisoryNone),
		ReleaseDate:      date(pick(r, 2000+r.IntN(30), 1+r.IntN(999)), time.Month(1+r.IntN(12)), 1+r.IntN(28)),
		Territories:      []string{"WW"},
	}
	if r.IntN(2) == 0 {
		rel.Artists = append(rel.Artists, artist(tonegrid.ArtistFeatured))
	}
	if r.IntN(2) == 0 {
		rel.Version, rel.CatalogNumber, rel.Subgenre = randomText(r), randomText(r), randomText(r)
	}
	if r.IntN(2) == 0 {
		rel.PLine = &tonegrid.Line{Year: pick(r, 0, 7, 1999, 2025), Holder: randomText(r)}
		rel.CLine = &tonegrid.Line{Year: pick(r, 0, 2025), Holder: randomText(r)}
	}
	if r.IntN(2) == 0 {
		rel.OriginalReleaseDate = date(1950+r.IntN(70), time.Month(1+r.IntN(12)), 1+r.IntN(28))
	}
	if r.IntN(3) == 0 {
		rel.Territories = []string{"US", "ca", "GB", "JP", "DE", "BR"}[:1+r.IntN(6)]
	}
	rel.LocalizedTitles = randomLocalized(r)
	if r.IntN(4) != 0 {
		rel.Artwork = &tonegrid.Artwork{Format: pick(r, "jpeg", "PNG", "tiff", "gif"), Width: 1400 + r.IntN(3000), Height: 1400 + r.IntN(3000), Size: int64(r.IntN(1 << 24))}
		if r.IntN(2) == 0 {
			rel.Artwork.MD5, rel.Artwork.MediaUUID = fmt.Sprintf("%032x", r.Uint64()), fmt.Sprintf("m-%d", n)
		} else {
			rel.Artwork.SHA256 = fmt.Sprintf("%064x", r.Uint64())
		}
	}
	discs := 1 + r.IntN(3)
	for i := range 1 + r.IntN(25) {
		t := &tonegrid.Track{
			Title:      randomText(r),
			ISRC:       fmt.Sprintf("QZ%03d%02d%05d", n, r.IntN(100), i),
			DiscNumber: r.IntN(discs + 1),
			Position:   r.IntN(30),
			Explicit:   r.IntN(3) == 0,
			Language:   pick(r, "", "en", "zh-Hans"),
			Audio: &tonegrid.Audio{
				Format: pick(r, "wav", "FLAC", "aiff", "mp3", "aac", "m4a"), SampleRate: pick(r, 0, 44100, 48000, 96000),
				BitDepth: pick(r, 0, 16, 24), Channels: pick(r, 1, 2), DurationMS: 1 + r.Int64N(3_600_000),
				Size: r.Int64N(1 << 30), MD5: pick(r, "", fmt.Sprintf("%032X", r.Uint64())),
			},
		}
		if r.IntN(2) == 0 {
			t.Artists = []tonegrid.ArtistCredit{artist(tonegrid.ArtistPrimary)}
			if r.IntN(2) == 0 {
				t.Artists = append(t.Artists, artist(tonegrid.ArtistFeatured))
			}
		}
		for range r.IntN(4) {
			t.Contributors = append(t.Contributors, tonegrid.Contributor{Name: randomText(r), Role: pick(r, "composer", "Lyricist", "producer", "mixing engineer", "kazoo & <bells>")})
		}
		if r.IntN(3) == 0 {
			s := int(t.Audio.DurationMS / 2000)
			t.PreviewStartS = &s
		}
		if r.IntN(3) == 0 {
			t.Version = randomText(r)
		}
		t.LocalizedTitles = randomLocalized(r)
		rel.Tracks = append(rel.Tracks, t)
	}
	return rel
}

func randomLocalized(r *rand.Rand) map[string]string {
	if r.IntN(2) == 0 {
		return nil
	}
	out := map[string]string{}
	for range 1 + r.IntN(3) {
		out[pick(r, "fr", "ja", "de", "pt-BR", "zh-Hans", "es-419", "sr-Latn-RS")] = randomText(r)
	}
	return out
}

// randomDeals are valid deals for rel: random kinds, rights and end.
func randomDeals(t testing.TB, r *rand.Rand, rel *tonegrid.Release) []Deal {
	o := DealOptions{Release: rel}
	for _, k := range dealKindOrder {
		if r.IntN(2) == 0 {
			o.Kinds = append(o.Kinds, k)
		}
	}
	if len(o.Kinds) == 0 {
		o.Kinds = []DealKind{DealStreaming}
	}
	switch r.IntN(3) {
	case 1:
		o.Rights = &tonegrid.Rights{TerritoriesIncluded: slices.Clone(rel.Territories)}
		if rel.Territories[0] == "WW" {
			o.Rights.TerritoriesIncluded = []string{"FR", "IT"}
		}
	case 2:
		o.Rights = &tonegrid.Rights{TerritoriesExcluded: []string{pick(r, "RU", "CN", "US")}}
	}
	if r.IntN(3) == 0 {
		end := rel.ReleaseDate.AddDays(r.IntN(3000))
		o.End = &end
	}
	if r.IntN(2) == 0 {
		o.Store = &tonegrid.ReleaseDSP{PriceTier: randomText(r)}
	}
	deals, err := NewDeals(o)
	if err != nil {
		if strings.Contains(err.Error(), "no territory is left") {
			o.Rights = nil
			return mustDeals(t, o)
		}
		t.Fatalf("NewDeals for random release: %v", err)
	}
	return deals
}

// TestRandomReleasesAreValid builds messages for random releases (random
// track counts and discs, titles with XML-special and non-Latin text, random
// flags, deals and takedowns) and validates every one against the XSD in a
// single xmllint run.
func TestRandomReleasesAreValid(t *testing.T) {
	xsd := schemaPath(t)
	r := rand.New(rand.NewPCG(20250314, 42))
	docs := map[string][]byte{}
	for n := range 40 {
		rel := randomRelease(r, n)
		in := NewRelease{
			MessageID: fmt.Sprintf("TG-%d-%s", n, randomText(r)), ThreadID: randomText(r), CreatedAt: testCreatedAt.AddDate(0, 0, n),
			Control: pick(r, LiveMessage, TestMessage), Sender: testSender, Recipient: Party{DPID: testRecipient.DPID},
			Release: rel, LabelName: pick(r, "", randomText(r)), Deals: randomDeals(t, r, rel),
		}
		var msg *Message
		var err error
		switch style := TakedownStyle(r.IntN(4)); style {
		case 0:
			msg, err = NewReleaseMessage(in)
		default:
			msg, err = TakedownMessage(in, style)
		}
		if err != nil {
			t.Fatalf("release %d: %v", n, err)
		}
		checkOwnOutput(t, n, rel, msg)
		docs[fmt.Sprintf("random-%02d.xml", n)] = msg.XML
		if n%5 == 0 {
			purge, err := PurgeReleaseMessage(Purge{MessageID: in.MessageID, CreatedAt: in.CreatedAt, Control: in.Control, Sender: in.Sender, Recipient: in.Recipient, Release: rel})
			if err != nil {
				t.Fatalf("purge %d: %v", n, err)
			}
			docs[fmt.Sprintf("random-purge-%02d.xml", n)] = purge
		}
	}
	validateDocs(t, xsd, docs)
}

// checkOwnOutput parses msg back and checks it describes rel.
func checkOwnOutput(t *testing.T, n int, rel *tonegrid.Release, msg *Message) {
	t.Helper()
	var doc ernNewReleaseMessage
	if err := xml.Unmarshal(msg.XML, &doc); err != nil {
		t.Fatalf("release %d: parse own output: %v", n, err)
	}
	if got := len(doc.ResourceList.SoundRecording); got != len(rel.Tracks) {
		t.Errorf("release %d: %d sound recordings for %d tracks", n, got, len(rel.Tracks))
	}
	if got := len(doc.ReleaseList.TrackRelease); got != len(rel.Tracks) {
		t.Errorf("release %d: %d track releases for %d tracks", n, got, len(rel.Tracks))
	}
	if doc.ReleaseList.Release.ReleaseID.ICPN != rel.UPC {
		t.Errorf("release %d: ICPN %q, want %q", n, doc.ReleaseList.Release.ReleaseID.ICPN, rel.UPC)
	}
	wantFiles := len(rel.Tracks)
	if rel.Artwork != nil {
		wantFiles++
	}
	names := map[string]bool{}
	for _, f := range msg.Files {
		names[f.Name] = true
	}
	if len(msg.Files) != wantFiles || len(names) != wantFiles {
		t.Errorf("release %d: %d files with %d distinct names, want %d", n, len(msg.Files), len(names), wantFiles)
	}
	if strings.ContainsAny(rel.Title, "\x07\uFFFE") {
		return // replaced by U+FFFD: XML cannot carry them
	}
	if got := doc.ReleaseList.Release.DisplayTitle[0].TitleText; got != rel.Title {
		t.Errorf("release %d: title %q, want %q", n, got, rel.Title)
	}
	langs := slices.Sorted(maps.Keys(rel.LocalizedTitles))
	if got := len(doc.ReleaseList.Release.DisplayTitle) - 1; got != len(langs) {
		t.Errorf("release %d: %d localized titles, want %d", n, got, len(langs))
	}
}

// FuzzNewReleaseText feeds arbitrary text into every free-text field: the
// builder must either refuse the input or write well-formed XML that reads
// back to the same title (or, for text XML cannot carry, a replaced one).
func FuzzNewReleaseText(f *testing.F) {
	f.Add("Night & Day", "Léa", "composer", "fr", "Nuit")
	f.Add("]]><x>", "\x00\x01", "kazoo & <bells>", "ja", "夜")
	f.Add("\xff\xfe", `"'`, "", "zh_Hans", "")
	f.Fuzz(func(t *testing.T, title, artist, role, lang, localized string) {
		rel := newTestRelease(releaseOptions{tracks: 2})
		rel.Title, rel.Artists[0].Name, rel.LabelName, rel.Genre = title, artist, artist, title
		rel.LocalizedTitles = map[string]string{lang: localized}
		rel.Tracks[1].Contributors = []tonegrid.Contributor{{Name: artist, Role: role}}
		rel.Tracks[1].Version = localized
		msg, err := NewReleaseMessage(newTestMessage(rel, mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel})))
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error not wrapping ErrInvalid: %v", err)
			}
			return
		}
		var doc ernNewReleaseMessage
		if err := xml.Unmarshal(msg.XML, &doc); err != nil {
			t.Fatalf("output is not well-formed XML: %v", err)
		}
		if got := doc.ReleaseList.Release.DisplayTitle[0].TitleText; got != title && !needsReplacement(title) {
			t.Errorf("title read back as %q, want %q", got, title)
		}
	})
}

// needsReplacement reports whether s holds something XML 1.0 cannot carry
// (invalid UTF-8, control characters, U+FFFE/U+FFFF) or that XML
// normalises (carriage returns).
func needsReplacement(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case r == '\r', r < 0x20, r == 0xFFFE, r == 0xFFFF, r == utf8.RuneError:
			return true
		}
	}
	return false
}
