package ddex

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"tonegrid"
)

// NewRelease is what one NewReleaseMessage says about one release to one
// store.
type NewRelease struct {
	// MessageID is unique per sender and never reused.
	MessageID string
	// ThreadID ties the messages about one release together; optional.
	ThreadID string
	// CreatedAt is the message's creation time, given so output is stable.
	CreatedAt time.Time
	Control   ControlType
	// Sender is the platform, Recipient the store.
	Sender    Party
	Recipient Party
	// Release is the release with its Tracks (and their Audio), Artists
	// (names filled) and Artwork.
	Release *tonegrid.Release
	// LabelName is the label the release is on; Release.LabelName when
	// empty.
	LabelName string
	// ReleaseDate is the store's release date; Release.ReleaseDate when nil.
	ReleaseDate *tonegrid.Date
	// Deals are the deals to send (see NewDeals). NewReleaseMessage needs at
	// least one; TakedownMessage ends or drops them.
	Deals []Deal
}

// Message is a built ERN message and the files it refers to.
type Message struct {
	MessageID string
	// ICPN is the release's UPC/EAN, which names its folder and files.
	ICPN string
	// FileName is the name the message is uploaded under: <ICPN>.xml.
	FileName string
	XML      []byte
	// Files are the resources the message refers to, in resource order.
	Files []ResourceFile
}

// MD5 returns the hex MD5 of the message bytes, as the batch manifest wants.
func (m *Message) MD5() string {
	sum := md5.Sum(m.XML)
	return hex.EncodeToString(sum[:])
}

// Resource kinds of a ResourceFile.
const (
	ResourceAudio = "audio"
	ResourceImage = "image"
)

// ResourceFolder is the folder, next to the message, that holds its files.
const ResourceFolder = "resources"

// ResourceFile is one file a message refers to: the delivery code uploads
// the media MediaUUID under URI (relative to the message) and the store checks
// it against Size and MD5.
type ResourceFile struct {
	// Reference is the resource's reference in the message (A1, A2…).
	Reference string
	// Kind is ResourceAudio or ResourceImage.
	Kind string
	// Name is the file name: <ICPN>_<disc>_<track>.<ext> or <ICPN>.<ext>.
	Name string
	// URI is the path in the message: resources/<Name>.
	URI       string
	Size      int64
	MD5       string
	SHA256    string
	MediaUUID string
}

// NewReleaseMessage builds the ERN 4.3 NewReleaseMessage delivering (or
// re-delivering) a release with its deals. It returns an error wrapping
// ErrInvalid, listing every problem, when the input cannot make a valid
// message.
//
// Tracks are ordered by disc and position and renumbered from 1 without
// gaps: resources A1…An in that order (the cover is An+1), track releases
// R1…Rn, files <ICPN>_<disc>_<track>.<ext> (two and three digits) and
// <ICPN>.<ext> for the cover. One disc lists its tracks in the release's
// ResourceGroup; several get one Component group each. Parties are PArtist<n>
// (by artist UUID), PContributor<n> (by name, reusing an artist of the same
// name) and PLabel. Localized titles become extra DisplayTitles with their
// LanguageAndScriptCode, "WW" becomes Worldwide, the release's advisory
// explicit/clean/none becomes Explicit/ExplicitContentEdited/NotExplicit
// (NoAdviceAvailable when unset) and each track is Explicit or NotExplicit by
// its own flag. Every deal applies to the main release and all track
// releases.
func NewReleaseMessage(in NewRelease) (*Message, error) {
	const doing = "build new release message"
	if len(in.Deals) == 0 {
		return nil, fmt.Errorf("%s: %w: no deals (a message without deals takes the release down: use TakedownMessage)", doing, ErrInvalid)
	}
	return buildNewRelease(in, doing)
}

// TakedownStyle is how a takedown message withdraws a release.
type TakedownStyle int

// The takedown styles. ERN 4 has no takedown flag: a NewReleaseMessage is the
// whole truth about a release, so the release and resource metadata are
// re-sent and only the deals change (ERN Part 1 §6.19.4).
const (
	// TakedownWithoutDeals omits the DealList: no deal, no availability,
	// everywhere at once.
	TakedownWithoutDeals TakedownStyle = iota + 1
	// TakedownEndToday re-sends the deals with EndDate set to the UTC date
	// of CreatedAt (the last day of availability).
	TakedownEndToday
	// TakedownEndNow re-sends the deals with the validity written as
	// StartDateTime/EndDateTime, ending at CreatedAt.
	TakedownEndNow
)

