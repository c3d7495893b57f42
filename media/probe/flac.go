package probe

import (
	"bytes"
	"encoding/binary"
)

// flacScanRead is how many bytes at a time a FLAC frame scan reads.
const flacScanRead = 32 << 10

// flacParser reads a FLAC stream's STREAMINFO block, passing over the other
// metadata blocks. When STREAMINFO leaves the total sample count unknown (0,
// as encoders writing to a pipe do), it scans the audio frames' headers to
// count the samples instead.
type flacParser struct {
	s          *stream
	info       bool
	sampleRate int
	channels   int
	bits       int
	total      int64

	scanning bool
	carry    []byte // the unscanned end of the last read, under flacMaxHeader bytes
	scratch  []byte // carry and the next read, joined
	onScan   func([]byte)
	frames   int64 // frames accepted by the scan
	samples  int64 // their samples
	variable bool  // the frames number samples, not frames
}

func newFLACParser(s *stream) *flacParser {
	p := &flacParser{s: s}
	s.read(4, p.magic)
	return p
}

func (p *flacParser) magic(b []byte) {
	if string(b) != "fLaC" {
		p.s.fail(malformed("no fLaC marker"))
		return
	}
	p.s.read(4, p.block)
}

// block reads a metadata block header.
func (p *flacParser) block(b []byte) {
	last := b[0]&0x80 != 0
	kind := b[0] & 0x7f
	size := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
	switch {
	case kind == 127:
		p.s.fail(malformed("invalid metadata block type"))
	case !p.info && kind != 0:
		p.s.fail(malformed("first metadata block is not STREAMINFO"))
	case kind == 0 && !p.info:
		if size < 34 {
			p.s.fail(malformed("STREAMINFO of %d bytes", size))
			return
		}
		p.s.read(34, func(b []byte) {
			p.streamInfo(b)
			p.s.discard(int64(size - 34))
			p.after(last)
		})
	default:
		p.s.discard(int64(size))
		p.after(last)
	}
}

// after goes on to the next metadata block, or past the last one.
func (p *flacParser) after(last bool) {
	switch {
	case !last:
		p.s.read(4, p.block)
	case p.total == 0:
		p.scanning = true
		p.onScan = p.scan
		p.s.read(flacScanRead, p.onScan)
	default:
		p.s.stop()
	}
}

// streamInfo decodes STREAMINFO: after the block and frame size bounds come
// 20 bits of sample rate, 3 of channels−1, 5 of bits−1 and 36 of samples.
func (p *flacParser) streamInfo(b []byte) {
	p.info = true
	v := binary.BigEndian.Uint64(b[10:18])
	p.sampleRate = int(v >> 44)
	p.channels = int(v>>41&7) + 1
	p.bits = int(v>>36&31) + 1
	p.total = int64(v & (1<<36 - 1))
}

// scan looks for frame headers in the next read of audio.
func (p *flacParser) scan(b []byte) {
	p.scanFrames(b, false)
	p.s.read(flacScanRead, p.onScan)
}

// scanFrames accepts the frame headers in carry+b that continue the count:
// a header (sync, valid fields, CRC-8) whose frame or sample number is the
// next one expected, which false syncs inside audio data do not match.
func (p *flacParser) scanFrames(b []byte, final bool) {
	p.scratch = append(append(p.scratch[:0], p.carry...), b...)
	data := p.scratch
	i := 0
	for {
		j := bytes.IndexByte(data[i:], 0xff)
		if j < 0 {
			i = len(data)
			break
		}
		i += j
		if !final && len(data)-i < flacMaxHeader {
			break
		}
		h, ok := parseFLACFrameHeader(data[i:])
		if !ok || !p.continues(h) {
			i++
			continue
		}
		p.frames++
		p.samples += int64(h.blockSize)
		i += h.length
	}
	p.carry = append(p.carry[:0], data[i:]...)
}

// continues reports whether h is the frame that comes next.
func (p *flacParser) continues(h flacFrameHeader) bool {
	if p.frames == 0 {
		if h.number != 0 {
			return false
		}
		p.variable = h.variable
	}
	if h.variable != p.variable {
		return false
	}
	if h.sampleRate != 0 && h.sampleRate != p.sampleRate {
		return false
	}
	if h.channels != p.channels || (h.bits != 0 && h.bits != p.bits) {
		return false
	}
	if p.variable {
		return h.number == uint64(p.samples)
	}
	return h.number == uint64(p.frames)
}

