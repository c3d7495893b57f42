package ddex

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"tonegrid"
)

// ernCase is one ERN message the golden, XSD and stability tests build.
type ernCase struct {
	name  string
	build func(t testing.TB) ([]byte, error)
}

func newReleaseCase(name string, rel func() *tonegrid.Release, deals func(t testing.TB, rel *tonegrid.Release) []Deal) ernCase {
	return ernCase{name: name, build: func(t testing.TB) ([]byte, error) {
		r := rel()
		m, err := NewReleaseMessage(newTestMessage(r, deals(t, r)))
		if err != nil {
			return nil, err
		}
		return m.XML, nil
	}}
}

func takedownCase(name string, style TakedownStyle) ernCase {
	return ernCase{name: name, build: func(t testing.TB) ([]byte, error) {
		rel := albumRelease()
		in := newTestMessage(rel, mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming, DealDownload}, Release: rel}))
		in.MessageID = "TG-" + rel.UPC + "-2"
		m, err := TakedownMessage(in, style)
		if err != nil {
			return nil, err
		}
		return m.XML, nil
	}}
}

// albumRelease is 20 tracks on 2 discs, listed out of order, with featured
// artists and French and Japanese titles.
func albumRelease() *tonegrid.Release {
	rel := newTestRelease(releaseOptions{
		typ: tonegrid.ReleaseTypeAlbum, title: "Twenty", tracks: 20, discs: 2,
		featured: true, localized: true, advisory: tonegrid.AdvisoryExplicit,
	})
	rel.Version = "Deluxe"
	slices.Reverse(rel.Tracks)
	return rel
}

func ernCases() []ernCase {
	worldwide := func(kinds ...DealKind) func(testing.TB, *tonegrid.Release) []Deal {
		return func(t testing.TB, rel *tonegrid.Release) []Deal {
			return mustDeals(t, DealOptions{Kinds: kinds, Release: rel})
		}
	}
	return []ernCase{
		newReleaseCase("single.xml", func() *tonegrid.Release {
			return newTestRelease(releaseOptions{})
		}, worldwide(DealStreaming, DealDownload)),
		newReleaseCase("album-two-discs.xml", albumRelease, worldwide(DealStreaming, DealDownload, DealUGC)),
		newReleaseCase("territories-us-ca-gb.xml", func() *tonegrid.Release {
			return newTestRelease(releaseOptions{typ: tonegrid.ReleaseTypeEP, tracks: 3, territories: []string{"us", "CA", "GB"}, advisory: tonegrid.AdvisoryClean})
		}, worldwide(DealStreaming, DealDownload)),
		newReleaseCase("territories-excluded.xml", func() *tonegrid.Release {
			return newTestRelease(releaseOptions{typ: tonegrid.ReleaseTypeEP, tracks: 2})
		}, func(t testing.TB, rel *tonegrid.Release) []Deal {
			rights := &tonegrid.Rights{TerritoriesExcluded: []string{"RU", "CN", "KP"}, RightsTypes: []string{"stream", "ugc"}}
			return mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming, DealDownload}, Release: rel, Rights: rights})
		}),
		newReleaseCase("compilation.xml", func() *tonegrid.Release {
			return newTestRelease(releaseOptions{typ: tonegrid.ReleaseTypeCompilation, tracks: 4, variousArts: true, noArtwork: true})
		}, func(t testing.TB, rel *tonegrid.Release) []Deal {
			store := &tonegrid.ReleaseDSP{ReleaseDate: date(2025, 5, 1), PriceTier: "MID"}
			return mustDeals(t, DealOptions{Kinds: []DealKind{DealDownload}, Release: rel, Store: store, End: date(2030, 12, 31)})
		}),
		takedownCase("takedown-without-deals.xml", TakedownWithoutDeals),
		takedownCase("takedown-end-today.xml", TakedownEndToday),
		takedownCase("takedown-end-now.xml", TakedownEndNow),
		{name: "purge.xml", build: func(testing.TB) ([]byte, error) {
			return PurgeReleaseMessage(testPurge())
		}},
	}
}