// TakedownMessage builds a NewReleaseMessage that takes the release down:
// the same metadata as a delivery, with in.Deals dropped or ended now
// according to style. The batch manifest lists it with DeliveryType TakeDown.
func TakedownMessage(in NewRelease, style TakedownStyle) (*Message, error) {
	const doing = "build takedown message"
	switch style {
	case TakedownWithoutDeals:
		in.Deals = nil
	case TakedownEndToday, TakedownEndNow:
		if len(in.Deals) == 0 {
			return nil, fmt.Errorf("%s: %w: no deals to end (use TakedownWithoutDeals)", doing, ErrInvalid)
		}
		in.Deals = endDeals(in.Deals, in.CreatedAt, style == TakedownEndToday)
	default:
		return nil, fmt.Errorf("%s: %w: unknown takedown style %d", doing, ErrInvalid, style)
	}
	return buildNewRelease(in, doing)
}

// The fixed references of a NewReleaseMessage.
const (
	mainReleaseRef = "R0"
	labelPartyRef  = "PLabel"
)

type audioFormat struct{ ext, codec, container string }

// audioFormats maps Audio.Format (lower case) to the file extension, the AVS
// AudioCodecType and the AVS ContainerFormat.
var audioFormats = map[string]audioFormat{
	"wav":  {"wav", "PCM", "WAV"},
	"flac": {"flac", "FLAC", ""},
	"aiff": {"aiff", "PCM", "AIFF"},
	"aif":  {"aiff", "PCM", "AIFF"},
	"mp3":  {"mp3", "MP3", ""},
	"aac":  {"aac", "AAC", ""},
	"m4a":  {"m4a", "AAC", "MP4"},
}

type imageFormat struct{ ext, codec string }

// imageFormats maps Artwork.Format (lower case) to the file extension and
// the AVS ImageCodecType.
var imageFormats = map[string]imageFormat{
	"jpeg": {"jpg", "JPEG"},
	"jpg":  {"jpg", "JPEG"},
	"png":  {"png", "PNG"},
	"tiff": {"tif", "TIFF"},
	"tif":  {"tif", "TIFF"},
	"gif":  {"gif", "GIF"},
}

// contributorRoles maps domain contributor roles (lower case, words joined
// by "_") to AVS ContributorRole values; other roles are written as
// UserDefined in the sender's namespace.
var contributorRoles = map[string]string{
	"composer":           "Composer",
	"lyricist":           "Lyricist",
	"composer_lyricist":  "ComposerLyricist",
	"songwriter":         "ComposerLyricist",
	"arranger":           "Arranger",
	"producer":           "StudioProducer",
	"co_producer":        "CoProducer",
	"executive_producer": "ExecutiveProducer",
	"mixer":              "MixingEngineer",
	"mixing_engineer":    "MixingEngineer",
	"mastering_engineer": "MasteringEngineer",
	"recording_engineer": "RecordingEngineer",
	"engineer":           "Engineer",
	"remixer":            "Remixer",
	"conductor":          "Conductor",
	"musician":           "Musician",
	"vocalist":           "Vocalist",
}

var releaseTypes = map[string]string{
	tonegrid.ReleaseTypeSingle:      "Single",
	tonegrid.ReleaseTypeEP:          "EP",
	tonegrid.ReleaseTypeAlbum:       "Album",
	tonegrid.ReleaseTypeCompilation: "Album",
}

var advisories = map[string]string{
	tonegrid.AdvisoryExplicit: "Explicit",
	tonegrid.AdvisoryClean:    "ExplicitContentEdited",
	tonegrid.AdvisoryNone:     "NotExplicit",
	"":                        "NoAdviceAvailable",
}

// placedTrack is a track with its place on the release and its references.
type placedTrack struct {
	track        *tonegrid.Track
	disc, number int // 1-based, renumbered without gaps
	resourceRef  string
	technicalRef string
	releaseRef   string
}

