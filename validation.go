package tonegrid

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Severities of a validation item: a blocking item stops a submit, a
// warning does not.
const (
	SeverityBlocking = "blocking"
	SeverityWarning  = "warning"
)

// ValidationItem is one finding of the pre-delivery check of a release.
type ValidationItem struct {
	// Severity is SeverityBlocking or SeverityWarning.
	Severity string `json:"severity"`
	// Field is the path of what is wrong ("artwork", "tracks.2.audio").
	Field string `json:"field"`
	// Code is stable; Message explains it in English.
	Code    string `json:"code"`
	Message string `json:"message"`
	// DSP is the slug of the store whose rule it is, nil for rules of
	// every store.
	DSP *string `json:"dsp"`
}

// DSPRules are the technical requirements of a store.
type DSPRules struct {
	// MinArtworkPixels is the shortest side the cover may have.
	MinArtworkPixels int
	SquareArtwork    bool
	RGBArtwork       bool
	// MinSampleRate in Hz; BitDepths are the accepted PCM depths;
	// Channels the required channel count.
	MinSampleRate int
	BitDepths     []int
	Channels      int
	// ForbiddenTitleWords may not appear as words in titles or versions.
	ForbiddenTitleWords []string
	// ComposerCredits requires a composer on every track.
	ComposerCredits bool
}

// defaultDSPRules are what every store asks for.
var defaultDSPRules = DSPRules{
	MinArtworkPixels:    3000,
	SquareArtwork:       true,
	RGBArtwork:          true,
	MinSampleRate:       44100,
	BitDepths:           []int{16, 24},
	Channels:            2,
	ForbiddenTitleWords: []string{"explicit", "clean"},
}

// RulesFor returns the requirements of the store with slug.
func RulesFor(slug string) DSPRules {
	r := defaultDSPRules
	if slug == "apple-music" {
		r.ComposerCredits = true
	}
	return r
}

// ReleaseCheck is what the pre-delivery validation reads: the release with
// its tracks (in order), the writers of each track by track uuid, the
// stores it will go to, and today's date.
type ReleaseCheck struct {
	Release *Release
	Writers map[string][]TrackWriter
	DSPs    []*DSP
	// PoolAssignsUPC says the workspace's UPC pool has a free code for a
	// release without one.
	PoolAssignsUPC bool
	Today          Date
}

// ValidateRelease lists what stands between a release and its stores:
// metadata rules of every store first (DSP nil), then each store's own
// rules, in the order of c.DSPs.
func ValidateRelease(c ReleaseCheck) []ValidationItem {
	var v validation
	r := c.Release
	if len(r.Tracks) == 0 {
		v.add(SeverityBlocking, "tracks", "tracks_missing", "The release has no tracks.", nil)
	}
	if r.ReleaseDate == nil {
		v.add(SeverityBlocking, "release_date", "release_date_missing", "The release has no release date.", nil)
	} else if r.ReleaseDate.Before(c.Today.AddDays(7)) {
		v.add(SeverityBlocking, "release_date", "release_date_too_soon", "The release date is less than 7 days from today.", nil)
	}
	if r.ReleaseDate != nil && r.OriginalReleaseDate != nil && r.ReleaseDate.Before(*r.OriginalReleaseDate) {
		v.add(SeverityBlocking, "original_release_date", "original_date_after_release",
			"The original release date is after the release date.", nil)
	}
	switch {
	case r.UPC == "" && c.PoolAssignsUPC:
		v.add(SeverityWarning, "upc", "upc_from_pool", "The release has no UPC; one from the workspace's UPC pool is assigned at approval.", nil)
	case r.UPC == "":
		v.add(SeverityBlocking, "upc", "upc_missing", "The release has no UPC and the workspace's UPC pool has no free code.", nil)
	}
	if r.PLine == nil {
		v.add(SeverityWarning, "p_line", "p_line_missing", "The release has no ℗ line; stores show the label name instead.", nil)
	}
	if r.CLine == nil {
		v.add(SeverityWarning, "c_line", "c_line_missing", "The release has no © line; stores show the label name instead.", nil)
	}
	explicitTracks := false
	seen := map[[2]int]int{}
	for i, t := range r.Tracks {
		field := "tracks." + strconv.Itoa(i)
		if t.ISRC == "" {
			v.add(SeverityBlocking, field+".isrc", "isrc_missing", fmt.Sprintf("Track %d has no ISRC.", i+1), nil)
		}
		key := [2]int{t.DiscNumber, t.Position}
		if first, dup := seen[key]; dup {
			v.add(SeverityBlocking, field+".position", "position_duplicate",
				fmt.Sprintf("Track %d has the same disc and position (%d-%d) as track %d.", i+1, t.DiscNumber, t.Position, first+1), nil)
		} else {
			seen[key] = i
		}
		if t.PreviewStartS != nil && t.Audio != nil && t.Audio.DurationMS > 0 && int64(*t.PreviewStartS)*1000 >= t.Audio.DurationMS {
			v.add(SeverityBlocking, field+".preview_start_s", "preview_after_end",
				fmt.Sprintf("Track %d's preview starts after the end of its audio.", i+1), nil)
		}
		explicitTracks = explicitTracks || t.Explicit
	}
	if explicitTracks && r.ParentalAdvisory != AdvisoryExplicit {
		v.add(SeverityWarning, "parental_advisory", "advisory_mismatch",
			"A track is explicit but the release's parental advisory is not explicit.", nil)
	}
	for _, d := range c.DSPs {
		v.dspRules(c, d.Slug, RulesFor(d.Slug))
	}
	return v.items
}

