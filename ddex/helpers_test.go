package ddex

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tonegrid"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// Fixed parties and times, so the golden files are stable.
var (
	testSender    = Party{DPID: "PADPIDA2024010101T", Name: "ToneGrid Distribution"}
	testRecipient = Party{DPID: "PADPIDA2024020202S", Name: "Example Store"}
	testCreatedAt = time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)
)

func date(y int, m time.Month, d int) *tonegrid.Date {
	return &tonegrid.Date{Year: y, Month: m, Day: d}
}

// releaseOptions describe a test release; the zero value is a one-track
// single, worldwide, with artwork.
type releaseOptions struct {
	upc         string
	typ         string
	title       string
	tracks      int
	discs       int
	featured    bool // every third track features a second artist
	localized   bool // fr and ja titles on the release and odd tracks
	territories []string
	advisory    string
	noArtwork   bool
	variousArts bool // every track by its own artist
}

// newTestRelease builds a complete, valid release from o.
func newTestRelease(o releaseOptions) *tonegrid.Release {
	if o.upc == "" {
		o.upc = "0123456789012"
	}
	if o.typ == "" {
		o.typ = tonegrid.ReleaseTypeSingle
	}
	if o.title == "" {
		o.title = "Night & Day <Remastered>"
	}
	if o.tracks == 0 {
		o.tracks = 1
	}
	if o.discs == 0 {
		o.discs = 1
	}
	if o.territories == nil {
		o.territories = []string{"WW"}
	}
	if o.advisory == "" {
		o.advisory = tonegrid.AdvisoryNone
	}
	main := tonegrid.ArtistCredit{ArtistUUID: "a-0001", Name: "Léa & The \"Quotes\"", Role: tonegrid.ArtistPrimary}
	rel := &tonegrid.Release{
		UUID:                "r-0001",
		Title:               o.title,
		Type:                o.typ,
		Artists:             []tonegrid.ArtistCredit{main},
		LabelName:           "Example Records",
		UPC:                 o.upc,
		CatalogNumber:       "EXR-001",
		ReleaseDate:         date(2025, 4, 4),
		OriginalReleaseDate: date(2024, 12, 1),
		Genre:               "Pop",
		Subgenre:            "Synth-pop",
		Language:            "en",
		PLine:               &tonegrid.Line{Year: 2025, Holder: "Example Records"},
		CLine:               &tonegrid.Line{Year: 2025, Holder: "Example Records"},
		ParentalAdvisory:    o.advisory,
		Territories:         o.territories,
		PriceTier:           "FRONTLINE",
		TrackCount:          o.tracks,
	}
	if o.localized {
		rel.LocalizedTitles = map[string]string{"ja": "夜と昼", "fr": "Nuit et jour"}
	}
	if !o.noArtwork {
		rel.Artwork = &tonegrid.Artwork{
			MediaUUID: "m-cover", Format: "jpeg", Width: 3000, Height: 3000, Size: 2_345_678,
			MD5: "0cc175b9c0f1b6a831c399e269772661", SHA256: strings.Repeat("ab", 32),
		}
	}
	perDisc := (o.tracks + o.discs - 1) / o.discs
	for i := range o.tracks {
		n := i + 1
		preview := 30
		t := &tonegrid.Track{
			UUID:       fmt.Sprintf("t-%04d", n),
			Title:      fmt.Sprintf("Song %d", n),
			ISRC:       fmt.Sprintf("QZABC25%05d", n),
			DiscNumber: i/perDisc + 1,
			Position:   i%perDisc + 1,
			Explicit:   o.advisory == tonegrid.AdvisoryExplicit && n%2 == 1,
			Language:   "en",
			Contributors: []tonegrid.Contributor{
				{Name: "Ann Writer", Role: "composer"},
				{Name: "Bob Words", Role: "lyricist"},
				{Name: "Cy Knobs", Role: "producer"},
			},
			PreviewStartS: &preview,
			Audio: &tonegrid.Audio{
				MediaUUID: fmt.Sprintf("m-%04d", n), Format: "flac", SampleRate: 44100, BitDepth: 24, Channels: 2,
				DurationMS: int64(180_000 + 7_250*n), Size: int64(30_000_000 + n),
				MD5: fmt.Sprintf("%032x", n), SHA256: fmt.Sprintf("%064x", n),
			},
		}
		if n == 2 {
			t.Version = "Radio Edit"
			t.Contributors = append(t.Contributors, tonegrid.Contributor{Name: "Dee Whistle", Role: "Whistler"})
		}
		if o.featured && n%3 == 0 {
			t.Artists = []tonegrid.ArtistCredit{main, {ArtistUUID: fmt.Sprintf("a-f%03d", n), Name: fmt.Sprintf("Guest %d", n), Role: tonegrid.ArtistFeatured}}
		}
		if o.variousArts {
			t.Artists = []tonegrid.ArtistCredit{{ArtistUUID: fmt.Sprintf("a-v%03d", n), Name: fmt.Sprintf("Artist %d", n), Role: tonegrid.ArtistPrimary}}
		}
		if o.localized && n%2 == 1 {
			t.LocalizedTitles = map[string]string{"fr": fmt.Sprintf("Chanson %d", n), "ja": fmt.Sprintf("歌 %d", n)}
		}
		rel.Tracks = append(rel.Tracks, t)
	}
	return rel
}

