package probe

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math/bits"
	"testing"

	"golang.org/x/image/tiff"
)

// This file builds small media files for the tests, field by field.

// le16, le32, be16, be32, be64 encode integers.
func le16(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func le32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func be16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func be32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
func be64(v uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, v)
}

// cat joins byte slices.
func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// feed writes data to w in chunks of size n.
func feed(w io.Writer, data []byte, n int) {
	for len(data) > 0 {
		k := min(n, len(data))
		if _, err := w.Write(data[:k]); err != nil {
			panic(err)
		}
		data = data[k:]
	}
}

// riffChunk is a RIFF chunk with a little-endian size and its pad byte.
func riffChunk(id string, body []byte) []byte {
	c := cat([]byte(id), le32(len(body)), body)
	if len(body)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// wavFmt is a fmt chunk body; valid > 0 makes it WAVE_FORMAT_EXTENSIBLE
// with that many valid bits.
func wavFmt(tag, channels, rate, bits, valid int) []byte {
	align := channels * bits / 8
	if tag == waveALaw || tag == waveMuLaw {
		align = channels
	}
	body := cat(le16(tag), le16(channels), le32(rate), le32(rate*align), le16(align), le16(bits))
	if valid == 0 {
		return body
	}
	body = cat(le16(waveExtensible), body[2:], le16(22), le16(valid), le32(0x4))
	guid := cat(le16(tag), []byte("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"))
	return cat(body, guid)
}

// wavFile is a RIFF WAVE file with the given chunks.
func wavFile(chunks ...[]byte) []byte {
	body := cat(append([][]byte{[]byte("WAVE")}, chunks...)...)
	return cat([]byte("RIFF"), le32(len(body)), body)
}

// rf64File is an RF64 (or BW64) file whose sizes live in ds64.
func rf64File(magic string, fmtBody []byte, dataSize int64, data []byte) []byte {
	ds64 := make([]byte, 28)
	riffSize := int64(4 + 8 + 28 + 8 + len(fmtBody) + 8 + int(dataSize))
	binary.LittleEndian.PutUint64(ds64, uint64(riffSize))
	binary.LittleEndian.PutUint64(ds64[8:], uint64(dataSize))
	return cat([]byte(magic), le32(openSize), []byte("WAVE"),
		riffChunk("ds64", ds64), riffChunk("fmt ", fmtBody),
		[]byte("data"), le32(openSize), data)
}

// extended80 encodes a whole number as an IEEE 754 80-bit extended float.
func extended80(v int) []byte {
	shift := bits.LeadingZeros64(uint64(v))
	mantissa := uint64(v) << shift
	exponent := 16383 + 63 - shift
	return cat(be16(exponent), be64(mantissa))
}

// aiffChunk is an IFF chunk with a big-endian size and its pad byte.
func aiffChunk(id string, body []byte) []byte {
	c := cat([]byte(id), be32(len(body)), body)
	if len(body)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// aiffComm is a COMM chunk body; compression != "" makes it AIFC's.
func aiffComm(channels, frames, bits, rate int, compression string) []byte {
	body := cat(be16(channels), be32(frames), be16(bits), extended80(rate))
	if compression != "" {
		body = cat(body, []byte(compression), []byte("\x0bnot named\x00"))
	}
	return body
}

// aiffFile is an AIFF or AIFC file with the given chunks.
func aiffFile(form string, chunks ...[]byte) []byte {
	body := cat(append([][]byte{[]byte(form)}, chunks...)...)
	return cat([]byte("FORM"), be32(len(body)), body)
}

// ssnd is an SSND chunk holding n bytes of silence.
func ssnd(n int) []byte {
	return aiffChunk("SSND", cat(be32(0), be32(0), make([]byte, n)))
}

// flacStreamInfo is a STREAMINFO block body.
func flacStreamInfo(rate, channels, bitDepth int, total int64) []byte {
	b := make([]byte, 34)
	binary.BigEndian.PutUint16(b, 4096)
	binary.BigEndian.PutUint16(b[2:], 4096)
	v := uint64(rate)<<44 | uint64(channels-1)<<41 | uint64(bitDepth-1)<<36 | uint64(total)
	binary.BigEndian.PutUint64(b[10:], v)
	return b
}

// flacBlock is a metadata block with its header.
func flacBlock(kind byte, last bool, body []byte) []byte {
	if last {
		kind |= 0x80
	}
	return cat([]byte{kind, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body)
}

// flacFrame is a frame header for a fixed block size of 4096 samples (code
// 12), sample rate and bits from STREAMINFO, mono, numbered n, followed by
// body bytes.
func flacFrame(n int, body []byte) []byte {
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
	return cat(h, body)
}

// mpegFrame is a Layer III frame: version 3 (MPEG-1), 2 or 0 (MPEG-2.5),
// bitrate and sample rate indexes, mono or stereo, with a body of zeros.
func mpegFrame(version, bitrateIndex, rateIndex int, mono bool, padding int) []byte {
	mode := 0
	if mono {
		mode = 3
	}
	head := []byte{0xff, 0xe0 | byte(version)<<3 | 1<<1 | 1, byte(bitrateIndex<<4 | rateIndex<<2 | padding<<1), byte(mode << 6)}
	h, ok := parseMPEGHeader(head)
	if !ok {
		panic("test built an invalid MPEG header")
	}
	return cat(head, make([]byte, h.length-4))
}

// xingFrame is mpegFrame carrying a Xing (or Info) header with a frame count.
func xingFrame(tag string, frames int, version, bitrateIndex, rateIndex int, mono bool) []byte {
	f := mpegFrame(version, bitrateIndex, rateIndex, mono, 0)
	h, _ := parseMPEGHeader(f)
	copy(f[4+h.sideInfo:], cat([]byte(tag), be32(1), be32(frames)))
	return f
}

// vbriFrame is mpegFrame carrying a VBRI header with a frame count.
func vbriFrame(frames int, version, bitrateIndex, rateIndex int, mono bool) []byte {
	f := mpegFrame(version, bitrateIndex, rateIndex, mono, 0)
	copy(f[36:], cat([]byte("VBRI"), be16(1), be16(0), be16(75), be32(len(f)*frames), be32(frames)))
	return f
}

// repeat concatenates n copies of b.
func repeat(b []byte, n int) []byte { return bytes.Repeat(b, n) }

// id3v2 is an ID3v2.4 tag with a body of n bytes, with a footer if asked.
func id3v2(n int, footer bool) []byte {
	flags := byte(0)
	if footer {
		flags = 0x10
	}
	size := []byte{byte(n >> 21 & 0x7f), byte(n >> 14 & 0x7f), byte(n >> 7 & 0x7f), byte(n & 0x7f)}
	tag := cat([]byte("ID3\x04\x00"), []byte{flags}, size, make([]byte, n))
	if footer {
		tag = cat(tag, []byte("3DI\x04\x00"), []byte{flags}, size)
	}
	return tag
}

// id3v1 is a 128-byte ID3v1 tag.
func id3v1() []byte { return cat([]byte("TAG"), bytes.Repeat([]byte{0xff}, 125)) }

// apeTag is an APEv2 tag with header, n bytes of items and footer.
func apeTag(n int) []byte {
	header := func(flags uint32) []byte {
		return cat([]byte("APETAGEX"), le32(2000), le32(n+32), le32(1), le32(int(flags)), make([]byte, 8))
	}
	return cat(header(0xa0000000), bytes.Repeat([]byte{0xff, 0xfb}, n/2), header(0x80000000))
}

// adtsFrame is an ADTS frame of length bytes (header included) without CRC.
func adtsFrame(rateIndex, channels, length int) []byte {
	h := []byte{
		0xff, 0xf1,
		byte(1<<6 | rateIndex<<2 | channels>>2),
		byte((channels&3)<<6 | length>>11),
		byte(length >> 3),
		byte((length&7)<<5 | 0x1f),
		0xfc,
	}
	return cat(h, make([]byte, length-7))
}

// box is an ISO BMFF box.
func box(kind string, parts ...[]byte) []byte {
	body := cat(parts...)
	return cat(be32(8+len(body)), []byte(kind), body)
}

// largeBox is a box written with a 64-bit size.
func largeBox(kind string, body []byte) []byte {
	return cat(be32(1), []byte(kind), be64(uint64(16+len(body))), body)
}

// fullBox is a box with version and flags.
func fullBox(kind string, version byte, parts ...[]byte) []byte {
	return box(kind, cat([]byte{version, 0, 0, 0}, cat(parts...)))
}

// ftyp is an ftyp box.
func ftyp(major string, compatible ...string) []byte {
	body := cat([]byte(major), be32(0))
	for _, c := range compatible {
		body = append(body, c...)
	}
	return box("ftyp", body)
}

// mvhd is a version 0 movie header.
func mvhd(timescale, duration int) []byte {
	return fullBox("mvhd", 0, be32(0), be32(0), be32(timescale), be32(duration), make([]byte, 80))
}

// trackSpec describes a trak for trak.
type trackSpec struct {
	handler   string
	duration  int // tkhd, movie timescale
	timescale int // mdhd
	mediaDur  int // mdhd
	entry     []byte
}

// trak is a trak box with tkhd (version 1, to cover 64-bit fields), mdia,
// mdhd, hdlr and a sample table holding one sample entry.
func trak(t trackSpec) []byte {
	tkhd := fullBox("tkhd", 1, be64(0), be64(0), be32(1), be32(0), be64(uint64(t.duration)), make([]byte, 60))
	mdhd := fullBox("mdhd", 0, be32(0), be32(0), be32(t.timescale), be32(t.mediaDur), be32(0))
	hdlr := fullBox("hdlr", 0, be32(0), []byte(t.handler), make([]byte, 12), []byte("handler\x00"))
	stsd := fullBox("stsd", 0, be32(1), t.entry)
	minf := box("minf", box("stbl", stsd, fullBox("stts", 0, be32(0))))
	return box("trak", tkhd, box("mdia", mdhd, hdlr, minf))
}

// soundEntry is an ISO audio sample entry with child boxes.
func soundEntry(kind string, channels, sampleSize, rate int, children ...[]byte) []byte {
	return box(kind, make([]byte, 6), be16(1), make([]byte, 8), be16(channels), be16(sampleSize),
		be16(0), be16(0), be32(rate<<16), cat(children...))
}

// esds is an esds box for AAC (object type 0x40) with an
// AudioSpecificConfig of AAC LC at the given rate index and channels.
func esds(rateIndex, channels int) []byte {
	return esdsFor(0x40, []byte{byte(2<<3 | rateIndex>>1), byte((rateIndex&1)<<7 | channels<<3)})
}

// esdsFor is an esds box with the given object type and decoder specific
// info.
func esdsFor(objectType byte, specific []byte) []byte {
	decSpecific := cat([]byte{5, byte(len(specific))}, specific)
	decConfig := cat([]byte{4, 0x80, 0x80, 0x80, byte(13 + len(decSpecific)), objectType, 0x15}, make([]byte, 11), decSpecific)
	es := cat([]byte{3, byte(3 + len(decConfig) + 3)}, be16(1), []byte{0}, decConfig, []byte{6, 1, 2})
	return fullBox("esds", 0, es)
}

// alacBox is the ALACSpecificConfig box of an alac sample entry.
func alacBox(bitDepth, channels, rate int) []byte {
	return fullBox("alac", 0, be32(4096), []byte{0, byte(bitDepth), 40, 10, 14, byte(channels)},
		be16(255), be32(0), be32(0), be32(rate))
}

// visualEntry is a visual sample entry of the given size.
func visualEntry(kind string, width, height int, children ...[]byte) []byte {
	return box(kind, make([]byte, 6), be16(1), make([]byte, 16), be16(width), be16(height),
		be32(0x480000), be32(0x480000), be32(0), be16(1), make([]byte, 32), be16(24), be16(0xffff), cat(children...))
}

// movieFile joins top-level boxes.
func movieFile(boxes ...[]byte) []byte { return cat(boxes...) }

// encodeJPEG encodes img with image/jpeg.
func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatalf("encode JPEG: %v", err)
	}
	return buf.Bytes()
}

// encodePNG encodes img with image/png.
func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("encode PNG: %v", err)
	}
	return buf.Bytes()
}