// newReleaseBuilder accumulates one message and the problems found on the
// way, so that one error can name them all.
type newReleaseBuilder struct {
	p       problems
	in      NewRelease
	rel     *tonegrid.Release
	icpn    string
	sender  string
	parties partyList
	tracks  []placedTrack
	files   []ResourceFile
	isrcs   map[string]bool
}

func buildNewRelease(in NewRelease, doing string) (*Message, error) {
	b := &newReleaseBuilder{in: in, rel: in.Release, sender: in.Sender.DPID, isrcs: map[string]bool{}}
	if b.rel == nil {
		return nil, fmt.Errorf("%s: %w: no release", doing, ErrInvalid)
	}
	b.icpn = b.rel.UPC
	doc := b.document()
	if err := b.p.err(doing); err != nil {
		return nil, err
	}
	out, err := writeDocument(doc, "ern", "NewReleaseMessage", ERNNamespace)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", doing, err)
	}
	return &Message{MessageID: in.MessageID, ICPN: b.icpn, FileName: MessageFileName(b.icpn), XML: out, Files: b.files}, nil
}

func (b *newReleaseBuilder) document() *ernNewReleaseMessage {
	in, p := b.in, &b.p
	if strings.TrimSpace(in.MessageID) == "" {
		p.add("no message id")
	}
	checkCreatedAt(p, in.CreatedAt)
	checkControl(p, in.Control)
	checkParty(p, "sender", in.Sender)
	checkParty(p, "recipient", in.Recipient)
	checkICPN(p, b.icpn)
	lang := messageLanguage(p, b.rel.Language)

	b.placeTracks()
	b.collectParties()
	doc := &ernNewReleaseMessage{
		ReleaseProfileVersionID: ReleaseProfile,
		LanguageAndScriptCode:   lang,
		AvsVersionID:            AVSVersion,
		MessageHeader: ernMessageHeader{
			MessageThreadID:        in.ThreadID,
			MessageID:              in.MessageID,
			MessageFileName:        MessageFileName(b.icpn),
			MessageSender:          messagingParty(in.Sender),
			MessageRecipient:       []ernMessagingParty{messagingParty(in.Recipient)},
			MessageCreatedDateTime: dateTime(in.CreatedAt),
			MessageControlType:     string(in.Control),
		},
	}
	for i := range b.tracks {
		doc.ResourceList.SoundRecording = append(doc.ResourceList.SoundRecording, b.soundRecording(&b.tracks[i]))
	}
	image := b.image()
	if image != nil {
		doc.ResourceList.Image = []ernImage{*image}
	}
	doc.ReleaseList.Release = b.mainRelease(image)
	for _, t := range b.tracks {
		doc.ReleaseList.TrackRelease = append(doc.ReleaseList.TrackRelease, b.trackRelease(t))
	}
	doc.DealList = b.dealList()
	doc.PartyList = ernPartyList{Party: b.parties.list}
	return doc
}

// placeTracks orders the tracks by disc and position and gives them their
// numbers and references.
func (b *newReleaseBuilder) placeTracks() {
	if len(b.rel.Tracks) == 0 {
		b.p.add("the release has no tracks")
		return
	}
	tracks := make([]*tonegrid.Track, 0, len(b.rel.Tracks))
	for i, t := range b.rel.Tracks {
		if t == nil {
			b.p.add("track %d is missing", i+1)
			continue
		}
		tracks = append(tracks, t)
	}
	disc := func(t *tonegrid.Track) int { return max(t.DiscNumber, 1) }
	slices.SortStableFunc(tracks, func(x, y *tonegrid.Track) int {
		if d := disc(x) - disc(y); d != 0 {
			return d
		}
		return x.Position - y.Position
	})
	discNumber, number, lastDisc := 0, 0, -1
	for i, t := range tracks {
		if disc(t) != lastDisc {
			discNumber, number, lastDisc = discNumber+1, 0, disc(t)
		}
		number++
		n := strconv.Itoa(i + 1)
		b.tracks = append(b.tracks, placedTrack{
			track: t, disc: discNumber, number: number,
			resourceRef: "A" + n, technicalRef: "T" + n, releaseRef: "R" + n,
		})
	}
}

