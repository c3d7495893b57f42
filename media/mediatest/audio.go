package mediatest

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
)

// WAVE format tags of a fmt chunk.
const (
	WAVEPCM        = 0x0001
	WAVEALaw       = 0x0006
	WAVEMuLaw      = 0x0007
	WAVEExtensible = 0xfffe
)

// OpenSize is the 32-bit size a streaming writer leaves in a RIFF or data
// chunk header, and RF64 always does.
const OpenSize = 0xffffffff

// RIFFChunk is a RIFF chunk: id, little-endian size, body and, for an odd
// body, its pad byte.
func RIFFChunk(id string, body []byte) []byte {
	c := Cat([]byte(id), LE32(len(body)), body)
	if len(body)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// WAVFmt is a fmt chunk body of the format tag; valid > 0 makes it
// WAVE_FORMAT_EXTENSIBLE with that many valid bits and tag as the subformat.
func WAVFmt(tag, channels, rate, bits, valid int) []byte {
	align := channels * bits / 8
	if tag == WAVEALaw || tag == WAVEMuLaw {
		align = channels
	}
	body := Cat(LE16(tag), LE16(channels), LE32(rate), LE32(rate*align), LE16(align), LE16(bits))
	if valid == 0 {
		return body
	}
	body = Cat(LE16(WAVEExtensible), body[2:], LE16(22), LE16(valid), LE32(0x4))
	guid := Cat(LE16(tag), []byte("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"))
	return Cat(body, guid)
}

// WAVFile is a RIFF WAVE file holding the given chunks.
func WAVFile(chunks ...[]byte) []byte {
	body := Cat(append([][]byte{[]byte("WAVE")}, chunks...)...)
	return Cat([]byte("RIFF"), LE32(len(body)), body)
}

// WAVHeader is the 44-byte header of a PCM WAV file holding frames sample
// frames.
func WAVHeader(rate, bits, channels int, frames int64) []byte {
	data := frames * int64(channels*bits/8)
	return Cat([]byte("RIFF"), LE32(int(36+data)), []byte("WAVE"),
		RIFFChunk("fmt ", WAVFmt(WAVEPCM, channels, rate, bits, 0)), []byte("data"), LE32(int(data)))
}

// WAV returns a reader of a PCM WAV file of silence, streamed (never held
// in memory, whatever its size), and its length in bytes.
func WAV(rate, bits, channels int, frames int64) (io.Reader, int64) {
	h := WAVHeader(rate, bits, channels, frames)
	data := frames * int64(channels*bits/8)
	return io.MultiReader(bytes.NewReader(h), Zeros(data)), int64(len(h)) + data
}

// WAVBytes is WAV held in memory, for small files.
func WAVBytes(rate, bits, channels int, frames int64) []byte {
	r, n := WAV(rate, bits, channels, frames)
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		panic(err)
	}
	return b
}

// RF64File is an RF64 (magic "RF64") or BW64 ("BW64") file: the RIFF and
// data sizes are OpenSize and the real ones, dataSize and the sample count
// frames, sit in the ds64 chunk; data follows the data chunk header.
func RF64File(magic string, fmtBody []byte, dataSize, frames int64, data []byte) []byte {
	ds64 := make([]byte, 28)
	riffSize := int64(4 + 8 + 28 + 8 + len(fmtBody) + 8 + int(dataSize))
	binary.LittleEndian.PutUint64(ds64, uint64(riffSize))
	binary.LittleEndian.PutUint64(ds64[8:], uint64(dataSize))
	binary.LittleEndian.PutUint64(ds64[16:], uint64(frames))
	return Cat([]byte(magic), LE32(OpenSize), []byte("WAVE"),
		RIFFChunk("ds64", ds64), RIFFChunk("fmt ", fmtBody),
		[]byte("data"), LE32(OpenSize), data)
}

// RF64 is a PCM RF64 file (the 64-bit WAV of EBU Tech 3306) of frames
// sample frames of silence.
func RF64(rate, bits, channels int, frames int64) []byte {
	data := frames * int64(channels*bits/8)
	return RF64File("RF64", WAVFmt(WAVEPCM, channels, rate, bits, 0), data, frames, make([]byte, data))
}

// Extended80 encodes a whole number as an IEEE 754 80-bit extended float,
// as AIFF stores its sample rate.
func Extended80(v int) []byte {
	shift := bits.LeadingZeros64(uint64(v))
	return Cat(BE16(16383+63-shift), BE64(uint64(v)<<shift))
}