func testPurge() Purge {
	rel := newTestRelease(releaseOptions{title: "Corrupt & Gone"})
	rel.Artists = append(rel.Artists, tonegrid.ArtistCredit{Name: "Guest", Role: tonegrid.ArtistFeatured})
	return Purge{
		MessageID: "TG-PURGE-1", ThreadID: "TG-" + rel.UPC, CreatedAt: testCreatedAt, Control: LiveMessage,
		Sender: testSender, Recipient: testRecipient, Release: rel,
	}
}

func TestMessagesMatchGoldenFiles(t *testing.T) {
	for _, c := range ernCases() {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.build(t)
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			checkGolden(t, c.name, got)
		})
	}
}

func TestMessagesValidateAgainstXSD(t *testing.T) {
	xsd := schemaPath(t)
	docs := map[string][]byte{}
	for _, c := range ernCases() {
		got, err := c.build(t)
		if err != nil {
			t.Fatalf("build %s: %v", c.name, err)
		}
		docs[c.name] = got
	}
	validateDocs(t, xsd, docs)
}

func TestMessagesAreByteStable(t *testing.T) {
	for _, c := range ernCases() {
		first, err1 := c.build(t)
		second, err2 := c.build(t)
		if err1 != nil || err2 != nil {
			t.Fatalf("build %s: %v, %v", c.name, err1, err2)
		}
		if !bytes.Equal(first, second) {
			t.Errorf("%s: two builds of the same input differ", c.name)
		}
	}
}

