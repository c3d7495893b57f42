package probe

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// MaxMovieHeader is the largest moov box the MP4/MOV probe buffers. The moov
// box is the only part of a movie read whole; media data is passed over.
const MaxMovieHeader = 64 << 20

// isoParser walks the top-level boxes of an ISO base media file (MP4, M4A)
// or QuickTime movie: it reads ftyp, buffers moov (up to MaxMovieHeader)
// wherever it sits, before or after mdat, and passes over everything else,
// 64-bit sizes included.
type isoParser struct {
	s      *stream
	ftyp   bool
	brand  string // major brand
	movie  *movie
	boxEnd int64 // where the box being passed over ends; -1 when it runs to the end
	// moovSize is the size of the moov box being read, 0 before.
	moovSize int64
}

func newISOParser(s *stream) *isoParser {
	p := &isoParser{s: s}
	s.read(8, p.box)
	return p
}

// box reads a top-level box header.
func (p *isoParser) box(b []byte) {
	size := int64(binary.BigEndian.Uint32(b))
	kind := string(b[4:8])
	switch size {
	case 1:
		p.s.read(8, func(b []byte) {
			large := binary.BigEndian.Uint64(b)
			if large < 16 || large > math.MaxInt64/2 {
				p.broken(malformed("%q box with 64-bit size %d", kind, large))
				return
			}
			p.body(kind, int64(large)-16)
		})
	case 0:
		p.body(kind, -1)
	default:
		if size < 8 {
			p.broken(malformed("%q box of %d bytes", kind, size))
			return
		}
		p.body(kind, size-8)
	}
}

// broken handles a top-level box header that makes no sense: a problem
// before the movie header, junk after it, which players ignore too.
func (p *isoParser) broken(err error) {
	if p.movie != nil {
		p.s.stop()
		return
	}
	p.s.fail(err)
}

// body handles the body of a top-level box of n bytes (-1: to the end).
func (p *isoParser) body(kind string, n int64) {
	switch {
	case kind == "ftyp" && !p.ftyp && n >= 8:
		p.ftyp = true
		p.s.read(4, func(b []byte) {
			p.brand = string(b)
			p.next(n - 4)
		})
	case kind == "moov" && p.movie == nil:
		if n < 0 {
			p.s.fail(fmt.Errorf("moov box running to the end of the stream: %w", ErrLimit))
			return
		}
		if n > MaxMovieHeader {
			p.s.fail(fmt.Errorf("moov box of %d bytes, over %d: %w", n, MaxMovieHeader, ErrLimit))
			return
		}
		if n == 0 {
			p.s.fail(malformed("empty moov box"))
			return
		}
		p.moovSize = n
		p.s.read(int(n), func(b []byte) {
			m, err := parseMovie(b)
			if err != nil {
				p.s.fail(err)
				return
			}
			p.movie = m
			p.next(0)
		})
	default:
		p.next(n)
	}
}

// next passes over n bytes (-1: the rest of the stream), then reads the
// next box header.
func (p *isoParser) next(n int64) {
	if n < 0 {
		p.boxEnd = -1
		p.s.discard(math.MaxInt64 - p.s.pos)
		p.s.stop()
		return
	}
	p.boxEnd = p.s.pos + n
	p.s.discard(n)
	p.s.read(8, p.box)
}

// finish checks the walk at the end of the stream.
func (p *isoParser) finish() error {
	if p.s.err != nil {
		return p.s.err
	}
	if p.movie == nil && p.moovSize > 0 {
		return malformed("stream ends %d bytes into a moov box of %d", len(p.s.buf), p.moovSize)
	}
	if p.movie == nil {
		return malformed("no moov box")
	}
	if p.boxEnd >= 0 && p.s.pos < p.boxEnd {
		return malformed("stream ends %d bytes inside a box", p.boxEnd-p.s.pos)
	}
	return nil
}

// quickTime reports whether the file is a QuickTime movie rather than MP4.
func (p *isoParser) quickTime() bool {
	return !p.ftyp || p.brand == "qt  "
}

// kind is the file's final kind and MIME type from its tracks, and false
// when no moov box was read.
func (p *isoParser) kind() (Kind, string, bool) {
	switch {
	case p.movie == nil:
		return KindUnknown, "", false
	case p.movie.track("vide") != nil && p.quickTime():
		return KindVideo, MIMEQuickTime, true
	case p.movie.track("vide") != nil:
		return KindVideo, MIMEMP4, true
	case p.movie.track("soun") != nil:
		return KindAudio, MIMEM4A, true
	case p.quickTime():
		return KindVideo, MIMEQuickTime, true
	}
	return KindAudioOrVideo, MIMEMP4, true
}