// trackCredits are the artists of a track: its own, else the release's.
func (b *newReleaseBuilder) trackCredits(t *tonegrid.Track) []tonegrid.ArtistCredit {
	if len(t.Artists) > 0 {
		return t.Artists
	}
	return b.rel.Artists
}

// collectParties gives every artist, then every contributor, then the label
// a party reference, in order of first appearance.
func (b *newReleaseBuilder) collectParties() {
	b.parties = newPartyList()
	for _, c := range b.rel.Artists {
		b.parties.artist(c)
	}
	for _, pt := range b.tracks {
		for _, c := range b.trackCredits(pt.track) {
			b.parties.artist(c)
		}
	}
	for _, pt := range b.tracks {
		for _, c := range pt.track.Contributors {
			if strings.TrimSpace(c.Name) != "" {
				b.parties.contributor(c.Name)
			}
		}
	}
	label := b.in.LabelName
	if label == "" {
		label = b.rel.LabelName
	}
	if strings.TrimSpace(label) == "" {
		b.p.add("the release has no label name")
	}
	b.parties.list = append(b.parties.list, ernParty{PartyReference: labelPartyRef, PartyName: []ernPartyName{{FullName: label}}})
}

// displayArtists writes credits as DisplayArtistName and DisplayArtist,
// checking there is a named primary artist.
func (b *newReleaseBuilder) displayArtists(what string, credits []tonegrid.ArtistCredit) ([]ernText, []ernDisplayArtist) {
	primary := false
	var artists []ernDisplayArtist
	for i, c := range credits {
		if strings.TrimSpace(c.Name) == "" {
			b.p.add("%s artist %d has no name", what, i+1)
		}
		role := "MainArtist"
		if c.Role == tonegrid.ArtistFeatured {
			role = "FeaturedArtist"
		} else {
			primary = true
		}
		artists = append(artists, ernDisplayArtist{SequenceNumber: i + 1, ArtistPartyReference: b.parties.artist(c), DisplayArtistRole: role})
	}
	if !primary {
		b.p.add("%s has no primary artist", what)
	}
	name := []ernText{{Value: tonegrid.DisplayArtist(credits), ApplicableTerritoryCode: Worldwide, IsDefault: true}}
	return name, artists
}

// titles writes a title, its version and its localized forms as
// DisplayTitleText and DisplayTitle blocks.
func (b *newReleaseBuilder) titles(what, title, version string, localized map[string]string) ([]ernText, []ernDisplayTitle) {
	if strings.TrimSpace(title) == "" {
		b.p.add("%s has no title", what)
	}
	var sub []ernSubTitle
	text := title
	if version != "" {
		sub = []ernSubTitle{{Value: version, SubTitleType: "Version"}}
		text = title + " (" + version + ")"
	}
	out := []ernDisplayTitle{{ApplicableTerritoryCode: Worldwide, IsDefault: true, TitleText: title, SubTitle: sub}}
	for _, lang := range slices.Sorted(maps.Keys(localized)) {
		if !languagePattern.MatchString(lang) {
			b.p.add("%s localized title language %q is not an RFC 5646 language tag", what, lang)
		}
		if strings.TrimSpace(localized[lang]) == "" {
			b.p.add("%s localized title for %q is empty", what, lang)
		}
		out = append(out, ernDisplayTitle{LanguageAndScriptCode: lang, ApplicableTerritoryCode: Worldwide, TitleText: localized[lang], SubTitle: sub})
	}
	return []ernText{{Value: text}}, out
}

func (b *newReleaseBuilder) pLine() []ernPLine {
	l := b.rel.PLine
	if l == nil || l.Holder == "" {
		return nil
	}
	year := b.lineYear("P line", l.Year)
	return []ernPLine{{Year: gYear(year), PLineCompany: l.Holder, PLineText: lineText("(P)", year, l.Holder)}}
}

func (b *newReleaseBuilder) cLine() []ernCLine {
	l := b.rel.CLine
	if l == nil || l.Holder == "" {
		return nil
	}
	year := b.lineYear("C line", l.Year)
	return []ernCLine{{Year: gYear(year), CLineCompany: l.Holder, CLineText: lineText("(C)", year, l.Holder)}}
}

func (b *newReleaseBuilder) lineYear(what string, year int) int {
	if year < 0 || year > 9999 {
		b.p.add("%s year %d is not between 1 and 9999", what, year)
		return 0
	}
	return year
}

