package mediatest

// Box is an ISO BMFF box of the given type holding parts.
func Box(kind string, parts ...[]byte) []byte {
	body := Cat(parts...)
	return Cat(BE32(8+len(body)), []byte(kind), body)
}

// LargeBox is a box written with a 64-bit size.
func LargeBox(kind string, body []byte) []byte {
	return Cat(BE32(1), []byte(kind), BE64(uint64(16+len(body))), body)
}

// FullBox is a box with a version and zero flags.
func FullBox(kind string, version byte, parts ...[]byte) []byte {
	return Box(kind, Cat([]byte{version, 0, 0, 0}, Cat(parts...)))
}

// FTyp is an ftyp box with the major brand and compatible brands.
func FTyp(major string, compatible ...string) []byte {
	body := Cat([]byte(major), BE32(0))
	for _, c := range compatible {
		body = append(body, c...)
	}
	return Box("ftyp", body)
}

// MVHD is a version 0 movie header.
func MVHD(timescale, duration int) []byte {
	return FullBox("mvhd", 0, BE32(0), BE32(0), BE32(timescale), BE32(duration), make([]byte, 80))
}

// Track describes a trak box for Trak.
type Track struct {
	Handler       string // hdlr type: "soun", "vide"…
	Duration      int    // tkhd, in the movie timescale
	Timescale     int    // mdhd
	MediaDuration int    // mdhd, in Timescale
	Entry         []byte // the one sample entry of stsd
}

// Trak is a trak box with tkhd (version 1, to cover 64-bit fields), mdia,
// mdhd, hdlr and a sample table holding one sample entry.
func Trak(t Track) []byte {
	tkhd := FullBox("tkhd", 1, BE64(0), BE64(0), BE32(1), BE32(0), BE64(uint64(t.Duration)), make([]byte, 60))
	mdhd := FullBox("mdhd", 0, BE32(0), BE32(0), BE32(t.Timescale), BE32(t.MediaDuration), BE32(0))
	hdlr := FullBox("hdlr", 0, BE32(0), []byte(t.Handler), make([]byte, 12), []byte("handler\x00"))
	stsd := FullBox("stsd", 0, BE32(1), t.Entry)
	minf := Box("minf", Box("stbl", stsd, FullBox("stts", 0, BE32(0))))
	return Box("trak", tkhd, Box("mdia", mdhd, hdlr, minf))
}

// SoundEntry is an ISO audio sample entry of the given type ("mp4a",
// "alac", "sowt"…) with child boxes.
func SoundEntry(kind string, channels, sampleSize, rate int, children ...[]byte) []byte {
	return Box(kind, make([]byte, 6), BE16(1), make([]byte, 8), BE16(channels), BE16(sampleSize),
		BE16(0), BE16(0), BE32(rate<<16), Cat(children...))
}

// ESDS is an esds box for AAC (object type 0x40) with an
// AudioSpecificConfig of AAC LC at the sample rate index and channels.
func ESDS(rateIndex, channels int) []byte {
	return ESDSFor(0x40, []byte{byte(2<<3 | rateIndex>>1), byte((rateIndex&1)<<7 | channels<<3)})
}

// ESDSFor is an esds box with the given object type and decoder specific
// info.
func ESDSFor(objectType byte, specific []byte) []byte {
	decSpecific := Cat([]byte{5, byte(len(specific))}, specific)
	decConfig := Cat([]byte{4, 0x80, 0x80, 0x80, byte(13 + len(decSpecific)), objectType, 0x15}, make([]byte, 11), decSpecific)
	es := Cat([]byte{3, byte(3 + len(decConfig) + 3)}, BE16(1), []byte{0}, decConfig, []byte{6, 1, 2})
	return FullBox("esds", 0, es)
}

// ALACBox is the ALACSpecificConfig box of an alac sample entry.
func ALACBox(bitDepth, channels, rate int) []byte {
	return FullBox("alac", 0, BE32(4096), []byte{0, byte(bitDepth), 40, 10, 14, byte(channels)},
		BE16(255), BE32(0), BE32(0), BE32(rate))
}

// VisualEntry is a visual sample entry of the given type ("avc1", "hvc1",
// "apcn"…) and size, with child boxes.
func VisualEntry(kind string, width, height int, children ...[]byte) []byte {
	return Box(kind, make([]byte, 6), BE16(1), make([]byte, 16), BE16(width), BE16(height),
		BE32(0x480000), BE32(0x480000), BE32(0), BE16(1), make([]byte, 32), BE16(24), BE16(0xffff), Cat(children...))
}

// aac is an AAC LC sample entry at 44.1 kHz, stereo.
func aac() []byte { return SoundEntry("mp4a", 2, 16, 44100, ESDS(4, 2)) }

// track is a Track of durationMS in a movie and media timescale of scale.
func track(handler string, scale, durationMS int, entry []byte) []byte {
	d := durationMS * scale / 1000
	return Trak(Track{Handler: handler, Duration: d, Timescale: scale, MediaDuration: d, Entry: entry})
}

// M4A is an MP4 audio file (brand M4A) of AAC LC, durationMS long.
func M4A(durationMS int) []byte {
	moov := Box("moov", MVHD(1000, durationMS), track("soun", 1000, durationMS, aac()))
	return Cat(FTyp("M4A ", "M4A ", "isom"), moov, Box("mdat", make([]byte, 1024)))
}

// MP4Video is an MP4 movie with an H.264 video track of width×height and
// an AAC sound track, durationMS long, whose media data is pad bytes.
func MP4Video(width, height, durationMS int, pad int) []byte {
	moov := Box("moov", MVHD(1000, durationMS), track("vide", 1000, durationMS, VisualEntry("avc1", width, height)),
		track("soun", 1000, durationMS, aac()))
	return Cat(FTyp("mp42", "mp42", "isom"), moov, Box("mdat", make([]byte, pad)))
}

// QuickTime is an H.264 movie of width×height in a QuickTime container
// (brand qt), durationMS long, without sound.
func QuickTime(width, height, durationMS int) []byte {
	moov := Box("moov", MVHD(600, durationMS*600/1000), track("vide", 600, durationMS, VisualEntry("avc1", width, height)))
	return Cat(FTyp("qt  ", "qt  "), moov, Box("mdat", make([]byte, 512)))
}
