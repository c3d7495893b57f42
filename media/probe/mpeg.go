package probe

import (
	"encoding/binary"
)

// mpegHeader is a decoded MPEG audio Layer III frame header.
type mpegHeader struct {
	sampleRate int
	channels   int
	samples    int // per frame
	length     int // bytes, header included
	sideInfo   int // bytes between the header (and CRC) and the main data
	crc        bool
}

var (
	mpeg1L3Bitrates = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mpeg2L3Bitrates = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	mpeg1Rates      = [4]int{44100, 48000, 32000, 0}
)

// parseMPEGHeader decodes the Layer III frame header b starts with. Every
// field is checked, not only the sync, so that random bytes rarely pass:
// reserved version, layer, bitrate, sample rate and emphasis are refused,
// and so is the free-format bitrate, whose frames cannot be measured.
func parseMPEGHeader(b []byte) (mpegHeader, bool) {
	if len(b) < 4 || b[0] != 0xff || b[1]&0xe0 != 0xe0 {
		return mpegHeader{}, false
	}
	version := b[1] >> 3 & 3 // 0: MPEG-2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
	layer := b[1] >> 1 & 3   // 1: Layer III
	bitrateIndex := b[2] >> 4
	rateIndex := b[2] >> 2 & 3
	padding := int(b[2] >> 1 & 1)
	if version == 1 || layer != 1 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3 || b[3]&3 == 2 {
		return mpegHeader{}, false
	}
	h := mpegHeader{channels: 2, crc: b[1]&1 == 0}
	mono := b[3]>>6 == 3
	if mono {
		h.channels = 1
	}
	if version == 3 {
		h.sampleRate = mpeg1Rates[rateIndex]
		h.samples = 1152
		h.length = 144000*mpeg1L3Bitrates[bitrateIndex]/h.sampleRate + padding
		h.sideInfo = 32
		if mono {
			h.sideInfo = 17
		}
	} else {
		h.sampleRate = mpeg1Rates[rateIndex] / 2
		if version == 0 {
			h.sampleRate /= 2
		}
		h.samples = 576
		h.length = 72000*mpeg2L3Bitrates[bitrateIndex]/h.sampleRate + padding
		h.sideInfo = 17
		if mono {
			h.sideInfo = 9
		}
	}
	return h, true
}

// adtsHeader is a decoded AAC ADTS frame header.
type adtsHeader struct {
	sampleRate int
	channels   int // 0 when a program config element inside the frame says
	samples    int
	length     int // bytes, header included
}

var adtsRates = [13]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// parseADTSHeader decodes the ADTS header b starts with: 12-bit sync, layer
// 0, a defined sample rate index and a frame at least as long as its header.
func parseADTSHeader(b []byte) (adtsHeader, bool) {
	if len(b) < 7 || b[0] != 0xff || b[1]&0xf6 != 0xf0 {
		return adtsHeader{}, false
	}
	rateIndex := b[2] >> 2 & 0xf
	if rateIndex >= byte(len(adtsRates)) {
		return adtsHeader{}, false
	}
	headerLen := 7
	if b[1]&1 == 0 {
		headerLen = 9 // CRC follows
	}
	h := adtsHeader{
		sampleRate: adtsRates[rateIndex],
		channels:   int(b[2]&1)<<2 | int(b[3]>>6),
		samples:    1024 * (int(b[6]&3) + 1),
		length:     int(b[3]&3)<<11 | int(b[4])<<3 | int(b[5])>>5,
	}
	if h.channels == 7 {
		h.channels = 8
	}
	if h.length < headerLen {
		return adtsHeader{}, false
	}
	return h, true
}

// maxJunk is how many bytes that are neither frames nor tags an MP3 or ADTS
// stream may hold in all before the probe gives up on it.
const maxJunk = 1 << 20

// frameStream is the part of an elementary MP3 or ADTS stream the probe
// walks: frames, and tags (ID3v1, ID3v2, APEv2) between or after them.
type frameStream struct {
	s         *stream
	adts      bool // ADTS rather than MPEG audio
	headerLen int  // bytes read at each frame boundary

	frames       int64
	samples      int64
	sampleRate   int
	channels     int
	tagFrames    int64 // frame count from a Xing, Info or VBRI header; -1 without
	firstSamples int   // samples per frame of the first frame
	lastSamples  int   // samples of the last counted frame
	lastPos      int64 // where that frame ends
	junk         int64 // bytes passed over looking for a frame
	sawFirst     bool  // the first MPEG frame, which may be a tag frame, is behind
	onBoundary   func([]byte)
}

// startFrames walks frames from the current position of s.
func (f *frameStream) startFrames(s *stream, adts bool) {
	f.s, f.adts = s, adts
	f.tagFrames = -1
	f.headerLen = 4
	if adts {
		f.headerLen = 7
	}
	f.onBoundary = f.boundary
	s.read(f.headerLen, f.onBoundary)
}

