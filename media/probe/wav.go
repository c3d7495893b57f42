package probe

import (
	"encoding/binary"
	"fmt"
	"math"
)

// The WAVE format tags the probe names.
const (
	wavePCM        = 0x0001
	waveFloat      = 0x0003
	waveALaw       = 0x0006
	waveMuLaw      = 0x0007
	waveMPEG       = 0x0050
	waveMP3        = 0x0055
	waveExtensible = 0xfffe
)

// openSize is the 32-bit size a streaming writer leaves in a RIFF or data
// header it could not go back to fill in (and RF64's pointer to ds64).
const openSize = 0xffffffff

// wavParser reads RIFF WAVE, RF64 and BW64 files: the fmt chunk (also
// WAVE_FORMAT_EXTENSIBLE), ds64 for 64-bit sizes, fact, and the data chunk's
// size, passing over the samples and any other chunk.
type wavParser struct {
	s       *stream
	format  string // "wav" or "rf64"
	formEnd int64  // where the RIFF form ends; -1 when its size is unknown

	ds64Data int64 // data size from ds64; -1 without ds64

	haveFmt    bool
	tag        int // format tag, the subformat's for WAVE_FORMAT_EXTENSIBLE
	channels   int
	sampleRate int
	byteRate   int
	blockAlign int
	bits       int // container bits per sample
	validBits  int // from WAVE_FORMAT_EXTENSIBLE; 0 when not given

	factSamples int64 // from the fact chunk; -1 without

	haveData  bool
	dataStart int64
	dataEnd   int64 // -1 when the data runs to the end of the stream
}

func newWAVParser(s *stream) *wavParser {
	p := &wavParser{s: s, format: "wav", ds64Data: -1, factSamples: -1}
	s.read(12, p.header)
	return p
}

func (p *wavParser) header(b []byte) {
	size := binary.LittleEndian.Uint32(b[4:])
	p.formEnd = 8 + int64(size)
	if string(b[:4]) != "RIFF" {
		p.format = "rf64"
		p.formEnd = -1 // from ds64
	}
	if size == openSize || size < 4 {
		p.formEnd = -1
	}
	p.s.read(8, p.chunk)
}

// chunk dispatches on a chunk header.
func (p *wavParser) chunk(b []byte) {
	id := string(b[:4])
	size := int64(binary.LittleEndian.Uint32(b[4:]))
	pad := size & 1
	switch id {
	case "ds64":
		if size < 28 {
			p.s.fail(malformed("ds64 chunk of %d bytes", size))
			return
		}
		p.s.read(28, func(b []byte) {
			riff := binary.LittleEndian.Uint64(b)
			data := binary.LittleEndian.Uint64(b[8:])
			if riff > math.MaxInt64-8 || data > math.MaxInt64/2 {
				p.s.fail(malformed("ds64 sizes out of range"))
				return
			}
			p.formEnd = 8 + int64(riff)
			p.ds64Data = int64(data)
			p.next(size - 28 + pad)
		})
	case "fmt ":
		if size < 16 {
			p.s.fail(malformed("fmt chunk of %d bytes", size))
			return
		}
		n := min(size, 40)
		p.s.read(int(n), func(b []byte) {
			p.readFmt(b)
			p.next(size - n + pad)
		})
	case "fact":
		if size < 4 {
			p.next(size + pad)
			return
		}
		p.s.read(4, func(b []byte) {
			p.factSamples = int64(binary.LittleEndian.Uint32(b))
			p.next(size - 4 + pad)
		})
	case "data":
		if p.haveData {
			p.next(size + pad)
			return
		}
		p.haveData = true
		p.dataStart = p.s.pos
		switch {
		case size == openSize && p.ds64Data >= 0:
			size = p.ds64Data
			pad = size & 1
		case size == openSize:
			// Written to a pipe: the samples run to the end.
			p.dataEnd = -1
			p.s.discard(math.MaxInt64 - p.s.pos)
			p.s.stop()
			return
		}
		p.dataEnd = p.dataStart + size
		p.next(size + pad)
	default:
		p.next(size + pad)
	}
}