// validation collects items.
type validation struct{ items []ValidationItem }

func (v *validation) add(severity, field, code, message string, dsp *string) {
	v.items = append(v.items, ValidationItem{Severity: severity, Field: field, Code: code, Message: message, DSP: dsp})
}

// dspRules checks the release against one store's requirements.
func (v *validation) dspRules(c ReleaseCheck, slug string, rules DSPRules) {
	dsp := &slug
	r := c.Release
	if a := r.Artwork; a == nil {
		v.add(SeverityBlocking, "artwork", "artwork_missing", "The release has no artwork.", dsp)
	} else {
		if min(a.Width, a.Height) < rules.MinArtworkPixels {
			v.add(SeverityBlocking, "artwork", "artwork_too_small",
				fmt.Sprintf("Artwork must be at least %d×%d pixels (it is %d×%d).", rules.MinArtworkPixels, rules.MinArtworkPixels, a.Width, a.Height), dsp)
		}
		if rules.SquareArtwork && a.Width != a.Height {
			v.add(SeverityBlocking, "artwork", "artwork_not_square", fmt.Sprintf("Artwork must be square (it is %d×%d).", a.Width, a.Height), dsp)
		}
		if rules.RGBArtwork && !strings.EqualFold(a.ColorModel, "RGB") {
			v.add(SeverityBlocking, "artwork", "artwork_not_rgb", fmt.Sprintf("Artwork must be RGB without transparency (it is %s).", a.ColorModel), dsp)
		}
	}
	v.titleWords(rules, "", r.Title, r.Version, r.LocalizedTitles, dsp)
	for i, t := range r.Tracks {
		field := "tracks." + strconv.Itoa(i)
		v.titleWords(rules, field+".", t.Title, t.Version, t.LocalizedTitles, dsp)
		v.audio(rules, field, i, t.Audio, dsp)
		if rules.ComposerCredits && !hasComposer(t, c.Writers[t.UUID]) {
			v.add(SeverityBlocking, field+".writers", "composer_missing",
				fmt.Sprintf("Track %d needs a composer credit (PUT /tracks/:uuid/writers or a contributor with role composer).", i+1), dsp)
		}
	}
}

// audio checks one track's audio against the store's requirements.
func (v *validation) audio(rules DSPRules, field string, i int, a *Audio, dsp *string) {
	field += ".audio"
	if a == nil {
		v.add(SeverityBlocking, field, "audio_missing", fmt.Sprintf("Track %d has no audio.", i+1), dsp)
		return
	}
	if a.Channels != rules.Channels {
		v.add(SeverityBlocking, field, "audio_channels",
			fmt.Sprintf("Track %d's audio must have %d channels (it has %d).", i+1, rules.Channels, a.Channels), dsp)
	}
	if !slices.Contains(rules.BitDepths, a.BitDepth) {
		v.add(SeverityBlocking, field, "audio_bit_depth",
			fmt.Sprintf("Track %d's audio must be lossless at %s bits (it is %s).", i+1, joinInts(rules.BitDepths), describeDepth(a)), dsp)
	}
	if a.SampleRate < rules.MinSampleRate {
		v.add(SeverityBlocking, field, "audio_sample_rate",
			fmt.Sprintf("Track %d's audio must be sampled at %d Hz or more (it is %d Hz).", i+1, rules.MinSampleRate, a.SampleRate), dsp)
	}
}

// titleWords flags forbidden words in a title, its version and its
// localized titles; prefix is "" for the release, "tracks.N." for a track.
func (v *validation) titleWords(rules DSPRules, prefix, title, version string, localized map[string]string, dsp *string) {
	check := func(field, text string) {
		if w := forbiddenWord(text, rules.ForbiddenTitleWords); w != "" {
			v.add(SeverityBlocking, field, "title_forbidden_word",
				fmt.Sprintf("%q may not be part of a title or version; use parental_advisory and explicit instead.", w), dsp)
		}
	}
	check(prefix+"title", title)
	check(prefix+"version", version)
	locales := make([]string, 0, len(localized))
	for l := range localized {
		locales = append(locales, l)
	}
	sort.Strings(locales)
	for _, l := range locales {
		check(prefix+"localized_titles."+l, localized[l])
	}
}

// forbiddenWord returns the first word of text that is one of words
// (compared without case), as written in text, or "".
func forbiddenWord(text string, words []string) string {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
		for _, f := range words {
			if strings.EqualFold(w, f) {
				return w
			}
		}
	}
	return ""
}

// hasComposer reports whether a track credits a composer, as a writer or a
// contributor.
func hasComposer(t *Track, writers []TrackWriter) bool {
	for _, w := range writers {
		if w.Role == WriterComposer || w.Role == WriterComposerLyricist {
			return true
		}
	}
	for _, c := range t.Contributors {
		if c.Role == WriterComposer {
			return true
		}
	}
	return false
}

// describeDepth renders an audio file's depth for a message: "24-bit" or,
// for lossy files without one, the format.
func describeDepth(a *Audio) string {
	if a.BitDepth == 0 {
		return strings.ToUpper(a.Format)
	}
	return strconv.Itoa(a.BitDepth) + "-bit"
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, " or ")
}