// encodeTIFF encodes img with golang.org/x/image/tiff, which writes the IFD
// after the pixels.
func encodeTIFF(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, img, nil); err != nil {
		t.Fatalf("encode TIFF: %v", err)
	}
	return buf.Bytes()
}

// opaqueRGBA is an opaque image with a gradient.
func opaqueRGBA(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 0x80, 0xff})
		}
	}
	return img
}

// jpegSegment is a JPEG marker segment.
func jpegSegment(marker byte, body []byte) []byte {
	return cat([]byte{0xff, marker}, be16(len(body)+2), body)
}

// jpegHeaders is a JPEG's start up to its frame header: SOI, the given
// segments, and SOF0 with the size and component count.
func jpegHeaders(width, height, components int, segments ...[]byte) []byte {
	sof := cat([]byte{8}, be16(height), be16(width), []byte{byte(components)})
	for i := range components {
		sof = append(sof, byte(i+1), 0x11, 0)
	}
	return cat([]byte{0xff, 0xd8}, cat(segments...), jpegSegment(0xc0, sof), jpegSegment(0xda, make([]byte, 8)))
}

// tiffFile is a TIFF with the given entries (tag, SHORT value) in an IFD at
// offset 8, in either byte order.
func tiffFile(order binary.AppendByteOrder, entries [][2]int) []byte {
	var b []byte
	if order == binary.AppendByteOrder(binary.BigEndian) {
		b = []byte("MM\x00*")
	} else {
		b = []byte("II*\x00")
	}
	b = order.AppendUint32(b, 8)
	b = order.AppendUint16(b, uint16(len(entries)))
	for _, e := range entries {
		b = order.AppendUint16(b, uint16(e[0]))
		b = order.AppendUint16(b, 3)
		b = order.AppendUint32(b, 1)
		b = order.AppendUint16(b, uint16(e[1]))
		b = order.AppendUint16(b, 0)
	}
	return order.AppendUint32(b, 0)
}

// webpFile is a WebP file with the given chunks.
func webpFile(chunks ...[]byte) []byte {
	body := cat(append([][]byte{[]byte("WEBP")}, chunks...)...)
	return cat([]byte("RIFF"), le32(len(body)), body)
}

// webpVP8 is a lossy key frame chunk of the given size.
func webpVP8(width, height int) []byte {
	return riffChunk("VP8 ", cat([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, le16(width), le16(height), make([]byte, 20)))
}

// webpVP8L is a lossless chunk of the given size and alpha hint.
func webpVP8L(width, height int, alpha bool) []byte {
	v := uint32(width-1) | uint32(height-1)<<14
	if alpha {
		v |= 1 << 28
	}
	return riffChunk("VP8L", cat([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, v), make([]byte, 16)))
}

// webpVP8X is an extended header chunk with the given flags and canvas.
func webpVP8X(flags byte, width, height int) []byte {
	w, h := width-1, height-1
	return riffChunk("VP8X", []byte{flags, 0, 0, 0, byte(w), byte(w >> 8), byte(w >> 16), byte(h), byte(h >> 8), byte(h >> 16)})
}
