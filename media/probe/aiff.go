package probe

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// aiffParser reads AIFF and AIFC files: the COMM chunk (channels, frame
// count, sample size, 80-bit extended sample rate, AIFC compression type),
// wherever it sits, and the SSND chunk's extent, passing over the samples.
type aiffParser struct {
	s       *stream
	aifc    bool
	formEnd int64 // -1 when the FORM size is unknown

	haveComm    bool
	channels    int
	frames      int64
	sampleSize  int
	sampleRate  int
	compression string

	haveSound bool
	soundEnd  int64
}

func newAIFFParser(s *stream) *aiffParser {
	p := &aiffParser{s: s}
	s.read(12, p.header)
	return p
}

func (p *aiffParser) header(b []byte) {
	size := binary.BigEndian.Uint32(b[4:])
	p.aifc = string(b[8:12]) == "AIFC"
	p.formEnd = 8 + int64(size)
	if size < 4 || size == openSize {
		p.formEnd = -1
	}
	p.s.read(8, p.chunk)
}

// chunk dispatches on a chunk header.
func (p *aiffParser) chunk(b []byte) {
	id := string(b[:4])
	size := int64(binary.BigEndian.Uint32(b[4:]))
	pad := size & 1
	switch {
	case id == "COMM" && !p.haveComm:
		if size < 18 || (p.aifc && size < 22) {
			p.s.fail(malformed("COMM chunk of %d bytes", size))
			return
		}
		n := min(size, 22)
		p.s.read(int(n), func(b []byte) {
			if p.comm(b) {
				p.next(size - n + pad)
			}
		})
	case id == "SSND" && !p.haveSound:
		p.haveSound = true
		p.soundEnd = p.s.pos + size
		p.next(size + pad)
	default:
		p.next(size + pad)
	}
}

// next passes over n bytes, then reads the next chunk header unless the
// FORM ends there with everything needed known (a form size too small to
// hold its chunks is not believed), or the size is unknown and everything
// needed is known.
func (p *aiffParser) next(n int64) {
	p.s.discard(n)
	end := p.s.pos + n
	if p.haveComm && p.haveSound && (p.formEnd < 0 || end+8 > p.formEnd) {
		p.s.stop()
		return
	}
	p.s.read(8, p.chunk)
}

// comm reads the COMM chunk and reports whether it made sense.
func (p *aiffParser) comm(b []byte) bool {
	p.haveComm = true
	p.channels = int(binary.BigEndian.Uint16(b))
	p.frames = int64(binary.BigEndian.Uint32(b[2:]))
	p.sampleSize = int(binary.BigEndian.Uint16(b[6:]))
	rate, ok := extendedRate(b[8:18])
	if !ok {
		p.s.fail(malformed("COMM sample rate is not a positive whole-hertz number"))
		return false
	}
	p.sampleRate = rate
	p.compression = "NONE"
	if p.aifc {
		p.compression = string(b[18:22])
	}
	return true
}

// extendedRate converts an IEEE 754 80-bit extended float (sign, 15-bit
// exponent, 64-bit mantissa with an explicit integer bit) to a sample rate,
// dropping any fraction.
func extendedRate(b []byte) (int, bool) {
	exponent := int(binary.BigEndian.Uint16(b) & 0x7fff)
	mantissa := binary.BigEndian.Uint64(b[2:])
	if b[0]&0x80 != 0 || exponent == 0x7fff {
		return 0, false
	}
	shift := 16383 + 63 - exponent // value = mantissa / 2^shift
	if shift < 0 || shift > 63 {
		return 0, false
	}
	rate := mantissa >> shift
	if rate == 0 || rate > math.MaxInt32 {
		return 0, false
	}
	return int(rate), true
}

func (p *aiffParser) result() (AudioInfo, error) {
	info := AudioInfo{Format: "aiff"}
	if p.s.err != nil {
		return info, p.s.err
	}
	if !p.haveComm {
		return info, malformed("no COMM chunk")
	}
	info.Codec, info.BitDepth = aiffCodec(p.compression, p.sampleSize)
	info.SampleRate = p.sampleRate
	info.Channels = p.channels
	if p.channels <= 0 {
		return info, malformed("COMM gives %d channels", p.channels)
	}
	info.DurationMS = durationMS(p.frames, p.sampleRate)
	if p.haveSound && p.s.pos < p.soundEnd {
		return info, malformed("SSND chunk declares %d bytes more than the stream holds", p.soundEnd-p.s.pos)
	}
	return info, nil
}

// aiffCodec names an AIFC compression type (NONE for plain AIFF) as ffprobe
// does, with the bit depth for uncompressed ones.
func aiffCodec(compression string, sampleSize int) (string, int) {
	width := (sampleSize + 7) / 8 * 8
	switch compression {
	case "NONE", "twos":
		if width == 8 {
			return "pcm_s8", sampleSize
		}
		return fmt.Sprintf("pcm_s%dbe", width), sampleSize
	case "sowt":
		if width == 8 {
			return "pcm_s8", sampleSize
		}
		return fmt.Sprintf("pcm_s%dle", width), sampleSize
	case "in24":
		return "pcm_s24be", 24
	case "in32":
		return "pcm_s32be", 32
	case "fl32", "FL32":
		return "pcm_f32be", 32
	case "fl64", "FL64":
		return "pcm_f64be", 64
	case "raw ":
		return "pcm_u8", 8
	case "alaw", "ALAW":
		return "pcm_alaw", 0
	case "ulaw", "ULAW":
		return "pcm_mulaw", 0
	}
	return strings.ToLower(strings.TrimRight(compression, " \x00")), 0
}