// gYear writes a year as xs:gYear wants it, with at least four digits; 0 is
// no year.
func gYear(year int) string {
	if year == 0 {
		return ""
	}
	return fmt.Sprintf("%04d", year)
}

func lineText(symbol string, year int, holder string) string {
	if year == 0 {
		return symbol + " " + holder
	}
	return symbol + " " + strconv.Itoa(year) + " " + holder
}

func (b *newReleaseBuilder) soundRecording(pt *placedTrack) ernSoundRecording {
	t := pt.track
	what := fmt.Sprintf("track %d-%d", pt.disc, pt.number)
	isrc := strings.ToUpper(t.ISRC)
	if !isrcPattern.MatchString(isrc) {
		b.p.add("%s ISRC %q is not CCXXXYYNNNNN", what, t.ISRC)
	}
	if isrc != "" && b.isrcs[isrc] {
		b.p.add("%s repeats the ISRC %s", what, isrc)
	}
	b.isrcs[isrc] = true
	sr := ernSoundRecording{
		ResourceReference: pt.resourceRef,
		Type:              "MusicalWorkSoundRecording",
		SoundRecordingEdition: []ernSoundRecordingEdition{{
			ResourceID: []ernSoundRecordingID{{ISRC: isrc}},
			PLine:      b.pLine(),
		}},
		Duration:            "PT0S",
		ParentalWarningType: []string{"NotExplicit"},
	}
	sr.DisplayTitleText, sr.DisplayTitle = b.titles(what, t.Title, t.Version, t.LocalizedTitles)
	sr.DisplayArtistName, sr.DisplayArtist = b.displayArtists(what, b.trackCredits(t))
	for i, c := range t.Contributors {
		if strings.TrimSpace(c.Name) == "" {
			b.p.add("%s contributor %d has no name", what, i+1)
			continue
		}
		sr.Contributor = append(sr.Contributor, ernContributor{
			SequenceNumber:            i + 1,
			ContributorPartyReference: b.parties.contributor(c.Name),
			Role:                      []ernRole{b.contributorRole(what, c.Role)},
		})
	}
	if t.Explicit {
		sr.ParentalWarningType = []string{"Explicit"}
	}
	if t.Language != "" {
		if languagePattern.MatchString(t.Language) {
			sr.LanguageOfPerformance = []string{t.Language}
		} else {
			b.p.add("%s language %q is not an RFC 5646 language tag", what, t.Language)
		}
	}
	if t.Audio == nil {
		b.p.add("%s has no audio", what)
		return sr
	}
	a := t.Audio
	if a.DurationMS <= 0 {
		b.p.add("%s audio has no duration", what)
	}
	sr.Duration = isoDuration(max(a.DurationMS, 0))
	sr.SoundRecordingEdition[0].TechnicalDetails = []ernSoundRecordingTechnics{b.audioDetails(what, pt)}
	return sr
}

func (b *newReleaseBuilder) contributorRole(what, role string) ernRole {
	key := strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(role)))
	if key == "" {
		b.p.add("%s has a contributor without a role", what)
		return ernRole{Value: "Unknown"}
	}
	if v, ok := contributorRoles[key]; ok {
		return ernRole{Value: v}
	}
	return ernRole{Value: "UserDefined", Namespace: b.sender, UserDefinedValue: role}
}