// TestSamplesValidateWithHarness runs DDEX's samples and the project's
// examples through the same xmllint harness, so a harness that passes
// everything (or nothing) shows up.
func TestSamplesValidateWithHarness(t *testing.T) {
	xsd := schemaPath(t)
	shared := filepath.Join(filepath.Dir(xsd), "..", "..")
	var files []string
	for _, dir := range []string{"samples/ern43", "examples/ern43"} {
		found, _ := filepath.Glob(filepath.Join(shared, dir, "*.xml"))
		files = append(files, found...)
	}
	if len(files) == 0 {
		msg := "no DDEX samples or examples next to " + xsd
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	validateFiles(t, xsd, files...)

	broken := bytes.Replace(mustRead(t, files[0]), []byte("<MessageHeader>"), []byte("<MessageHeader><Bogus/>"), 1)
	path := filepath.Join(t.TempDir(), "broken.xml")
	if err := os.WriteFile(path, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := runXmllint(xsd, path); err == nil {
		t.Errorf("xmllint accepted %s with an unknown element: the harness cannot fail", filepath.Base(files[0]))
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestNewReleaseRoundTrip(t *testing.T) {
	rel := albumRelease()
	rel.Title = `Quotes "&" <angles> 'apostrophes' ünïcödé 夜`
	msg, err := NewReleaseMessage(newTestMessage(rel, mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel})))
	if err != nil {
		t.Fatalf("NewReleaseMessage: %v", err)
	}
	var doc ernNewReleaseMessage
	if err := xml.Unmarshal(msg.XML, &doc); err != nil {
		t.Fatalf("parse own output: %v", err)
	}
	main := doc.ReleaseList.Release
	if main == nil {
		t.Fatal("no main release in the output")
	}
	checks := []struct{ what, got, want string }{
		{"message id", doc.MessageHeader.MessageID, msg.MessageID},
		{"sender", doc.MessageHeader.MessageSender.PartyID, testSender.DPID},
		{"created", doc.MessageHeader.MessageCreatedDateTime, "2025-03-14T09:26:53Z"},
		{"ICPN", main.ReleaseID.ICPN, rel.UPC},
		{"release type", main.ReleaseType[0], "Album"},
		{"title", main.DisplayTitle[0].TitleText, rel.Title},
		{"title text", main.DisplayTitleText[0].Value, rel.Title + " (Deluxe)"},
		{"French title", main.DisplayTitle[1].TitleText, "Nuit et jour"},
		{"French language", main.DisplayTitle[1].LanguageAndScriptCode, "fr"},
		{"Japanese title", main.DisplayTitle[2].TitleText, "夜と昼"},
		{"release date", main.ReleaseDate[0].Value, "2025-04-04"},
		{"warning", main.ParentalWarningType[0], "Explicit"},
		{"deal territory", doc.DealList.ReleaseDeal[0].Deal[0].DealTerms.TerritoryCode[0], Worldwide},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}

	srs := doc.ResourceList.SoundRecording
	if len(srs) != 20 {
		t.Fatalf("%d sound recordings, want 20", len(srs))
	}
	for i, sr := range srs {
		disc, pos := i/10+1, i%10+1
		wantISRC := tonegridISRC(rel, disc, pos)
		if got := sr.SoundRecordingEdition[0].ResourceID[0].ISRC; got != wantISRC {
			t.Errorf("resource %d ISRC = %s, want %s (disc %d, position %d)", i+1, got, wantISRC, disc, pos)
		}
		uri := sr.SoundRecordingEdition[0].TechnicalDetails[0].DeliveryFile[0].File.URI
		if uri != msg.Files[i].URI {
			t.Errorf("resource %d file %s, but Files lists %s", i+1, uri, msg.Files[i].URI)
		}
	}
	if got, want := msg.Files[0].Name, "0123456789012_01_001.flac"; got != want {
		t.Errorf("first file %s, want %s", got, want)
	}
	if got, want := msg.Files[19].Name, "0123456789012_02_010.flac"; got != want {
		t.Errorf("last track file %s, want %s", got, want)
	}
	if got := msg.Files[20]; got.Name != "0123456789012.jpg" || got.Kind != ResourceImage || got.Reference != "A21" {
		t.Errorf("cover file = %+v, want 0123456789012.jpg, image, A21", got)
	}

	groups := main.ResourceGroup.ResourceGroup
	if len(groups) != 2 || groups[0].ResourceGroupType != "Component" || len(groups[1].ResourceGroupContentItem) != 10 {
		t.Errorf("resource groups = %+v, want two Component groups of 10", groups)
	}
	if len(doc.ReleaseList.TrackRelease) != 20 || len(doc.DealList.ReleaseDeal[0].DealReleaseReference) != 21 {
		t.Errorf("%d track releases and %d deal references, want 20 and 21",
			len(doc.ReleaseList.TrackRelease), len(doc.DealList.ReleaseDeal[0].DealReleaseReference))
	}
	parties := map[string]bool{}
	for _, p := range doc.PartyList.Party {
		parties[p.PartyReference] = true
	}
	for _, sr := range srs {
		for _, a := range sr.DisplayArtist {
			if !parties[a.ArtistPartyReference] {
				t.Errorf("%s refers to unknown party %s", sr.ResourceReference, a.ArtistPartyReference)
			}
		}
	}
	featured := srs[2].DisplayArtist
	if len(featured) != 2 || featured[1].DisplayArtistRole != "FeaturedArtist" {
		t.Errorf("track 1-3 artists = %+v, want a main and a featured artist", featured)
	}
}

// tonegridISRC is the ISRC of the track at disc/position in rel.
func tonegridISRC(rel *tonegrid.Release, disc, pos int) string {
	for _, t := range rel.Tracks {
		if t.DiscNumber == disc && t.Position == pos {
			return t.ISRC
		}
	}
	return ""
}

func TestTakedownStyles(t *testing.T) {
	rel := albumRelease()
	deals := mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel})
	in := newTestMessage(rel, deals)

	tests := []struct {
		style             TakedownStyle
		wantDeals         bool
		wantStart, wantEn string
	}{
		{TakedownWithoutDeals, false, "", ""},
		{TakedownEndToday, true, "2025-03-14", "2025-03-14"},
		{TakedownEndNow, true, "2025-03-14T00:00:00Z", "2025-03-14T09:26:53Z"},
	}
	for _, tt := range tests {
		msg, err := TakedownMessage(in, tt.style)
		if err != nil {
			t.Fatalf("style %d: %v", tt.style, err)
		}
		var doc ernNewReleaseMessage
		if err := xml.Unmarshal(msg.XML, &doc); err != nil {
			t.Fatal(err)
		}
		if (doc.DealList != nil) != tt.wantDeals {
			t.Fatalf("style %d: DealList present = %v, want %v", tt.style, doc.DealList != nil, tt.wantDeals)
		}
		if len(doc.ResourceList.SoundRecording) != 20 {
			t.Errorf("style %d: %d sound recordings, want the full metadata (20)", tt.style, len(doc.ResourceList.SoundRecording))
		}
		if !tt.wantDeals {
			continue
		}
		// The release date (2025-04-04) is after the takedown: the deal
		// starts when it ends instead of ending before it starts.
		vp := doc.DealList.ReleaseDeal[0].Deal[0].DealTerms.ValidityPeriod[0]
		gotStart, gotEnd := vp.StartDate+vp.StartDateTime, vp.EndDate+vp.EndDateTime
		if gotStart != tt.wantStart || gotEnd != tt.wantEn {
			t.Errorf("style %d: validity %s..%s, want %s..%s", tt.style, gotStart, gotEnd, tt.wantStart, tt.wantEn)
		}
	}
	if deals[0].Validity.End != nil || deals[0].Validity.EndTime != nil {
		t.Error("TakedownMessage changed the caller's deals")
	}
	if _, err := TakedownMessage(newTestMessage(rel, nil), TakedownEndToday); !errors.Is(err, ErrInvalid) {
		t.Errorf("ending no deals: err = %v, want ErrInvalid", err)
	}
}