// newTestMessage is the NewRelease input for rel with deals.
func newTestMessage(rel *tonegrid.Release, deals []Deal) NewRelease {
	return NewRelease{
		MessageID: "TG-" + rel.UPC + "-1",
		ThreadID:  "TG-" + rel.UPC,
		CreatedAt: testCreatedAt,
		Control:   TestMessage,
		Sender:    testSender,
		Recipient: testRecipient,
		Release:   rel,
		Deals:     deals,
	}
}

// mustDeals makes deals or fails the test.
func mustDeals(t testing.TB, o DealOptions) []Deal {
	t.Helper()
	deals, err := NewDeals(o)
	if err != nil {
		t.Fatalf("NewDeals: %v", err)
	}
	return deals
}

// checkGolden compares got with testdata/golden/name, rewriting it under
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -run %s -update to create it): %v", t.Name(), err)
	}
	if !bytes.Equal(got, want) {
		gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gotLines), len(wantLines)) {
			var g, w string
			if i < len(gotLines) {
				g = gotLines[i]
			}
			if i < len(wantLines) {
				w = wantLines[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden file at line %d:\n got: %s\nwant: %s\n(run with -update if the change is intended)", name, i+1, g, w)
			}
		}
	}
}

// schemaPath returns the ERN 4.3 XSD to validate against: $TONEGRID_DDEX_XSD,
// else ../shared/ddex/ern/43/release-notification.xsd from the repository
// root. Without xmllint or the XSD the test is skipped, or fails under
// CI=true.
func schemaPath(t testing.TB) string {
	t.Helper()
	path := os.Getenv("TONEGRID_DDEX_XSD")
	if path == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatalf("find repository root: %v", err)
		}
		path = filepath.Join(root, "..", "shared", "ddex", "ern", "43", "release-notification.xsd")
	}
	var missing []string
	if _, err := exec.LookPath("xmllint"); err != nil {
		missing = append(missing, "xmllint is not installed (apt-get install -y libxml2-utils)")
	}
	if _, err := os.Stat(path); err != nil {
		missing = append(missing, fmt.Sprintf("the ERN 4.3 XSD is not at %s (set TONEGRID_DDEX_XSD)", path))
	}
	if len(missing) > 0 {
		msg := "XSD validation unavailable: " + strings.Join(missing, "; ")
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// repoRoot is the nearest directory above the working directory holding
// go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// validateFiles runs xmllint on files against xsd in one process and fails
// the test with xmllint's complaints.
func validateFiles(t testing.TB, xsd string, files ...string) {
	t.Helper()
	if err := runXmllint(xsd, files...); err != nil {
		t.Fatalf("xmllint rejected some of %d file(s): %v", len(files), err)
	}
}

// runXmllint validates files against xsd, returning xmllint's output as the
// error when any is invalid.
func runXmllint(xsd string, files ...string) error {
	args := append([]string{"--noout", "--nonet", "--schema", xsd}, files...)
	out, err := exec.Command("xmllint", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	return nil
}

// validateDocs writes docs (name → bytes) to a temporary directory and
// validates them all against xsd.
func validateDocs(t testing.TB, xsd string, docs map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for name, data := range docs {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	validateFiles(t, xsd, files...)
}