func (b *newReleaseBuilder) audioDetails(what string, pt *placedTrack) ernSoundRecordingTechnics {
	a := pt.track.Audio
	format, ok := audioFormats[strings.ToLower(a.Format)]
	if !ok {
		b.p.add("%s audio format %q is not WAV, FLAC, AIFF, MP3, AAC or M4A", what, a.Format)
		format = audioFormat{ext: "bin"}
	}
	if a.SampleRate < 0 || a.BitDepth < 0 || a.Channels < 0 {
		b.p.add("%s audio has a negative sample rate, bit depth or channel count", what)
	}
	name := fmt.Sprintf("%s_%02d_%03d.%s", b.icpn, pt.disc, pt.number, format.ext)
	rf := b.resourceFile(what, pt.resourceRef, ResourceAudio, name, a.Size, a.MD5, a.SHA256, a.MediaUUID)
	file := ernDeliveryFile(rf)
	df := ernAudioDeliveryFile{
		Type:             "AudioFile",
		ContainerFormat:  format.container,
		AudioCodecType:   format.codec,
		NumberOfChannels: max(a.Channels, 0),
		BitsPerSample:    max(a.BitDepth, 0),
		File:             &file,
	}
	if a.SampleRate > 0 {
		df.SamplingRate = &ernMeasure{Value: strconv.Itoa(a.SampleRate), UnitOfMeasure: "Hz"}
	}
	details := ernSoundRecordingTechnics{TechnicalResourceDetailsReference: pt.technicalRef, DeliveryFile: []ernAudioDeliveryFile{df}}
	if s := pt.track.PreviewStartS; s != nil {
		if *s < 0 || (a.DurationMS > 0 && int64(*s)*1000 >= a.DurationMS) {
			b.p.add("%s preview start %ds is outside the audio", what, *s)
		}
		details.ClipDetails = []ernClipDetails{{
			TechnicalResourceDetailsReference: pt.technicalRef + "C",
			ClipType:                          "Preview",
			Timing:                            []ernTiming{{StartPoint: strconv.Itoa(*s)}},
			ExpressionType:                    "Instructive",
		}}
	}
	return details
}

// resourceFile records a file of the message, checking its size and hashes.
func (b *newReleaseBuilder) resourceFile(what, ref, kind, name string, size int64, md5Hex, sha256Hex, media string) ResourceFile {
	md5Hex, sha256Hex = strings.ToLower(md5Hex), strings.ToLower(sha256Hex)
	if size < 0 {
		b.p.add("%s file size %d is negative", what, size)
	}
	if md5Hex != "" && !md5Pattern.MatchString(md5Hex) {
		b.p.add("%s MD5 %q is not 32 hex digits", what, md5Hex)
	}
	if sha256Hex != "" && !sha256Pattern.MatchString(sha256Hex) {
		b.p.add("%s SHA-256 %q is not 64 hex digits", what, sha256Hex)
	}
	rf := ResourceFile{
		Reference: ref, Kind: kind, Name: name, URI: ResourceFolder + "/" + name,
		Size: max(size, 0), MD5: md5Hex, SHA256: sha256Hex, MediaUUID: media,
	}
	b.files = append(b.files, rf)
	return rf
}

// ernDeliveryFile is the File composite of rf. The schema allows one
// HashSum per file: MD5, or SHA-256 when there is no MD5.
func ernDeliveryFile(rf ResourceFile) ernFile {
	f := ernFile{URI: rf.URI, FileSize: rf.Size}
	switch {
	case rf.MD5 != "":
		f.HashSum = &ernHashSum{Algorithm: "MD5", HashSumValue: rf.MD5}
	case rf.SHA256 != "":
		f.HashSum = &ernHashSum{Algorithm: "SHA-256", HashSumValue: rf.SHA256}
	}
	return f
}

// image is the front cover, or nil when the release has no artwork.
func (b *newReleaseBuilder) image() *ernImage {
	art := b.rel.Artwork
	if art == nil {
		return nil
	}
	n := strconv.Itoa(len(b.tracks) + 1)
	format, ok := imageFormats[strings.ToLower(art.Format)]
	if !ok {
		b.p.add("artwork format %q is not JPEG, PNG, TIFF or GIF", art.Format)
		format = imageFormat{ext: "bin"}
	}
	if art.Width <= 0 || art.Height <= 0 {
		b.p.add("artwork size %dx%d is not positive", art.Width, art.Height)
	}
	rf := b.resourceFile("artwork", "A"+n, ResourceImage, b.icpn+"."+format.ext, art.Size, art.MD5, art.SHA256, art.MediaUUID)
	file := ernDeliveryFile(rf)
	id := art.MediaUUID
	if id == "" {
		id = b.icpn + "_cover"
	}
	return &ernImage{
		ResourceReference: rf.Reference,
		Type:              "FrontCoverImage",
		ResourceID:        []ernResourceProprID{{ProprietaryID: []ernNamespaced{{Namespace: b.sender, Value: id}}}},
		TechnicalDetails: []ernImageTechnics{{
			TechnicalResourceDetailsReference: "T" + n,
			ImageCodecType:                    format.codec,
			ImageHeight:                       &ernMeasure{Value: strconv.Itoa(max(art.Height, 0)), UnitOfMeasure: "Pixel"},
			ImageWidth:                        &ernMeasure{Value: strconv.Itoa(max(art.Width, 0)), UnitOfMeasure: "Pixel"},
			File:                              &file,
		}},
	}
}