func TestEndDealsKeepsEarlierEnds(t *testing.T) {
	early := testCreatedAt.Add(-48 * 3600e9)
	deals := []Deal{
		{Validity: Validity{Start: *date(2020, 1, 1), End: date(2025, 1, 31)}},
		{Validity: Validity{Start: *date(2020, 1, 1), EndTime: &early}},
	}
	byDate := endDeals(deals, testCreatedAt, true)
	if got := byDate[0].Validity.End.String(); got != "2025-01-31" {
		t.Errorf("end date = %s, want the earlier 2025-01-31", got)
	}
	if got := byDate[1].Validity.End.String(); got != "2025-03-12" {
		t.Errorf("end date from an earlier end time = %s, want 2025-03-12", got)
	}
	precise := endDeals(deals, testCreatedAt, false)
	if got := dateTime(*precise[0].Validity.EndTime); got != "2025-02-01T00:00:00Z" {
		t.Errorf("end time from end date = %s, want the day after the last day", got)
	}
	if got := dateTime(*precise[1].Validity.EndTime); got != "2025-03-12T09:26:53Z" {
		t.Errorf("end time = %s, want the earlier one", got)
	}
}

func TestNewReleaseMessageRefusesInvalidInput(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *NewRelease)
		want   string
	}{
		{"no deals", func(in *NewRelease) { in.Deals = nil }, "no deals"},
		{"bad sender DPID", func(in *NewRelease) { in.Sender.DPID = "DPID123" }, "sender DPID"},
		{"no control type", func(in *NewRelease) { in.Control = "" }, "message control type"},
		{"no message id", func(in *NewRelease) { in.MessageID = " " }, "no message id"},
		{"no creation time", func(in *NewRelease) { in.CreatedAt = time.Time{} }, "no creation time"},
		{"creation time past 9999", func(in *NewRelease) { in.CreatedAt = in.CreatedAt.AddDate(8000, 0, 0) }, "creation time"},
		{"impossible release date", func(in *NewRelease) { in.ReleaseDate = date(2025, 2, 30) }, "release date 2025-02-30"},
		{"bad UPC", func(in *NewRelease) { in.Release.UPC = "12-34" }, "UPC"},
		{"bad ISRC", func(in *NewRelease) { in.Release.Tracks[0].ISRC = "QZ-ABC-25-00001" }, "ISRC"},
		{"duplicate ISRC", func(in *NewRelease) { in.Release.Tracks[1].ISRC = in.Release.Tracks[0].ISRC }, "repeats the ISRC"},
		{"no audio", func(in *NewRelease) { in.Release.Tracks[0].Audio = nil }, "has no audio"},
		{"odd audio format", func(in *NewRelease) { in.Release.Tracks[0].Audio.Format = "ogg" }, "audio format"},
		{"bad MD5", func(in *NewRelease) { in.Release.Tracks[0].Audio.MD5 = "xyz" }, "MD5"},
		{"bad localized language", func(in *NewRelease) { in.Release.LocalizedTitles = map[string]string{"fr_FR": "Titre"} }, "localized title language"},
		{"no title", func(in *NewRelease) { in.Release.Title = "" }, "has no title"},
		{"no primary artist", func(in *NewRelease) { in.Release.Artists[0].Role = tonegrid.ArtistFeatured }, "no primary artist"},
		{"no label", func(in *NewRelease) { in.Release.LabelName = "" }, "label name"},
		{"no genre", func(in *NewRelease) { in.Release.Genre = "" }, "genre"},
		{"unknown type", func(in *NewRelease) { in.Release.Type = "mixtape" }, "release type"},
		{"unknown advisory", func(in *NewRelease) { in.Release.ParentalAdvisory = "spicy" }, "parental advisory"},
		{"bad territory", func(in *NewRelease) { in.Deals[0].Territories = []string{"UK"} }, `territory "UK"`},
		{"bad use type", func(in *NewRelease) { in.Deals[0].UseTypes = []string{"Stream2"} }, "use type"},
		{"deal without start", func(in *NewRelease) { in.Deals[0].Validity.Start = tonegrid.Date{} }, "deal 1 start"},
		{"deal ending before start", func(in *NewRelease) { in.Deals[0].Validity.End = date(2000, 1, 1) }, "before its start"},
		{"preview past the end", func(in *NewRelease) { s := 9999; in.Release.Tracks[0].PreviewStartS = &s }, "preview start"},
		{"tiny artwork", func(in *NewRelease) { in.Release.Artwork.Width = 0 }, "artwork size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := newTestRelease(releaseOptions{tracks: 2})
			in := newTestMessage(rel, mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel}))
			tt.change(&in)
			_, err := NewReleaseMessage(in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestNewReleaseMessageListsEveryProblem(t *testing.T) {
	rel := newTestRelease(releaseOptions{})
	rel.UPC, rel.Genre = "x", ""
	_, err := NewReleaseMessage(newTestMessage(rel, mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming}, Release: newTestRelease(releaseOptions{})})))
	for _, want := range []string{"UPC", "genre"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to mention %q", err, want)
		}
	}
}