// IFFChunk is an IFF (AIFF) chunk: id, big-endian size, body and, for an
// odd body, its pad byte.
func IFFChunk(id string, body []byte) []byte {
	c := Cat([]byte(id), BE32(len(body)), body)
	if len(body)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// AIFFComm is a COMM chunk body; compression != "" (a four-character code
// such as "sowt") makes it AIFC's, with a compression name.
func AIFFComm(channels, frames, bits, rate int, compression string) []byte {
	body := Cat(BE16(channels), BE32(frames), BE16(bits), Extended80(rate))
	if compression != "" {
		body = Cat(body, []byte(compression), []byte("\x0bnot named\x00"))
	}
	return body
}

// AIFFFile is an AIFF (form "AIFF") or AIFC ("AIFC") file holding the
// given chunks.
func AIFFFile(form string, chunks ...[]byte) []byte {
	body := Cat(append([][]byte{[]byte(form)}, chunks...)...)
	return Cat([]byte("FORM"), BE32(len(body)), body)
}

// SSND is an SSND chunk holding n bytes of silence.
func SSND(n int) []byte {
	return IFFChunk("SSND", Cat(BE32(0), BE32(0), make([]byte, n)))
}

// AIFF is an AIFF file of frames sample frames of silence.
func AIFF(rate, bits, channels int, frames int) []byte {
	return AIFFFile("AIFF", IFFChunk("COMM", AIFFComm(channels, frames, bits, rate, "")), SSND(frames*channels*bits/8))
}

// FLACStreamInfo is a STREAMINFO block body announcing total samples.
func FLACStreamInfo(rate, channels, bitDepth int, total int64) []byte {
	b := make([]byte, 34)
	binary.BigEndian.PutUint16(b, 4096)
	binary.BigEndian.PutUint16(b[2:], 4096)
	v := uint64(rate)<<44 | uint64(channels-1)<<41 | uint64(bitDepth-1)<<36 | uint64(total)
	binary.BigEndian.PutUint64(b[10:], v)
	return b
}

// FLACBlock is a metadata block of the given type with its header; last
// marks the last block before the frames.
func FLACBlock(kind byte, last bool, body []byte) []byte {
	if last {
		kind |= 0x80
	}
	return Cat([]byte{kind, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body)
}

// FLACFrame is a frame header for a fixed block size of 4096 samples,
// sample rate and bits from STREAMINFO, mono, numbered n, with its CRC-8,
// followed by body bytes.
func FLACFrame(n int, body []byte) []byte {
	h := []byte{0xff, 0xf8, 0xc0, 0x00}
	switch {
	case n < 0x80:
		h = append(h, byte(n))
	case n < 0x800:
		h = append(h, 0xc0|byte(n>>6), 0x80|byte(n&0x3f))
	default:
		h = append(h, 0xe0|byte(n>>12), 0x80|byte(n>>6&0x3f), 0x80|byte(n&0x3f))
	}
	h = append(h, crc8(h))
	return Cat(h, body)
}

// crc8 is FLAC's header CRC (polynomial x^8+x^2+x+1, initial value 0),
// computed bit by bit as the remainder of the message divided by the
// polynomial: written apart from the probe's, so that each checks the other.
func crc8(b []byte) byte {
	var rem uint
	for _, c := range b {
		for i := 7; i >= 0; i-- {
			rem = rem<<1 | uint(c>>i&1)
			if rem&0x100 != 0 {
				rem ^= 0x107
			}
		}
	}
	for range 8 { // the eight zero bits the remainder is taken over
		rem <<= 1
		if rem&0x100 != 0 {
			rem ^= 0x107
		}
	}
	return byte(rem)
}

// FLAC is a FLAC stream whose STREAMINFO announces total samples, followed
// by a few bytes standing for the frames.
func FLAC(rate, bits, channels int, total int64) []byte {
	return Cat([]byte("fLaC"), FLACBlock(0, true, FLACStreamInfo(rate, channels, bits, total)), make([]byte, 256))
}

// Layer III bitrates (kbit/s) by index, and MPEG-1 sample rates by index.
var (
	mpeg1Bitrates = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mpeg2Bitrates = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	mpegRates     = [4]int{44100, 48000, 32000, 0}
)

// mpegLayout is the length of a Layer III frame and of its side information.
func mpegLayout(version, bitrateIndex, rateIndex int, mono bool, padding int) (length, sideInfo int) {
	if version == 1 || bitrateIndex <= 0 || bitrateIndex >= 15 || rateIndex < 0 || rateIndex >= 3 {
		panic("mediatest: invalid MPEG frame header")
	}
	if version == 3 {
		sideInfo = 32
		if mono {
			sideInfo = 17
		}
		return 144000*mpeg1Bitrates[bitrateIndex]/mpegRates[rateIndex] + padding, sideInfo
	}
	rate := mpegRates[rateIndex] / 2
	if version == 0 {
		rate /= 2
	}
	sideInfo = 17
	if mono {
		sideInfo = 9
	}
	return 72000*mpeg2Bitrates[bitrateIndex]/rate + padding, sideInfo
}

// MPEGFrame is a Layer III frame without CRC: version 3 (MPEG-1), 2
// (MPEG-2) or 0 (MPEG-2.5), bitrate and sample rate indexes, mono or
// stereo, padding 0 or 1, with a body of zeros. It panics on an invalid
// header.
func MPEGFrame(version, bitrateIndex, rateIndex int, mono bool, padding int) []byte {
	mode := 0
	if mono {
		mode = 3
	}
	length, _ := mpegLayout(version, bitrateIndex, rateIndex, mono, padding)
	head := []byte{0xff, 0xe0 | byte(version)<<3 | 1<<1 | 1, byte(bitrateIndex<<4 | rateIndex<<2 | padding<<1), byte(mode << 6)}
	return Cat(head, make([]byte, length-4))
}

// XingFrame is MPEGFrame carrying a Xing (tag "Xing") or Info ("Info")
// header with a frame count.
func XingFrame(tag string, frames int, version, bitrateIndex, rateIndex int, mono bool) []byte {
	f := MPEGFrame(version, bitrateIndex, rateIndex, mono, 0)
	_, side := mpegLayout(version, bitrateIndex, rateIndex, mono, 0)
	copy(f[4+side:], Cat([]byte(tag), BE32(1), BE32(frames)))
	return f
}

// VBRIFrame is MPEGFrame carrying a VBRI header with a frame count.
func VBRIFrame(frames int, version, bitrateIndex, rateIndex int, mono bool) []byte {
	f := MPEGFrame(version, bitrateIndex, rateIndex, mono, 0)
	copy(f[36:], Cat([]byte("VBRI"), BE16(1), BE16(0), BE16(75), BE32(len(f)*frames), BE32(frames)))
	return f
}

// MP3 is n MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz, stereo: each
// holds 1152 samples.
func MP3(n int) []byte { return Repeat(MPEGFrame(3, 9, 0, false, 0), n) }

// ID3v2 is an ID3v2.4 tag with a body of n bytes, with a footer if asked.
func ID3v2(n int, footer bool) []byte {
	flags := byte(0)
	if footer {
		flags = 0x10
	}
	size := []byte{byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)}
	tag := Cat([]byte("ID3\x04\x00"), []byte{flags}, size, make([]byte, n))
	if footer {
		tag = Cat(tag, []byte("3DI\x04\x00"), []byte{flags}, size)
	}
	return tag
}

// ID3v1 is a 128-byte ID3v1 tag.
func ID3v1() []byte { return Cat([]byte("TAG"), Repeat([]byte{0xff}, 125)) }

// APETag is an APEv2 tag with header, n bytes of items (which look like
// MPEG sync words) and footer.
func APETag(n int) []byte {
	header := func(flags uint32) []byte {
		return Cat([]byte("APETAGEX"), LE32(2000), LE32(n+32), LE32(1), LE32(int(flags)), make([]byte, 8))
	}
	return Cat(header(0xa0000000), Repeat([]byte{0xff, 0xfb}, n/2), header(0x80000000))
}

// ADTSFrame is an AAC LC ADTS frame of length bytes (header included)
// without CRC, at the sample rate index and channel configuration.
func ADTSFrame(rateIndex, channels, length int) []byte {
	h := []byte{
		0xff, 0xf1,
		byte(1<<6 | rateIndex<<2 | channels>>2),
		byte((channels&3)<<6 | length>>11),
		byte(length >> 3),
		byte((length&7)<<5 | 0x1f),
		0xfc,
	}
	return Cat(h, make([]byte, length-7))
}

// ADTS is n AAC LC frames at 44.1 kHz, stereo, of 1024 samples each.
func ADTS(n int) []byte { return Repeat(ADTSFrame(4, 2, 200), n) }