func (b *newReleaseBuilder) genre() []ernGenre {
	if strings.TrimSpace(b.rel.Genre) == "" {
		b.p.add("the release has no genre")
	}
	return []ernGenre{{ApplicableTerritoryCode: Worldwide, GenreText: b.rel.Genre, SubGenre: b.rel.Subgenre}}
}

func (b *newReleaseBuilder) labelRef() []ernLabelRef {
	return []ernLabelRef{{Value: labelPartyRef, ApplicableTerritoryCode: Worldwide}}
}

func (b *newReleaseBuilder) mainRelease(cover *ernImage) *ernRelease {
	rel := b.rel
	r := &ernRelease{
		ReleaseReference:      mainReleaseRef,
		ReleaseID:             ernReleaseID{ICPN: b.icpn},
		ReleaseLabelReference: b.labelRef(),
		PLine:                 b.pLine(),
		CLine:                 b.cLine(),
		Genre:                 b.genre(),
	}
	releaseType, ok := releaseTypes[rel.Type]
	if !ok {
		b.p.add("release type %q is not single, ep, album or compilation", rel.Type)
	}
	r.ReleaseType = []string{releaseType}
	if rel.CatalogNumber != "" {
		r.ReleaseID.CatalogNumber = &ernNamespaced{Namespace: b.sender, Value: rel.CatalogNumber}
	}
	r.DisplayTitleText, r.DisplayTitle = b.titles("the release", rel.Title, rel.Version, rel.LocalizedTitles)
	r.DisplayArtistName, r.DisplayArtist = b.displayArtists("the release", rel.Artists)

	var total int64
	for _, pt := range b.tracks {
		if pt.track.Audio != nil && pt.track.Audio.DurationMS > 0 {
			total += pt.track.Audio.DurationMS
		}
	}
	if total > 0 {
		r.Duration = isoDuration(total)
	}
	releaseDate := b.in.ReleaseDate
	if releaseDate == nil {
		releaseDate = rel.ReleaseDate
	}
	if releaseDate != nil {
		checkDate(&b.p, "release date", *releaseDate)
		r.ReleaseDate = []ernEventDate{{Value: releaseDate.String(), ApplicableTerritoryCode: Worldwide, IsDefault: true}}
	}
	if d := rel.OriginalReleaseDate; d != nil {
		checkDate(&b.p, "original release date", *d)
		r.OriginalReleaseDate = []ernEventDate{{Value: d.String(), ApplicableTerritoryCode: Worldwide, IsDefault: true}}
	}
	warning, ok := advisories[rel.ParentalAdvisory]
	if !ok {
		b.p.add("parental advisory %q is not explicit, clean or none", rel.ParentalAdvisory)
	}
	r.ParentalWarningType = []string{warning}
	if rel.Type == tonegrid.ReleaseTypeCompilation {
		single := b.singleArtistCompilation()
		multi := !single
		r.IsSingleArtistCompilation, r.IsMultiArtistCompilation = nilIfFalse(single), nilIfFalse(multi)
	}
	r.ResourceGroup = b.resourceGroup(cover)
	return r
}

func nilIfFalse(v bool) *bool {
	if !v {
		return nil
	}
	return &v
}

// singleArtistCompilation reports whether every track is by the release's
// primary artists.
func (b *newReleaseBuilder) singleArtistCompilation() bool {
	want := primaryNames(b.rel.Artists)
	for _, pt := range b.tracks {
		if !slices.Equal(primaryNames(b.trackCredits(pt.track)), want) {
			return false
		}
	}
	return true
}

func primaryNames(credits []tonegrid.ArtistCredit) []string {
	var names []string
	for _, c := range credits {
		if c.Role != tonegrid.ArtistFeatured {
			names = append(names, c.Name)
		}
	}
	slices.Sort(names)
	return names
}