// next passes over n bytes, then reads the next chunk header unless the
// RIFF form ends there with everything needed known (a form size too small
// to hold its chunks is not believed), or the size is unknown and
// everything needed is known.
func (p *wavParser) next(n int64) {
	p.s.discard(n)
	end := p.s.pos + n
	if p.haveFmt && p.haveData && (p.formEnd < 0 || end+8 > p.formEnd) {
		p.s.stop()
		return
	}
	p.s.read(8, p.chunk)
}

// readFmt reads the fmt chunk.
func (p *wavParser) readFmt(b []byte) {
	p.haveFmt = true
	p.tag = int(binary.LittleEndian.Uint16(b))
	p.channels = int(binary.LittleEndian.Uint16(b[2:]))
	p.sampleRate = int(binary.LittleEndian.Uint32(b[4:]))
	p.byteRate = int(binary.LittleEndian.Uint32(b[8:]))
	p.blockAlign = int(binary.LittleEndian.Uint16(b[12:]))
	p.bits = int(binary.LittleEndian.Uint16(b[14:]))
	if p.tag == waveExtensible && len(b) >= 40 {
		p.validBits = int(binary.LittleEndian.Uint16(b[18:]))
		p.tag = int(binary.LittleEndian.Uint16(b[24:])) // the subformat GUID's first field
	}
}

func (p *wavParser) result() (AudioInfo, error) {
	info := AudioInfo{Format: p.format}
	if p.s.err != nil {
		return info, p.s.err
	}
	if !p.haveFmt {
		return info, malformed("no fmt chunk")
	}
	info.Codec = waveCodec(p.tag, p.bits)
	info.SampleRate = p.sampleRate
	info.Channels = p.channels
	if p.tag == wavePCM || p.tag == waveFloat {
		info.BitDepth = p.bits
		if p.validBits > 0 && p.validBits < p.bits {
			info.BitDepth = p.validBits
		}
	}
	if p.sampleRate <= 0 || p.channels <= 0 {
		return info, malformed("fmt chunk gives %d Hz, %d channels", p.sampleRate, p.channels)
	}
	if !p.haveData {
		return info, malformed("no data chunk")
	}
	end := p.s.pos
	var err error
	if p.dataEnd >= 0 && end >= p.dataEnd {
		end = p.dataEnd
	} else if p.dataEnd >= 0 {
		err = malformed("data chunk declares %d bytes, stream holds %d", p.dataEnd-p.dataStart, end-p.dataStart)
	}
	size := end - p.dataStart
	switch {
	case p.tag == wavePCM || p.tag == waveFloat || p.tag == waveALaw || p.tag == waveMuLaw:
		align := p.blockAlign
		if align <= 0 {
			align = p.channels * ((p.bits + 7) / 8)
		}
		if align <= 0 {
			return info, malformed("fmt chunk gives no block size")
		}
		info.DurationMS = durationMS(size/int64(align), p.sampleRate)
	case p.factSamples >= 0:
		info.DurationMS = durationMS(p.factSamples, p.sampleRate)
	case p.byteRate > 0:
		info.DurationMS = durationMS(size, p.byteRate)
	}
	return info, err
}

// waveCodec names a WAVE format tag as ffprobe does.
func waveCodec(tag, bits int) string {
	switch tag {
	case wavePCM:
		if bits <= 8 {
			return "pcm_u8"
		}
		return fmt.Sprintf("pcm_s%dle", (bits+7)/8*8)
	case waveFloat:
		return fmt.Sprintf("pcm_f%dle", (bits+7)/8*8)
	case waveALaw:
		return "pcm_alaw"
	case waveMuLaw:
		return "pcm_mulaw"
	case waveMPEG:
		return "mp2"
	case waveMP3:
		return "mp3"
	}
	return fmt.Sprintf("0x%04x", tag)
}