// movie is what the probe takes from a moov box.
type movie struct {
	timescale        uint32
	duration         uint64
	fragmentDuration uint64 // from mvex/mehd in fragmented files
	tracks           []track
}

// track is what the probe takes from a trak box.
type track struct {
	handler   string // "soun", "vide"…
	duration  uint64 // tkhd, in the movie's timescale
	timescale uint32 // mdhd
	mediaDur  uint64 // mdhd, in timescale
	entry     string // fourcc of the first sample entry
	// Sound sample entries.
	codec      string
	channels   int
	sampleRate int
	bitDepth   int
	// Visual sample entries.
	width, height int
}

// track returns the first track with handler, or nil.
func (m *movie) track(handler string) *track {
	for i := range m.tracks {
		if m.tracks[i].handler == handler {
			return &m.tracks[i]
		}
	}
	return nil
}

// durationMS is the movie's duration: mvhd's, else mehd's for a fragmented
// file, else the longest track's media duration.
func (m *movie) durationMS() int64 {
	if m.duration > 0 && m.timescale > 0 {
		return scaleMS(m.duration, m.timescale)
	}
	if m.fragmentDuration > 0 && m.timescale > 0 {
		return scaleMS(m.fragmentDuration, m.timescale)
	}
	var longest int64
	for _, t := range m.tracks {
		if t.timescale > 0 {
			longest = max(longest, scaleMS(t.mediaDur, t.timescale))
		}
	}
	return longest
}

// trackMS is a track's duration: its tkhd's, else its media's.
func (m *movie) trackMS(t *track) int64 {
	if t.duration > 0 && m.timescale > 0 {
		return scaleMS(t.duration, m.timescale)
	}
	if t.timescale > 0 {
		return scaleMS(t.mediaDur, t.timescale)
	}
	return m.durationMS()
}

// scaleMS converts a duration in timescale units to whole milliseconds.
func scaleMS(d uint64, timescale uint32) int64 {
	if d > math.MaxInt64/1000 {
		return int64(d / uint64(timescale) * 1000)
	}
	return int64(d * 1000 / uint64(timescale))
}