func TestInvalidXMLCharactersAreReplaced(t *testing.T) {
	rel := newTestRelease(releaseOptions{})
	rel.Title = "Bell\x07 and \uFFFE end\xff"
	msg, err := NewReleaseMessage(newTestMessage(rel, mustDeals(t, DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel})))
	if err != nil {
		t.Fatalf("NewReleaseMessage: %v", err)
	}
	var doc ernNewReleaseMessage
	if err := xml.Unmarshal(msg.XML, &doc); err != nil {
		t.Fatalf("output is not well-formed: %v", err)
	}
	if got := doc.ReleaseList.Release.DisplayTitle[0].TitleText; got != "Bell\uFFFD and \uFFFD end\uFFFD" {
		t.Errorf("title = %q, want the invalid characters replaced by U+FFFD", got)
	}
}

func TestISODuration(t *testing.T) {
	tests := []struct {
		ms   int64
		want string
	}{
		{0, "PT0S"},
		{999, "PT0.999S"},
		{201_000, "PT3M21S"},
		{201_500, "PT3M21.5S"},
		{3_600_000, "PT1H0M0S"},
		{3_725_040, "PT1H2M5.04S"},
	}
	for _, tt := range tests {
		if got := isoDuration(tt.ms); got != tt.want {
			t.Errorf("isoDuration(%d) = %s, want %s", tt.ms, got, tt.want)
		}
	}
}
