package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/tiff"
)

// solid is a width×height image of one colour.
func solid(width, height int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 40, 90, 160, 255
	}
	return img
}

// Gradient is an opaque width×height image whose red and green follow x
// and y.
func Gradient(width, height int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for y := range height {
		for x := range width {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 0x80, 0xff})
		}
	}
	return img
}

// EncodeJPEG encodes img with image/jpeg and the options (nil: defaults).
func EncodeJPEG(img image.Image, o *jpeg.Options) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, o); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// EncodePNG encodes img with image/png.
func EncodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// EncodeTIFF encodes img with golang.org/x/image/tiff, which writes the IFD
// after the pixels.
func EncodeTIFF(img image.Image) []byte {
	var buf bytes.Buffer
	if err := tiff.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// JPEG is a baseline JPEG of width×height.
func JPEG(width, height int) []byte {
	return EncodeJPEG(solid(width, height), &jpeg.Options{Quality: 50})
}

// PNG is an opaque RGB PNG of width×height.
func PNG(width, height int) []byte { return EncodePNG(solid(width, height)) }

// GrayPNG is a grayscale PNG of width×height.
func GrayPNG(width, height int) []byte {
	img := image.NewGray(image.Rect(0, 0, width, height))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	return EncodePNG(img)
}

// TIFF is an RGBA TIFF of width×height encoded by golang.org/x/image/tiff.
func TIFF(width, height int) []byte { return EncodeTIFF(solid(width, height)) }

// JPEGSegment is a JPEG marker segment.
func JPEGSegment(marker byte, body []byte) []byte {
	return Cat([]byte{0xff, marker}, BE16(len(body)+2), body)
}

// JPEGHeaders is a JPEG's start up to its scan: SOI, the given segments,
// SOF0 with the size and component count, and a stub SOS.
func JPEGHeaders(width, height, components int, segments ...[]byte) []byte {
	sof := Cat([]byte{8}, BE16(height), BE16(width), []byte{byte(components)})
	for i := range components {
		sof = append(sof, byte(i+1), 0x11, 0)
	}
	return Cat([]byte{0xff, 0xd8}, Cat(segments...), JPEGSegment(0xc0, sof), JPEGSegment(0xda, make([]byte, 8)))
}

// TIFFFile is a TIFF with the given entries (tag, SHORT value) in an IFD at
// offset 8, in either byte order.
func TIFFFile(order binary.AppendByteOrder, entries [][2]int) []byte {
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

// WebPFile is a WebP file holding the given chunks.
func WebPFile(chunks ...[]byte) []byte {
	body := Cat(append([][]byte{[]byte("WEBP")}, chunks...)...)
	return Cat([]byte("RIFF"), LE32(len(body)), body)
}

// WebPVP8 is a lossy key frame chunk of the given size.
func WebPVP8(width, height int) []byte {
	return RIFFChunk("VP8 ", Cat([]byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}, LE16(width), LE16(height), make([]byte, 20)))
}

// WebPVP8L is a lossless chunk of the given size and alpha hint.
func WebPVP8L(width, height int, alpha bool) []byte {
	v := uint32(width-1) | uint32(height-1)<<14
	if alpha {
		v |= 1 << 28
	}
	return RIFFChunk("VP8L", Cat([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, v), make([]byte, 16)))
}

// WebPVP8X is an extended header chunk with the given flags and canvas.
func WebPVP8X(flags byte, width, height int) []byte {
	w, h := width-1, height-1
	return RIFFChunk("VP8X", []byte{flags, 0, 0, 0, byte(w), byte(w >> 8), byte(w >> 16), byte(h), byte(h >> 8), byte(h >> 16)})
}

// WebP is a lossless WebP (VP8L) header of width×height, without alpha,
// followed by a few bytes standing for the bitstream.
func WebP(width, height int) []byte { return WebPFile(WebPVP8L(width, height, false)) }