// parseMovie reads a moov box body.
func parseMovie(b []byte) (*movie, error) {
	m := &movie{}
	err := walkBoxes(b, func(kind string, body []byte) error {
		switch kind {
		case "mvhd":
			return m.mvhd(body)
		case "mvex":
			return walkBoxes(body, func(kind string, body []byte) error {
				if kind == "mehd" {
					m.fragmentDuration, _ = versionedUint(body, 0)
				}
				return nil
			})
		case "trak":
			t, err := parseTrack(body)
			if err != nil {
				return err
			}
			m.tracks = append(m.tracks, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read moov: %w", err)
	}
	return m, nil
}

// mvhd reads the movie header: version 0 has 32-bit times and duration,
// version 1 64-bit ones.
func (m *movie) mvhd(b []byte) error {
	if len(b) < 4 {
		return malformed("short mvhd")
	}
	if b[0] == 1 {
		if len(b) < 32 {
			return malformed("short mvhd")
		}
		m.timescale = binary.BigEndian.Uint32(b[20:])
		m.duration = knownDuration(binary.BigEndian.Uint64(b[24:]), 1)
		return nil
	}
	if len(b) < 20 {
		return malformed("short mvhd")
	}
	m.timescale = binary.BigEndian.Uint32(b[12:])
	m.duration = knownDuration(uint64(binary.BigEndian.Uint32(b[16:])), 0)
	return nil
}

// versionedUint reads a full box's version-dependent field at offset off
// (counted after version and flags): 32 bits in version 0, 64 in version 1.
func versionedUint(b []byte, off int) (uint64, bool) {
	if len(b) < 4 {
		return 0, false
	}
	if b[0] == 1 {
		if len(b) < 4+off+8 {
			return 0, false
		}
		return binary.BigEndian.Uint64(b[4+off:]), true
	}
	if len(b) < 4+off+4 {
		return 0, false
	}
	return uint64(binary.BigEndian.Uint32(b[4+off:])), true
}

// parseTrack reads a trak box body.
func parseTrack(b []byte) (track, error) {
	var t track
	err := walkBoxes(b, func(kind string, body []byte) error {
		switch kind {
		case "tkhd":
			return t.tkhd(body)
		case "mdia":
			return walkBoxes(body, t.mdia)
		}
		return nil
	})
	return t, err
}

// tkhd reads the track duration (in the movie's timescale), which follows
// creation and modification times, track ID and a reserved word.
func (t *track) tkhd(b []byte) error {
	at := 16
	if len(b) > 0 && b[0] == 1 {
		at = 24
	}
	d, ok := versionedUint(b, at)
	if !ok {
		return malformed("short tkhd")
	}
	t.duration = knownDuration(d, b[0])
	return nil
}

// knownDuration maps the all-ones "unknown" duration of a version 0 or 1
// header to 0.
func knownDuration(d uint64, version byte) uint64 {
	if (version == 0 && d == math.MaxUint32) || d == math.MaxUint64 {
		return 0
	}
	return d
}

// mdia reads the boxes inside mdia.
func (t *track) mdia(kind string, body []byte) error {
	switch kind {
	case "mdhd":
		// Creation and modification times, timescale, duration: 32-bit
		// times and duration in version 0, 64-bit in version 1.
		at := 12
		if len(body) > 0 && body[0] == 1 {
			at = 20
		}
		d, ok := versionedUint(body, at)
		if !ok {
			return malformed("short mdhd")
		}
		t.timescale = binary.BigEndian.Uint32(body[at:])
		t.mediaDur = knownDuration(d, body[0])
	case "hdlr":
		if len(body) < 12 {
			return malformed("short hdlr")
		}
		t.handler = string(body[8:12])
	case "minf":
		return walkBoxes(body, func(kind string, body []byte) error {
			if kind != "stbl" {
				return nil
			}
			return walkBoxes(body, func(kind string, body []byte) error {
				if kind != "stsd" {
					return nil
				}
				return t.stsd(body)
			})
		})
	}
	return nil
}

// stsd reads the first sample entry.
func (t *track) stsd(b []byte) error {
	if len(b) < 8 {
		return malformed("short stsd")
	}
	if binary.BigEndian.Uint32(b[4:]) == 0 {
		return nil
	}
	first := true
	return walkBoxes(b[8:], func(kind string, body []byte) error {
		if !first {
			return nil
		}
		first = false
		t.entry = kind
		switch t.handler {
		case "soun":
			return t.soundEntry(kind, body)
		case "vide":
			if len(body) < 28 {
				return malformed("short visual sample entry")
			}
			t.width = int(binary.BigEndian.Uint16(body[24:]))
			t.height = int(binary.BigEndian.Uint16(body[26:]))
			if len(body) >= 78 && (kind == "encv" || kind == "resv") {
				if original := protectedFormat(body[78:]); original != "" {
					t.entry = original
				}
			}
		}
		return nil
	})
}

// soundEntry reads an audio sample entry: the ISO fields, QuickTime sound
// description versions 1 and 2, and the codec boxes inside (esds, alac,
// dfLa, and QuickTime's wave wrapper).
func (t *track) soundEntry(kind string, b []byte) error {
	if len(b) < 28 {
		return malformed("short sound sample entry")
	}
	version := binary.BigEndian.Uint16(b[8:])
	t.channels = int(binary.BigEndian.Uint16(b[16:]))
	t.bitDepth = int(binary.BigEndian.Uint16(b[18:]))
	t.sampleRate = int(binary.BigEndian.Uint32(b[24:]) >> 16)
	children := 28
	var flags uint32
	switch version {
	case 1:
		children = 44
	case 2:
		if len(b) < 64 {
			return malformed("short sound sample entry")
		}
		rate := math.Float64frombits(binary.BigEndian.Uint64(b[32:]))
		if rate > 0 && rate < math.MaxInt32 {
			t.sampleRate = int(rate)
		}
		t.channels = int(binary.BigEndian.Uint32(b[40:]))
		t.bitDepth = int(binary.BigEndian.Uint32(b[48:]))
		flags = binary.BigEndian.Uint32(b[52:])
		children = 64
	}
	if kind == "enca" {
		if original := protectedFormat(b[min(children, len(b)):]); original != "" {
			kind = original
		}
	}
	t.codec = soundCodec(kind, t.bitDepth, flags)
	if !isPCMEntry(kind) {
		t.bitDepth = 0
	}
	if children < len(b) {
		// The codec boxes refine what the entry says; a broken one leaves
		// the entry's own fields, as players do.
		_ = t.soundBoxes(b[children:], true)
	}
	return nil
}

// soundBoxes reads the codec configuration boxes of a sound sample entry
// and, when top is set, of the QuickTime wave box among them.
func (t *track) soundBoxes(b []byte, top bool) error {
	return walkBoxes(b, func(box string, body []byte) error {
		switch box {
		case "wave":
			if top {
				return t.soundBoxes(body, false)
			}
		case "esds":
			t.esds(body)
		case "alac":
			// ALACSpecificConfig after version and flags: frame length (4),
			// version, bit depth, three tuning bytes, channels, max run (2),
			// max frame bytes (4), average bitrate (4), sample rate (4).
			if len(body) >= 28 {
				t.bitDepth = int(body[9])
				t.channels = int(body[13])
				t.sampleRate = int(binary.BigEndian.Uint32(body[24:]))
			}
		case "dfLa":
			// Version and flags, then metadata blocks; STREAMINFO first.
			if len(body) >= 4+4+34 && body[4]&0x7f == 0 {
				var f flacParser
				f.streamInfo(body[8:])
				t.sampleRate, t.channels, t.bitDepth = f.sampleRate, f.channels, f.bits
			}
		}
		return nil
	})
}

// esds reads an elementary stream descriptor: the decoder config's object
// type names the codec, and for AAC the AudioSpecificConfig gives the sample
// rate and channel layout.
func (t *track) esds(b []byte) {
	if len(b) < 4 {
		return
	}
	d := descriptorReader{b: b[4:]}
	tag, body, ok := d.next()
	if !ok || tag != 3 || len(body) < 3 {
		return
	}
	esFlags := body[2]
	off := 3
	if esFlags&0x80 != 0 {
		off += 2
	}
	if esFlags&0x40 != 0 {
		if off >= len(body) {
			return
		}
		off += 1 + int(body[off])
	}
	if esFlags&0x20 != 0 {
		off += 2
	}
	if off > len(body) {
		return
	}
	d = descriptorReader{b: body[off:]}
	tag, config, ok := d.next()
	if !ok || tag != 4 || len(config) < 13 {
		return
	}
	switch config[0] {
	case 0x40, 0x66, 0x67, 0x68:
		t.codec = "aac"
	case 0x69, 0x6b:
		t.codec = "mp3"
		return
	case 0xa5:
		t.codec = "ac3"
		return
	case 0xa6:
		t.codec = "eac3"
		return
	default:
		return
	}
	d = descriptorReader{b: config[13:]}
	tag, asc, ok := d.next()
	if ok && tag == 5 {
		if rate, channels, ok := audioSpecificConfig(asc); ok {
			t.sampleRate, t.channels = rate, channels
		}
	}
}

// descriptorReader walks MPEG-4 descriptors: a tag byte, then a size in up
// to four bytes of 7 bits each.
type descriptorReader struct{ b []byte }

func (d *descriptorReader) next() (tag byte, body []byte, ok bool) {
	if len(d.b) < 2 {
		return 0, nil, false
	}
	tag = d.b[0]
	size, i := 0, 1
	for {
		if i > 4 || i >= len(d.b) {
			return 0, nil, false
		}
		c := d.b[i]
		i++
		size = size<<7 | int(c&0x7f)
		if c&0x80 == 0 {
			break
		}
	}
	if size > len(d.b)-i {
		return 0, nil, false
	}
	body = d.b[i : i+size]
	d.b = d.b[i+size:]
	return tag, body, true
}

// audioSpecificConfig reads the sample rate and channel count of an AAC
// AudioSpecificConfig, following explicit SBR/PS signalling to the output
// rate the way ffprobe reports it.
func audioSpecificConfig(b []byte) (rate, channels int, ok bool) {
	r := bitReader{b: b}
	objectType := r.objectType()
	rate = r.rate()
	config := int(r.bits(4))
	if objectType == 5 || objectType == 29 {
		rate = r.rate()
		if objectType == 29 && config == 1 {
			config = 2
		}
	}
	if r.err || rate <= 0 {
		return 0, 0, false
	}
	channels = config
	switch {
	case config == 7:
		channels = 8
	case config > 7 || config == 0:
		// Defined by a program config element or beyond what is mapped.
		return 0, 0, false
	}
	return rate, channels, true
}

// bitReader reads big-endian bit fields.
type bitReader struct {
	b   []byte
	pos int
	err bool
}

func (r *bitReader) bits(n int) uint32 {
	var v uint32
	for range n {
		if r.pos >= len(r.b)*8 {
			r.err = true
			return 0
		}
		v = v<<1 | uint32(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

func (r *bitReader) objectType() uint32 {
	t := r.bits(5)
	if t == 31 {
		t = 32 + r.bits(6)
	}
	return t
}

func (r *bitReader) rate() int {
	i := r.bits(4)
	if i == 15 {
		return int(r.bits(24))
	}
	if int(i) >= len(adtsRates) {
		r.err = true
		return 0
	}
	return adtsRates[i]
}

// protectedFormat finds the original format (sinf/frma) among the boxes of
// an encrypted or restricted sample entry.
func protectedFormat(b []byte) string {
	var original string
	_ = walkBoxes(b, func(kind string, body []byte) error {
		if kind != "sinf" {
			return nil
		}
		return walkBoxes(body, func(kind string, body []byte) error {
			if kind == "frma" && len(body) >= 4 {
				original = string(body[:4])
			}
			return nil
		})
	})
	return original
}

// isPCMEntry reports whether a sound sample entry holds uncompressed
// samples, whose size field is a real bit depth.
func isPCMEntry(kind string) bool {
	switch kind {
	case "lpcm", "sowt", "twos", "in24", "in32", "fl32", "fl64", "raw ", "NONE", "alac", "fLaC":
		return true
	}
	return false
}

// soundCodec names a sound sample entry's codec as ffprobe does; mp4a is
// refined by its esds.
func soundCodec(kind string, bits int, lpcmFlags uint32) string {
	width := (bits + 7) / 8 * 8
	switch kind {
	case "mp4a":
		return "aac"
	case "alac":
		return "alac"
	case "fLaC":
		return "flac"
	case "Opus":
		return "opus"
	case "ac-3":
		return "ac3"
	case "ec-3":
		return "eac3"
	case ".mp3":
		return "mp3"
	case "sowt":
		if width == 8 {
			return "pcm_s8"
		}
		return fmt.Sprintf("pcm_s%dle", width)
	case "twos", "NONE":
		if width == 8 {
			return "pcm_s8"
		}
		return fmt.Sprintf("pcm_s%dbe", width)
	case "in24":
		return "pcm_s24be"
	case "in32":
		return "pcm_s32be"
	case "fl32":
		return "pcm_f32be"
	case "fl64":
		return "pcm_f64be"
	case "raw ":
		return "pcm_u8"
	case "ulaw":
		return "pcm_mulaw"
	case "alaw":
		return "pcm_alaw"
	case "lpcm":
		// Flags: bit 0 float, bit 1 big-endian, bit 2 signed integer.
		endian := "le"
		if lpcmFlags&2 != 0 {
			endian = "be"
		}
		switch {
		case lpcmFlags&1 != 0:
			return fmt.Sprintf("pcm_f%d%s", width, endian)
		case lpcmFlags&4 != 0:
			return fmt.Sprintf("pcm_s%d%s", width, endian)
		}
		return fmt.Sprintf("pcm_u%d%s", width, endian)
	}
	return fourCC(kind)
}

// fourCC renders a four-character code for reports: trailing spaces
// trimmed, and as hex when it is not printable ASCII.
func fourCC(code string) string {
	for _, c := range []byte(code) {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("0x%x", code)
		}
	}
	return strings.TrimRight(code, " ")
}

// walkBoxes calls fn with the type and body of each box in b, a sequence of
// boxes such as a container's body. Size 0 means "to the end of b"; size 1
// means a 64-bit size follows. Fewer than 8 bytes after the last box (the
// zero terminators QuickTime writers leave) are ignored.
func walkBoxes(b []byte, fn func(kind string, body []byte) error) error {
	for len(b) >= 8 {
		size := uint64(binary.BigEndian.Uint32(b))
		kind := string(b[4:8])
		header := uint64(8)
		switch size {
		case 0:
			size = uint64(len(b))
		case 1:
			if len(b) < 16 {
				return malformed("short %q box header", kind)
			}
			size = binary.BigEndian.Uint64(b[8:])
			header = 16
		}
		if size < header || size > uint64(len(b)) {
			return malformed("%q box of %d bytes in %d", kind, size, len(b))
		}
		if err := fn(kind, b[header:size]); err != nil {
			return err
		}
		b = b[size:]
	}
	return nil
}
