package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"

	"golang.org/x/image/webp"

	"tonegrid/media/mediatest"
)

// probeImage runs data through an ImageProbe in chunks of n bytes.
func probeImage(data []byte, n int) (ImageInfo, error) {
	p := NewImageProbe()
	feed(p, data, n)
	return p.Result()
}

func TestImage(t *testing.T) {
	paletted := image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.Black, color.White})
	nrgba := image.NewNRGBA(image.Rect(0, 0, 17, 9))
	nrgba.Set(1, 1, color.NRGBA{1, 2, 3, 4})
	exif := mediatest.JPEGSegment(0xe1, mediatest.Cat([]byte("Exif\x00\x00"), bytes.Repeat([]byte{0xff}, 3<<20)))
	icc := mediatest.JPEGSegment(0xe2, mediatest.Cat([]byte("ICC_PROFILE\x00\x01\x01"), make([]byte, 60000)))
	adobe := mediatest.JPEGSegment(0xee, mediatest.Cat([]byte("Adobe"), mediatest.BE16(100), mediatest.BE16(0), mediatest.BE16(0), []byte{2}))
	tests := []struct {
		name string
		data []byte
		want ImageInfo
	}{
		{"JPEG YCbCr", mediatest.EncodeJPEG(mediatest.Gradient(300, 200), nil), ImageInfo{"jpeg", 300, 200, "RGB"}},
		{"JPEG gray", mediatest.EncodeJPEG(image.NewGray(image.Rect(0, 0, 3000, 3000)), nil), ImageInfo{"jpeg", 3000, 3000, "Gray"}},
		{"JPEG CMYK behind 3 MiB of EXIF and an ICC profile", mediatest.JPEGHeaders(1400, 1400, 4, exif, icc, adobe), ImageInfo{"jpeg", 1400, 1400, "CMYK"}},
		{"JPEG fill bytes and restart markers", mediatest.Cat([]byte{0xff, 0xd8, 0xff, 0xff, 0xff, 0xd0}, mediatest.JPEGHeaders(5, 6, 3)[2:]), ImageInfo{"jpeg", 5, 6, "RGB"}},
		{"PNG RGB", mediatest.EncodePNG(mediatest.Gradient(64, 48)), ImageInfo{"png", 64, 48, "RGB"}},
		{"PNG RGBA", mediatest.EncodePNG(nrgba), ImageInfo{"png", 17, 9, "RGBA"}},
		{"PNG gray", mediatest.EncodePNG(image.NewGray16(image.Rect(0, 0, 4000, 1))), ImageInfo{"png", 4000, 1, "Gray"}},
		{"PNG paletted", mediatest.EncodePNG(paletted), ImageInfo{"png", 30, 20, "Paletted"}},
		{"TIFF RGBA, IFD after the pixels", mediatest.EncodeTIFF(nrgba), ImageInfo{"tiff", 17, 9, "RGBA"}},
		{"TIFF gray", mediatest.EncodeTIFF(image.NewGray(image.Rect(0, 0, 640, 480))), ImageInfo{"tiff", 640, 480, "Gray"}},
		{"TIFF paletted", mediatest.EncodeTIFF(paletted), ImageInfo{"tiff", 30, 20, "Paletted"}},
		{"TIFF CMYK big-endian", mediatest.TIFFFile(binary.BigEndian, [][2]int{{256, 3000}, {257, 3000}, {262, 5}, {277, 4}}), ImageInfo{"tiff", 3000, 3000, "CMYK"}},
		{"TIFF YCbCr little-endian", mediatest.TIFFFile(binary.LittleEndian, [][2]int{{256, 1}, {257, 2}, {262, 6}}), ImageInfo{"tiff", 1, 2, "RGB"}},
		{"WebP lossy", mediatest.WebPFile(mediatest.WebPVP8(1000, 700)), ImageInfo{"webp", 1000, 700, "RGB"}},
		{"WebP lossless with alpha", mediatest.WebPFile(mediatest.WebPVP8L(3000, 3000, true)), ImageInfo{"webp", 3000, 3000, "RGBA"}},
		{"WebP lossless opaque", mediatest.WebPFile(mediatest.WebPVP8L(16383, 1, false)), ImageInfo{"webp", 16383, 1, "RGB"}},
		{"WebP extended with alpha", mediatest.WebPFile(mediatest.WebPVP8X(0x10, 5000, 4000), mediatest.RIFFChunk("ALPH", make([]byte, 10)), mediatest.WebPVP8(5000, 4000)), ImageInfo{"webp", 5000, 4000, "RGBA"}},
		{"WebP extended animated", mediatest.WebPFile(mediatest.WebPVP8X(0x02, 1<<24, 2), mediatest.RIFFChunk("ANIM", make([]byte, 6))), ImageInfo{"webp", 1 << 24, 2, "RGB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range []int{len(tt.data) + 1, 4096, 1} {
				got, err := probeImage(tt.data, n)
				if err != nil {
					t.Fatalf("chunks of %d: Result error: %v", n, err)
				}
				if got != tt.want {
					t.Fatalf("chunks of %d:\n got %+v\nwant %+v", n, got, tt.want)
				}
			}
		})
	}
}

