// Package mediatest generates small, well-formed media files of every format
// the upload probes read, for tests and benchmarks: WAV (streamed, of any
// size), AIFF, FLAC, MP3, ADTS AAC, M4A, MP4 and QuickTime video, JPEG, PNG,
// TIFF and WebP. The
// sample data is silence; only the headers carry information.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/tiff"
)

func be16(v int) []byte           { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func be32(v int) []byte           { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
func le16(v int) []byte           { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func le32(v int) []byte           { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// WAVHeader is the 44-byte header of a PCM WAV file holding frames
// sample frames.
func WAVHeader(rate, bits, channels int, frames int64) []byte {
	align := channels * bits / 8
	data := frames * int64(align)
	return join([]byte("RIFF"), le32(int(36+data)), []byte("WAVE"),
		[]byte("fmt "), le32(16), le16(1), le16(channels), le32(rate), le32(rate*align), le16(align), le16(bits),
		[]byte("data"), le32(int(data)))
}

// WAV returns a reader of a PCM WAV file of silence, streamed (never held
// in memory, whatever its size), and its length in bytes.
func WAV(rate, bits, channels int, frames int64) (io.Reader, int64) {
	h := WAVHeader(rate, bits, channels, frames)
	data := frames * int64(channels*bits/8)
	return io.MultiReader(bytes.NewReader(h), io.LimitReader(zeros{}, data)), int64(len(h)) + data
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

// zeros reads zero bytes forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// extended80 encodes a positive integer as an IEEE 754 80-bit extended
// float, as AIFF stores its sample rate.
func extended80(v int) []byte {
	exp := 16383 + int(math.Floor(math.Log2(float64(v))))
	shift := exp - 16383
	mant := uint64(v) << (63 - shift)
	return join(be16(exp), binary.BigEndian.AppendUint64(nil, mant))
}

// AIFF is an AIFF file of frames sample frames of silence.
func AIFF(rate, bits, channels int, frames int) []byte {
	comm := join(be16(channels), be32(frames), be16(bits), extended80(rate))
	data := frames * channels * bits / 8
	ssnd := join(be32(0), be32(0), make([]byte, data))
	body := join([]byte("AIFF"), []byte("COMM"), be32(len(comm)), comm, []byte("SSND"), be32(len(ssnd)), ssnd)
	return join([]byte("FORM"), be32(len(body)), body)
}

// FLAC is a FLAC stream whose STREAMINFO announces total samples, followed
// by a few bytes standing for the frames.
func FLAC(rate, bits, channels int, total int64) []byte {
	info := make([]byte, 34)
	binary.BigEndian.PutUint16(info, 4096)
	binary.BigEndian.PutUint16(info[2:], 4096)
	binary.BigEndian.PutUint64(info[10:], uint64(rate)<<44|uint64(channels-1)<<41|uint64(bits-1)<<36|uint64(total))
	return join([]byte("fLaC"), []byte{0x80, 0, 0, 34}, info, make([]byte, 256))
}

// MP3 is n MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz, stereo: each
// holds 1152 samples.
func MP3(n int) []byte {
	frame := join([]byte{0xff, 0xfb, 0x90, 0x00}, make([]byte, 144000*128/44100-4))
	return bytes.Repeat(frame, n)
}

// ADTS is n AAC LC frames at 44.1 kHz, stereo, of 1024 samples each.
func ADTS(n int) []byte {
	const rateIndex, channels, length = 4, 2, 200
	h := []byte{0xff, 0xf1, byte(1<<6 | rateIndex<<2 | channels>>2), byte((channels&3)<<6 | length>>11),
		byte(length >> 3 & 0xff), byte((length&7)<<5 | 0x1f), 0xfc}
	return bytes.Repeat(join(h, make([]byte, length-7)), n)
}

func box(kind string, parts ...[]byte) []byte {
	body := join(parts...)
	return join(be32(8+len(body)), []byte(kind), body)
}

func fullBox(kind string, parts ...[]byte) []byte {
	return box(kind, join([]byte{0, 0, 0, 0}, join(parts...)))
}

func mvhd(timescale, duration int) []byte {
	return fullBox("mvhd", be32(0), be32(0), be32(timescale), be32(duration), make([]byte, 80))
}

func trak(handler string, timescale, duration int, entry []byte) []byte {
	tkhd := fullBox("tkhd", be32(0), be32(0), be32(1), be32(0), be32(duration), make([]byte, 60))
	mdhd := fullBox("mdhd", be32(0), be32(0), be32(timescale), be32(duration), be32(0))
	hdlr := fullBox("hdlr", be32(0), []byte(handler), make([]byte, 12), []byte("handler\x00"))
	stbl := box("stbl", fullBox("stsd", be32(1), entry), fullBox("stts", be32(0)))
	return box("trak", tkhd, box("mdia", mdhd, hdlr, box("minf", stbl)))
}

// mp4a is an AAC LC sample entry at 44.1 kHz, stereo.
func mp4a() []byte {
	specific := []byte{2<<3 | 4>>1, (4&1)<<7 | 2<<3}
	dec := join([]byte{5, byte(len(specific))}, specific)
	cfg := join([]byte{4, byte(13 + len(dec)), 0x40, 0x15}, make([]byte, 11), dec)
	es := join([]byte{3, byte(3 + len(cfg) + 3)}, be16(1), []byte{0}, cfg, []byte{6, 1, 2})
	return box("mp4a", make([]byte, 6), be16(1), make([]byte, 8), be16(2), be16(16), be16(0), be16(0), be32(44100<<16),
		fullBox("esds", es))
}

// avc1 is a visual sample entry of the given size.
func avc1(width, height int) []byte {
	return box("avc1", make([]byte, 6), be16(1), make([]byte, 16), be16(width), be16(height),
		be32(0x480000), be32(0x480000), be32(0), be16(1), make([]byte, 32), be16(24), be16(0xffff))
}

// M4A is an MP4 audio file (brand M4A) of AAC LC, durationMS long.
func M4A(durationMS int) []byte {
	moov := box("moov", mvhd(1000, durationMS), trak("soun", 1000, durationMS, mp4a()))
	return join(box("ftyp", []byte("M4A "), be32(0), []byte("M4A isom")), moov, box("mdat", make([]byte, 1024)))
}

// MP4Video is an MP4 movie with an H.264 video track of width×height and
// an AAC sound track, durationMS long, whose media data is pad bytes.
func MP4Video(width, height, durationMS int, pad int) []byte {
	moov := box("moov", mvhd(1000, durationMS), trak("vide", 1000, durationMS, avc1(width, height)),
		trak("soun", 1000, durationMS, mp4a()))
	return join(box("ftyp", []byte("mp42"), be32(0), []byte("mp42isom")), moov, box("mdat", make([]byte, pad)))
}

// QuickTime is MP4Video in a QuickTime container (brand qt).
func QuickTime(width, height, durationMS int) []byte {
	moov := box("moov", mvhd(600, durationMS*600/1000), trak("vide", 600, durationMS*600/1000, avc1(width, height)))
	return join(box("ftyp", []byte("qt  "), be32(0), []byte("qt  ")), moov, box("mdat", make([]byte, 512)))
}

// solid is a width×height image of one colour.
func solid(width, height int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 40, 90, 160, 255
	}
	return img
}

// JPEG is a baseline JPEG of width×height.
func JPEG(width, height int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, solid(width, height), &jpeg.Options{Quality: 50}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PNG is an opaque RGB PNG of width×height.
func PNG(width, height int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, solid(width, height)); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// GrayPNG is a grayscale PNG of width×height.
func GrayPNG(width, height int) []byte {
	img := image.NewGray(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = color.Gray{Y: 128}.Y
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// TIFF is an RGBA TIFF of width×height encoded by golang.org/x/image/tiff.
func TIFF(width, height int) []byte {
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, solid(width, height), nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// WebP is a lossless WebP (VP8L) header of width×height, without alpha,
// followed by a few bytes standing for the bitstream.
func WebP(width, height int) []byte {
	v := uint32(width-1) | uint32(height-1)<<14
	body := join([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, v), make([]byte, 15))
	chunk := join([]byte("VP8L"), le32(len(body)), body, []byte{0})
	return join([]byte("RIFF"), le32(4+len(chunk)), []byte("WEBP"), chunk)
}

// RF64 is a PCM RF64 file (the 64-bit WAV of EBU Tech 3306): the RIFF and
// data sizes are 0xFFFFFFFF and the real ones sit in the ds64 chunk.
func RF64(rate, bits, channels int, frames int64) []byte {
	align := channels * bits / 8
	data := frames * int64(align)
	fmtBody := join(le16(1), le16(channels), le32(rate), le32(rate*align), le16(align), le16(bits))
	ds64 := make([]byte, 28)
	binary.LittleEndian.PutUint64(ds64, uint64(4+8+28+8+len(fmtBody)+8+int(data)))
	binary.LittleEndian.PutUint64(ds64[8:], uint64(data))
	binary.LittleEndian.PutUint64(ds64[16:], uint64(frames))
	return join([]byte("RF64"), le32(-1), []byte("WAVE"), []byte("ds64"), le32(len(ds64)), ds64,
		[]byte("fmt "), le32(len(fmtBody)), fmtBody, []byte("data"), le32(-1), make([]byte, data))
}