// boundary looks at the bytes where a frame should start.
func (f *frameStream) boundary(b []byte) {
	if f.adts {
		if h, ok := parseADTSHeader(b); ok {
			f.frame(h.length, h.samples, h.sampleRate, h.channels)
			f.s.discard(int64(h.length - len(b)))
			f.s.read(f.headerLen, f.onBoundary)
			return
		}
	} else if h, ok := parseMPEGHeader(b); ok {
		f.frame(h.length, h.samples, h.sampleRate, h.channels)
		if !f.sawFirst {
			// The first frame may be a Xing, Info or VBRI header.
			f.sawFirst = true
			f.s.read(min(h.length-len(b), 60), func(body []byte) { f.firstFrame(h, body) })
			return
		}
		f.s.discard(int64(h.length - len(b)))
		f.s.read(f.headerLen, f.onBoundary)
		return
	}
	switch {
	case hasPrefix(b, "TAG"):
		f.s.discard(int64(128 - len(b)))
		f.s.read(f.headerLen, f.onBoundary)
	case hasPrefix(b, "ID3"):
		f.s.unread(len(b))
		f.s.read(10, f.id3v2)
	case hasPrefix(b, "APET"):
		f.s.unread(len(b))
		f.s.read(32, f.ape)
	default:
		f.skipByte(b)
	}
}

// frame counts one frame and keeps the stream's format from the first.
func (f *frameStream) frame(length, samples, rate, channels int) {
	if f.frames == 0 {
		f.sampleRate, f.channels, f.firstSamples = rate, channels, samples
	}
	f.frames++
	f.samples += int64(samples)
	f.lastSamples = samples
	f.lastPos = f.s.pos - int64(f.headerLen) + int64(length)
}

// firstFrame reads a Xing, Info or VBRI header from the first MPEG frame.
// With a frame count the walk stops there; otherwise a tag frame, which
// holds no audio, is not counted and the walk goes on.
func (f *frameStream) firstFrame(h mpegHeader, body []byte) {
	rest := int64(h.length - 4 - len(body))
	at := h.sideInfo
	if h.crc {
		at += 2
	}
	var count uint32
	switch {
	case at+12 <= len(body) && (string(body[at:at+4]) == "Xing" || string(body[at:at+4]) == "Info"):
		f.uncountFirst(h)
		if binary.BigEndian.Uint32(body[at+4:])&1 != 0 {
			count = binary.BigEndian.Uint32(body[at+8:])
		}
	case len(body) >= 32+18 && string(body[32:36]) == "VBRI":
		f.uncountFirst(h)
		count = binary.BigEndian.Uint32(body[32+14:])
	}
	if count > 0 {
		f.tagFrames = int64(count)
		f.s.stop()
		return
	}
	f.s.discard(rest)
	f.s.read(f.headerLen, f.onBoundary)
}

// uncountFirst takes the tag frame back out of the count.
func (f *frameStream) uncountFirst(h mpegHeader) {
	f.frames--
	f.samples -= int64(h.samples)
}

// id3v2 passes over an ID3v2 tag met between frames.
func (f *frameStream) id3v2(b []byte) {
	n, ok := id3v2Size(b)
	if !ok {
		f.skipByte(b)
		return
	}
	f.s.discard(int64(n - len(b)))
	f.s.read(f.headerLen, f.onBoundary)
}

// ape passes over an APEv2 tag that starts with its header; the size it
// gives covers the items and the footer.
func (f *frameStream) ape(b []byte) {
	if string(b[:8]) != "APETAGEX" {
		f.skipByte(b)
		return
	}
	f.s.discard(int64(binary.LittleEndian.Uint32(b[12:])))
	f.s.read(f.headerLen, f.onBoundary)
}

// skipByte passes over the first byte of b, which starts no frame and no
// tag, and looks again from the next one.
func (f *frameStream) skipByte(b []byte) {
	f.junk++
	if f.junk > maxJunk {
		f.s.fail(malformed("no frame in %d bytes", maxJunk))
		return
	}
	if len(b) > 1 {
		f.s.unread(len(b) - 1)
	}
	f.s.read(f.headerLen, f.onBoundary)
}

// result returns the number of samples the walk found once the stream has
// ended: from the Xing, Info or VBRI frame count, or from the frames seen.
func (f *frameStream) result() (int64, error) {
	if f.s.err != nil {
		return 0, f.s.err
	}
	if f.tagFrames >= 0 {
		return f.tagFrames * int64(f.firstSamples), nil
	}
	frames, samples := f.frames, f.samples
	if frames > 0 && f.s.pos < f.lastPos {
		// The stream ended inside the last frame: it is not counted.
		frames--
		samples -= int64(f.lastSamples)
	}
	if frames <= 0 {
		return 0, malformed("no complete frame")
	}
	return samples, nil
}