func (p *flacParser) result() (AudioInfo, error) {
	info := AudioInfo{Format: "flac", Codec: "flac"}
	if p.s.err != nil {
		return info, p.s.err
	}
	if !p.info {
		return info, malformed("stream ends before STREAMINFO")
	}
	info.SampleRate, info.Channels, info.BitDepth = p.sampleRate, p.channels, p.bits
	if p.sampleRate == 0 {
		return info, malformed("STREAMINFO sample rate is 0")
	}
	total := p.total
	if p.scanning {
		p.scanFrames(p.s.buf, true)
		total = p.samples
	}
	info.DurationMS = durationMS(total, p.sampleRate)
	return info, nil
}

// flacMaxHeader is the longest a frame header can be: sync and codes (4),
// the coded number (up to 7), block size (2), sample rate (2) and CRC (1).
const flacMaxHeader = 16

// flacFrameHeader is a decoded FLAC frame header.
type flacFrameHeader struct {
	variable   bool   // variable block size: number counts samples
	number     uint64 // frame number, or first sample number when variable
	blockSize  int
	sampleRate int // 0: as in STREAMINFO
	channels   int
	bits       int // 0: as in STREAMINFO
	length     int
}

var (
	flacRates = [12]int{0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000}
	flacBits  = [8]int{0, 8, 12, -1, 16, 20, 24, 32}
)

// parseFLACFrameHeader decodes the frame header b starts with, checking its
// reserved bits and its CRC-8.
func parseFLACFrameHeader(b []byte) (flacFrameHeader, bool) {
	var h flacFrameHeader
	if len(b) < 5 || b[0] != 0xff || b[1]&0xfe != 0xf8 {
		return h, false
	}
	h.variable = b[1]&1 != 0
	sizeCode, rateCode := b[2]>>4, b[2]&0xf
	channelCode, bitsCode := b[3]>>4, b[3]>>1&7
	if sizeCode == 0 || rateCode == 15 || channelCode > 10 || flacBits[bitsCode] < 0 || b[3]&1 != 0 {
		return h, false
	}
	h.bits = flacBits[bitsCode]
	h.channels = int(channelCode) + 1
	if channelCode >= 8 {
		h.channels = 2
	}
	n := 4
	number, width, ok := flacCodedNumber(b[n:])
	if !ok {
		return h, false
	}
	h.number = number
	n += width
	need := n + 1
	switch {
	case sizeCode == 6:
		need++
	case sizeCode == 7:
		need += 2
	}
	switch {
	case rateCode == 12:
		need++
	case rateCode == 13 || rateCode == 14:
		need += 2
	}
	if len(b) < need {
		return h, false
	}
	switch {
	case sizeCode == 1:
		h.blockSize = 192
	case sizeCode <= 5:
		h.blockSize = 576 << (sizeCode - 2)
	case sizeCode == 6:
		h.blockSize = int(b[n]) + 1
		n++
	case sizeCode == 7:
		h.blockSize = int(binary.BigEndian.Uint16(b[n:])) + 1
		n += 2
	default:
		h.blockSize = 256 << (sizeCode - 8)
	}
	switch {
	case rateCode < 12:
		h.sampleRate = flacRates[rateCode]
	case rateCode == 12:
		h.sampleRate = int(b[n]) * 1000
		n++
	case rateCode == 13:
		h.sampleRate = int(binary.BigEndian.Uint16(b[n:]))
		n += 2
	default:
		h.sampleRate = int(binary.BigEndian.Uint16(b[n:])) * 10
		n += 2
	}
	if crc8(b[:n]) != b[n] {
		return h, false
	}
	h.length = n + 1
	return h, true
}

// flacCodedNumber decodes the UTF-8-like coded frame or sample number.
func flacCodedNumber(b []byte) (v uint64, width int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	first := b[0]
	switch {
	case first < 0x80:
		return uint64(first), 1, true
	case first&0xe0 == 0xc0:
		width, v = 2, uint64(first&0x1f)
	case first&0xf0 == 0xe0:
		width, v = 3, uint64(first&0x0f)
	case first&0xf8 == 0xf0:
		width, v = 4, uint64(first&0x07)
	case first&0xfc == 0xf8:
		width, v = 5, uint64(first&0x03)
	case first&0xfe == 0xfc:
		width, v = 6, uint64(first&0x01)
	case first == 0xfe:
		width, v = 7, 0
	default:
		return 0, 0, false
	}
	if len(b) < width {
		return 0, 0, false
	}
	for _, c := range b[1:width] {
		if c&0xc0 != 0x80 {
			return 0, 0, false
		}
		v = v<<6 | uint64(c&0x3f)
	}
	return v, width, true
}

// crc8 is FLAC's header CRC: polynomial x^8+x^2+x+1, initial value 0.
func crc8(b []byte) byte {
	var crc byte
	for _, c := range b {
		crc ^= c
		for range 8 {
			if crc&0x80 != 0 {
				crc = crc<<1 ^ 0x07
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