// TestWebPAgainstDecoder checks the hand-built WebP headers against
// golang.org/x/image/webp, so that the generators cannot drift from the
// format along with the parser.
func TestWebPAgainstDecoder(t *testing.T) {
	for _, data := range [][]byte{
		mediatest.WebPFile(mediatest.WebPVP8(1000, 700)),
		mediatest.WebPFile(mediatest.WebPVP8L(3000, 3000, true)),
		mediatest.WebPFile(mediatest.WebPVP8X(0x10, 5000, 4000), mediatest.RIFFChunk("ALPH", make([]byte, 10)), mediatest.WebPVP8(5000, 4000)),
	} {
		config, err := webp.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("webp.DecodeConfig: %v", err)
		}
		got, err := probeImage(data, 5)
		if err != nil {
			t.Fatalf("Result error: %v", err)
		}
		if got.Width != config.Width || got.Height != config.Height {
			t.Errorf("probe says %d×%d, x/image/webp says %d×%d", got.Width, got.Height, config.Width, config.Height)
		}
	}
}

func TestImageProblems(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		target error
		detail string
	}{
		{"JPEG scan before frame", mediatest.Cat([]byte{0xff, 0xd8}, mediatest.JPEGSegment(0xda, make([]byte, 4))), ErrMalformed, "marker 0xda before the frame header"},
		{"JPEG garbage between segments", mediatest.Cat([]byte{0xff, 0xd8}, mediatest.JPEGSegment(0xe0, make([]byte, 4)), []byte{0x12, 0x34}), ErrMalformed, "byte 0x12 where a marker should be"},
		{"JPEG cut in EXIF", mediatest.Cat([]byte{0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff}, make([]byte, 100)), ErrMalformed, "stream ends before the image size"},
		{"JPEG two components", mediatest.JPEGHeaders(5, 5, 2), ErrMalformed, "2 colour components"},
		{"JPEG DNL height", mediatest.JPEGHeaders(5, 0, 3), ErrMalformed, "DNL"},
		{"PNG without IHDR", mediatest.Cat([]byte("\x89PNG\r\n\x1a\n"), mediatest.BE32(13), []byte("IDAT"), make([]byte, 17)), ErrMalformed, "no IHDR chunk first"},
		{"PNG zero width", mediatest.Cat([]byte("\x89PNG\r\n\x1a\n"), mediatest.BE32(13), []byte("IHDR"), mediatest.BE32(0), mediatest.BE32(5), []byte{8, 2, 0, 0, 0}, mediatest.BE32(0)), ErrMalformed, "image size 0×5"},
		{"PNG bad colour type", mediatest.Cat([]byte("\x89PNG\r\n\x1a\n"), mediatest.BE32(13), []byte("IHDR"), mediatest.BE32(1), mediatest.BE32(5), []byte{8, 5, 0, 0, 0}, mediatest.BE32(0)), ErrMalformed, "colour type 5"},
		{"TIFF IFD past the end", mediatest.Cat([]byte("II*\x00"), mediatest.LE32(1000), make([]byte, 100)), ErrMalformed, "stream ends before the image size"},
		{"TIFF IFD too large", mediatest.Cat([]byte("II*\x00"), mediatest.LE32(8), mediatest.LE16(MaxTIFFEntries+1)), ErrLimit, "IFD of 4097 entries"},
		{"TIFF without size", mediatest.TIFFFile(binary.LittleEndian, [][2]int{{262, 2}}), ErrMalformed, "without ImageWidth"},
		{"TIFF without photometric", mediatest.TIFFFile(binary.LittleEndian, [][2]int{{256, 2}, {257, 2}}), ErrMalformed, "without PhotometricInterpretation"},
		{"WebP unknown chunk", mediatest.WebPFile(mediatest.RIFFChunk("VP9 ", make([]byte, 10))), ErrMalformed, `first chunk "VP9 "`},
		{"WebP VP8 inter frame", mediatest.WebPFile(mediatest.RIFFChunk("VP8 ", mediatest.Cat([]byte{0x11, 0x02, 0x00, 0x9d, 0x01, 0x2a}, make([]byte, 8)))), ErrMalformed, "key frame"},
		{"audio", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 8000, 16, 0))), ErrUnsupported, "audio/wav"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := probeImage(tt.data, 3)
			if !errors.Is(err, tt.target) || !strings.Contains(err.Error(), tt.detail) {
				t.Fatalf("Result error = %v, want one wrapping %v and mentioning %q", err, tt.target, tt.detail)
			}
		})
	}
}

func TestImageReport(t *testing.T) {
	p := NewImageProbe()
	feed(p, mediatest.EncodePNG(mediatest.Gradient(3, 3)), 10)
	r, err := p.Report()
	if err != nil || r.Kind != KindImage || r.MIME != MIMEPNG || r.Image == nil || r.Image.Width != 3 {
		t.Fatalf("Report = %+v, %v; want a 3-pixel-wide PNG", r, err)
	}
}
