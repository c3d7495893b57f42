package probe

import (
	"encoding/binary"
	"fmt"
)

// MaxTIFFEntries is the most entries a TIFF's first IFD may have. The probe
// passes over the bytes up to the IFD, wherever its offset points (encoders
// often write it after the pixels), and buffers only the IFD itself: at 12
// bytes an entry, at most 48 KiB.
const MaxTIFFEntries = 4096

// ImageInfo is what the image probe reads from a file's headers.
type ImageInfo struct {
	Format string // "jpeg", "png", "tiff" or "webp"
	Width  int    // pixels
	Height int
	// ColorModel is "RGB" (JPEG's YCbCr included), "RGBA", "Gray",
	// "GrayAlpha", "Paletted", "CMYK" or "Lab".
	ColorModel string
}

// ImageProbe reads the headers of an image upload as it streams past.
// Everything after the dimensions is left unread.
type ImageProbe struct {
	h      head
	mime   string
	kind   Kind
	format string
	info   ImageInfo
	found  bool
	err    error
}

// NewImageProbe returns a probe to write an image upload into.
func NewImageProbe() *ImageProbe {
	return &ImageProbe{}
}

// Write feeds the next chunk of the upload. It never fails: problems are
// reported by Result.
func (p *ImageProbe) Write(b []byte) (int, error) {
	p.h.write(b, p.choose)
	return len(b), nil
}

// choose picks the parser for the stream's head.
func (p *ImageProbe) choose(head []byte) {
	p.mime, p.kind = Sniff(head)
	s := &p.h.s
	switch p.mime {
	case MIMEJPEG:
		p.format = "jpeg"
		s.read(2, p.jpegStart)
	case MIMEPNG:
		p.format = "png"
		s.read(33, p.png)
	case MIMETIFF:
		p.format = "tiff"
		s.read(8, p.tiffHeader)
	case MIMEWebP:
		p.format = "webp"
		s.read(20, p.webpHeader)
	}
}

// Result returns what the stream held; call it after the last Write.
func (p *ImageProbe) Result() (ImageInfo, error) {
	if p.h.end(p.choose) {
		p.finish()
	}
	return p.info, p.err
}

// finish runs the end-of-stream checks.
func (p *ImageProbe) finish() {
	p.info.Format = p.format
	switch {
	case p.format == "":
		p.err = fmt.Errorf("probe image: %s: %w", p.mime, ErrUnsupported)
	case p.h.s.err != nil:
		p.err = fmt.Errorf("probe image %s: %w", p.format, p.h.s.err)
	case !p.found:
		p.err = fmt.Errorf("probe image %s: %w", p.format, malformed("stream ends before the image size"))
	case p.info.Width <= 0 || p.info.Height <= 0:
		p.err = fmt.Errorf("probe image %s: %w", p.format, malformed("image size %d×%d", p.info.Width, p.info.Height))
	}
}

// Report returns the file's kind and MIME type and, when it is a
// well-formed image, its ImageInfo.
func (p *ImageProbe) Report() (Report, error) {
	info, err := p.Result()
	r := Report{Kind: p.kind, MIME: p.mime}
	if err == nil {
		r.Image = &info
	}
	return r, err
}

// done records the image's size and colour model and stops reading.
func (p *ImageProbe) done(width, height int, model string) {
	p.found = true
	p.info.Width, p.info.Height, p.info.ColorModel = width, height, model
	p.h.s.stop()
}

// jpegStart checks the SOI marker.
func (p *ImageProbe) jpegStart(b []byte) {
	if b[0] != 0xff || b[1] != 0xd8 {
		p.h.s.fail(malformed("no SOI marker"))
		return
	}
	p.h.s.read(2, p.jpegMarker)
}