// resourceGroup lists the tracks in order: directly for one disc, in one
// Component group per disc otherwise; the cover is linked to the whole.
func (b *newReleaseBuilder) resourceGroup(cover *ernImage) ernResourceGroup {
	group := ernResourceGroup{SequenceNumber: 1}
	discs := 0
	if len(b.tracks) > 0 {
		discs = b.tracks[len(b.tracks)-1].disc
	}
	for _, pt := range b.tracks {
		item := ernContentItem{SequenceNumber: pt.number, ReleaseResourceReference: pt.resourceRef}
		if discs == 1 {
			group.ResourceGroupContentItem = append(group.ResourceGroupContentItem, item)
			continue
		}
		if len(group.ResourceGroup) < pt.disc {
			group.ResourceGroup = append(group.ResourceGroup, ernResourceGroup{ResourceGroupType: "Component", SequenceNumber: pt.disc})
		}
		sub := &group.ResourceGroup[pt.disc-1]
		sub.ResourceGroupContentItem = append(sub.ResourceGroupContentItem, item)
	}
	if cover != nil {
		group.LinkedReleaseResourceReference = []ernLinkedRef{{Value: cover.ResourceReference, LinkDescription: "CoverArt"}}
	}
	return group
}

// trackRelease is the TrackRelease of a track, identified in the sender's
// namespace by <ICPN>_<ISRC>_<ReleaseReference> as in DDEX's own sample.
func (b *newReleaseBuilder) trackRelease(pt placedTrack) ernTrackRelease {
	id := b.icpn + "_" + strings.ToUpper(pt.track.ISRC) + "_" + pt.releaseRef
	return ernTrackRelease{
		ReleaseReference:         pt.releaseRef,
		ReleaseID:                ernReleaseID{ProprietaryID: []ernNamespaced{{Namespace: b.sender, Value: id}}},
		ReleaseResourceReference: pt.resourceRef,
		ReleaseLabelReference:    b.labelRef(),
		Genre:                    []ernGenre{{ApplicableTerritoryCode: Worldwide, GenreText: b.rel.Genre, SubGenre: b.rel.Subgenre}},
	}
}

// dealList offers every deal for the main release and all track releases,
// or is nil when there are no deals.
func (b *newReleaseBuilder) dealList() *ernDealList {
	if len(b.in.Deals) == 0 {
		return nil
	}
	rd := ernReleaseDeal{DealReleaseReference: []string{mainReleaseRef}}
	for _, pt := range b.tracks {
		rd.DealReleaseReference = append(rd.DealReleaseReference, pt.releaseRef)
	}
	for i, d := range b.in.Deals {
		rd.Deal = append(rd.Deal, ernDeal{DealTerms: dealTerms(&b.p, i, d, b.in.Recipient.DPID)})
	}
	return &ernDealList{ReleaseDeal: []ernReleaseDeal{rd}}
}

// partyList hands out party references: artists by UUID (by name when they
// have none), contributors by name, reusing an artist's party for a
// contributor of the same name.
type partyList struct {
	list         []ernParty
	byKey        map[string]string
	byName       map[string]string
	artists      int
	contributors int
}

func newPartyList() partyList {
	return partyList{byKey: map[string]string{}, byName: map[string]string{}}
}

func (pl *partyList) artist(c tonegrid.ArtistCredit) string {
	key := "uuid:" + c.ArtistUUID
	if c.ArtistUUID == "" {
		if ref, ok := pl.byName[c.Name]; ok {
			return ref
		}
		key = "name:" + c.Name
	}
	if ref, ok := pl.byKey[key]; ok {
		return ref
	}
	pl.artists++
	ref := "PArtist" + strconv.Itoa(pl.artists)
	pl.byKey[key] = ref
	if _, ok := pl.byName[c.Name]; !ok {
		pl.byName[c.Name] = ref
	}
	pl.list = append(pl.list, ernParty{PartyReference: ref, PartyName: []ernPartyName{{FullName: c.Name}}})
	return ref
}

func (pl *partyList) contributor(name string) string {
	if ref, ok := pl.byName[name]; ok {
		return ref
	}
	pl.contributors++
	ref := "PContributor" + strconv.Itoa(pl.contributors)
	pl.byName[name] = ref
	pl.list = append(pl.list, ernParty{PartyReference: ref, PartyName: []ernPartyName{{FullName: name}}})
	return ref
}