// jpegMarker walks the segments up to the frame header (SOFn), passing over
// the others by their length: EXIF and ICC segments can be megabytes.
func (p *ImageProbe) jpegMarker(b []byte) {
	s := &p.h.s
	if b[0] != 0xff {
		s.fail(malformed("byte 0x%02x where a marker should be", b[0]))
		return
	}
	marker := b[1]
	switch {
	case marker == 0xff:
		// Fill byte: the marker is the next byte.
		s.unread(1)
		s.read(2, p.jpegMarker)
		return
	case marker == 0x01 || marker >= 0xd0 && marker <= 0xd7:
		s.read(2, p.jpegMarker)
		return
	case marker == 0xd8 || marker == 0xd9 || marker == 0xda:
		s.fail(malformed("marker 0x%02x before the frame header", marker))
		return
	}
	s.read(2, func(b []byte) {
		length := int(binary.BigEndian.Uint16(b))
		if length < 2 {
			s.fail(malformed("segment 0x%02x of length %d", marker, length))
			return
		}
		if !isSOF(marker) {
			s.discard(int64(length - 2))
			s.read(2, p.jpegMarker)
			return
		}
		if length < 8 {
			s.fail(malformed("frame header of length %d", length))
			return
		}
		s.read(6, p.jpegFrame)
	})
}

// isSOF reports whether marker starts a frame header: C0–CF except DHT (C4),
// JPG (C8) and DAC (CC).
func isSOF(marker byte) bool {
	return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc
}

// jpegFrame reads the frame header: precision, height, width, components.
func (p *ImageProbe) jpegFrame(b []byte) {
	height := int(binary.BigEndian.Uint16(b[1:]))
	width := int(binary.BigEndian.Uint16(b[3:]))
	var model string
	switch b[5] {
	case 1:
		model = "Gray"
	case 3:
		model = "RGB"
	case 4:
		model = "CMYK"
	default:
		p.h.s.fail(malformed("%d colour components", b[5]))
		return
	}
	if height == 0 {
		p.h.s.fail(malformed("height left to a DNL marker, which is not supported"))
		return
	}
	p.done(width, height, model)
}

// png reads the signature and the IHDR chunk that must follow it.
func (p *ImageProbe) png(b []byte) {
	if string(b[12:16]) != "IHDR" || binary.BigEndian.Uint32(b[8:]) != 13 {
		p.h.s.fail(malformed("no IHDR chunk first"))
		return
	}
	width := binary.BigEndian.Uint32(b[16:])
	height := binary.BigEndian.Uint32(b[20:])
	if width > 1<<31-1 || height > 1<<31-1 {
		p.h.s.fail(malformed("IHDR size %d×%d", width, height))
		return
	}
	var model string
	switch b[25] {
	case 0:
		model = "Gray"
	case 2:
		model = "RGB"
	case 3:
		model = "Paletted"
	case 4:
		model = "GrayAlpha"
	case 6:
		model = "RGBA"
	default:
		p.h.s.fail(malformed("IHDR colour type %d", b[25]))
		return
	}
	p.done(int(width), int(height), model)
}

// tiffHeader reads the byte order and the first IFD's offset, then passes
// over everything up to the IFD.
func (p *ImageProbe) tiffHeader(b []byte) {
	var order binary.ByteOrder = binary.LittleEndian
	if b[0] == 'M' {
		order = binary.BigEndian
	}
	offset := int64(order.Uint32(b[4:]))
	if offset < 8 {
		p.h.s.fail(malformed("first IFD at offset %d", offset))
		return
	}
	p.h.s.discard(offset - 8)
	p.h.s.read(2, func(b []byte) {
		n := int(order.Uint16(b))
		if n == 0 {
			p.h.s.fail(malformed("empty IFD"))
			return
		}
		if n > MaxTIFFEntries {
			p.h.s.fail(fmt.Errorf("IFD of %d entries, over %d: %w", n, MaxTIFFEntries, ErrLimit))
			return
		}
		p.h.s.read(12*n, func(b []byte) { p.tiffIFD(b, order) })
	})
}

// The TIFF tags the probe reads.
const (
	tiffImageWidth      = 256
	tiffImageLength     = 257
	tiffPhotometric     = 262
	tiffSamplesPerPixel = 277
	tiffExtraSamples    = 338
)

// tiffIFD reads the size and colour model from the IFD's entries, whose
// single SHORT or LONG values sit inside the entries themselves.
func (p *ImageProbe) tiffIFD(b []byte, order binary.ByteOrder) {
	width, height, photometric, samples, alpha := -1, -1, -1, 1, false
	for i := 0; i+12 <= len(b); i += 12 {
		e := b[i : i+12]
		tag := order.Uint16(e)
		typ := order.Uint16(e[2:])
		count := order.Uint32(e[4:])
		if count == 0 {
			continue
		}
		var value int
		switch typ {
		case 3: // SHORT
			value = int(order.Uint16(e[8:]))
		case 4: // LONG
			value = int(order.Uint32(e[8:]))
		case 1: // BYTE
			value = int(e[8])
		default:
			continue
		}
		switch tag {
		case tiffImageWidth:
			width = value
		case tiffImageLength:
			height = value
		case tiffPhotometric:
			photometric = value
		case tiffSamplesPerPixel:
			samples = value
		case tiffExtraSamples:
			alpha = value == 1 || value == 2
		}
	}
	if width < 0 || height < 0 {
		p.h.s.fail(malformed("IFD without ImageWidth and ImageLength"))
		return
	}
	var model string
	switch photometric {
	case 0, 1:
		model = "Gray"
		if alpha || samples >= 2 {
			model = "GrayAlpha"
		}
	case 2:
		model = "RGB"
		if alpha || samples >= 4 {
			model = "RGBA"
		}
	case 3:
		model = "Paletted"
	case 5:
		model = "CMYK"
	case 6:
		model = "RGB"
	case 8, 9, 10:
		model = "Lab"
	case -1:
		p.h.s.fail(malformed("IFD without PhotometricInterpretation"))
		return
	default:
		p.h.s.fail(malformed("PhotometricInterpretation %d", photometric))
		return
	}
	p.done(width, height, model)
}

// webpHeader reads the RIFF header and the first chunk's header, which
// says whether the file is lossy (VP8), lossless (VP8L) or extended (VP8X).
func (p *ImageProbe) webpHeader(b []byte) {
	s := &p.h.s
	size := binary.LittleEndian.Uint32(b[16:])
	switch string(b[12:16]) {
	case "VP8 ":
		if size < 10 {
			s.fail(malformed("VP8 chunk of %d bytes", size))
			return
		}
		s.read(10, p.webpVP8)
	case "VP8L":
		if size < 5 {
			s.fail(malformed("VP8L chunk of %d bytes", size))
			return
		}
		s.read(5, p.webpVP8L)
	case "VP8X":
		if size < 10 {
			s.fail(malformed("VP8X chunk of %d bytes", size))
			return
		}
		s.read(10, p.webpVP8X)
	default:
		s.fail(malformed("first chunk %q", b[12:16]))
	}
}

// webpVP8 reads a key frame header: a 3-byte frame tag, the start code
// 9d 01 2a, then 14-bit width and height (their top 2 bits are scaling).
func (p *ImageProbe) webpVP8(b []byte) {
	if b[0]&1 != 0 || b[3] != 0x9d || b[4] != 0x01 || b[5] != 0x2a {
		p.h.s.fail(malformed("VP8 data does not start with a key frame"))
		return
	}
	width := int(binary.LittleEndian.Uint16(b[6:]) & 0x3fff)
	height := int(binary.LittleEndian.Uint16(b[8:]) & 0x3fff)
	p.done(width, height, "RGB")
}

// webpVP8L reads the lossless header: signature 0x2f, then 14 bits each of
// width−1 and height−1, the alpha hint and a 3-bit version (0).
func (p *ImageProbe) webpVP8L(b []byte) {
	bits := binary.LittleEndian.Uint32(b[1:])
	if b[0] != 0x2f || bits>>29 != 0 {
		p.h.s.fail(malformed("bad VP8L header"))
		return
	}
	model := "RGB"
	if bits>>28&1 != 0 {
		model = "RGBA"
	}
	p.done(int(bits&0x3fff)+1, int(bits>>14&0x3fff)+1, model)
}

// webpVP8X reads the extended header: flags (0x10: alpha), three reserved
// bytes, then 24 bits each of canvas width−1 and height−1.
func (p *ImageProbe) webpVP8X(b []byte) {
	width := int(b[4]) | int(b[5])<<8 | int(b[6])<<16
	height := int(b[7]) | int(b[8])<<8 | int(b[9])<<16
	model := "RGB"
	if b[0]&0x10 != 0 {
		model = "RGBA"
	}
	p.done(width+1, height+1, model)
}
