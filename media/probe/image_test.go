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
	exif := jpegSegment(0xe1, cat([]byte("Exif\x00\x00"), bytes.Repeat([]byte{0xff}, 3<<20)))
	icc := jpegSegment(0xe2, cat([]byte("ICC_PROFILE\x00\x01\x01"), make([]byte, 60000)))
	adobe := jpegSegment(0xee, cat([]byte("Adobe"), be16(100), be16(0), be16(0), []byte{2}))
	tests := []struct {
		name string
		data []byte
		want ImageInfo
	}{
		{"JPEG YCbCr", encodeJPEG(t, opaqueRGBA(300, 200)), ImageInfo{"jpeg", 300, 200, "RGB"}},
		{"JPEG gray", encodeJPEG(t, image.NewGray(image.Rect(0, 0, 3000, 3000))), ImageInfo{"jpeg", 3000, 3000, "Gray"}},
		{"JPEG CMYK behind 3 MiB of EXIF and an ICC profile", jpegHeaders(1400, 1400, 4, exif, icc, adobe), ImageInfo{"jpeg", 1400, 1400, "CMYK"}},
		{"JPEG fill bytes and restart markers", cat([]byte{0xff, 0xd8, 0xff, 0xff, 0xff, 0xd0}, jpegHeaders(5, 6, 3)[2:]), ImageInfo{"jpeg", 5, 6, "RGB"}},
		{"PNG RGB", encodePNG(t, opaqueRGBA(64, 48)), ImageInfo{"png", 64, 48, "RGB"}},
		{"PNG RGBA", encodePNG(t, nrgba), ImageInfo{"png", 17, 9, "RGBA"}},
		{"PNG gray", encodePNG(t, image.NewGray16(image.Rect(0, 0, 4000, 1))), ImageInfo{"png", 4000, 1, "Gray"}},
		{"PNG paletted", encodePNG(t, paletted), ImageInfo{"png", 30, 20, "Paletted"}},
		{"TIFF RGBA, IFD after the pixels", encodeTIFF(t, nrgba), ImageInfo{"tiff", 17, 9, "RGBA"}},
		{"TIFF gray", encodeTIFF(t, image.NewGray(image.Rect(0, 0, 640, 480))), ImageInfo{"tiff", 640, 480, "Gray"}},
		{"TIFF paletted", encodeTIFF(t, paletted), ImageInfo{"tiff", 30, 20, "Paletted"}},
		{"TIFF CMYK big-endian", tiffFile(binary.BigEndian, [][2]int{{256, 3000}, {257, 3000}, {262, 5}, {277, 4}}), ImageInfo{"tiff", 3000, 3000, "CMYK"}},
		{"TIFF YCbCr little-endian", tiffFile(binary.LittleEndian, [][2]int{{256, 1}, {257, 2}, {262, 6}}), ImageInfo{"tiff", 1, 2, "RGB"}},
		{"WebP lossy", webpFile(webpVP8(1000, 700)), ImageInfo{"webp", 1000, 700, "RGB"}},
		{"WebP lossless with alpha", webpFile(webpVP8L(3000, 3000, true)), ImageInfo{"webp", 3000, 3000, "RGBA"}},
		{"WebP lossless opaque", webpFile(webpVP8L(16383, 1, false)), ImageInfo{"webp", 16383, 1, "RGB"}},
		{"WebP extended with alpha", webpFile(webpVP8X(0x10, 5000, 4000), riffChunk("ALPH", make([]byte, 10)), webpVP8(5000, 4000)), ImageInfo{"webp", 5000, 4000, "RGBA"}},
		{"WebP extended animated", webpFile(webpVP8X(0x02, 1<<24, 2), riffChunk("ANIM", make([]byte, 6))), ImageInfo{"webp", 1 << 24, 2, "RGB"}},
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
		webpFile(webpVP8(1000, 700)),
		webpFile(webpVP8L(3000, 3000, true)),
		webpFile(webpVP8X(0x10, 5000, 4000), riffChunk("ALPH", make([]byte, 10)), webpVP8(5000, 4000)),
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
		{"JPEG scan before frame", cat([]byte{0xff, 0xd8}, jpegSegment(0xda, make([]byte, 4))), ErrMalformed, "marker 0xda before the frame header"},
		{"JPEG garbage between segments", cat([]byte{0xff, 0xd8}, jpegSegment(0xe0, make([]byte, 4)), []byte{0x12, 0x34}), ErrMalformed, "byte 0x12 where a marker should be"},
		{"JPEG cut in EXIF", cat([]byte{0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff}, make([]byte, 100)), ErrMalformed, "stream ends before the image size"},
		{"JPEG two components", jpegHeaders(5, 5, 2), ErrMalformed, "2 colour components"},
		{"JPEG DNL height", jpegHeaders(5, 0, 3), ErrMalformed, "DNL"},
		{"PNG without IHDR", cat([]byte("\x89PNG\r\n\x1a\n"), be32(13), []byte("IDAT"), make([]byte, 17)), ErrMalformed, "no IHDR chunk first"},
		{"PNG zero width", cat([]byte("\x89PNG\r\n\x1a\n"), be32(13), []byte("IHDR"), be32(0), be32(5), []byte{8, 2, 0, 0, 0}, be32(0)), ErrMalformed, "image size 0×5"},
		{"PNG bad colour type", cat([]byte("\x89PNG\r\n\x1a\n"), be32(13), []byte("IHDR"), be32(1), be32(5), []byte{8, 5, 0, 0, 0}, be32(0)), ErrMalformed, "colour type 5"},
		{"TIFF IFD past the end", cat([]byte("II*\x00"), le32(1000), make([]byte, 100)), ErrMalformed, "stream ends before the image size"},
		{"TIFF IFD too large", cat([]byte("II*\x00"), le32(8), le16(MaxTIFFEntries+1)), ErrLimit, "IFD of 4097 entries"},
		{"TIFF without size", tiffFile(binary.LittleEndian, [][2]int{{262, 2}}), ErrMalformed, "without ImageWidth"},
		{"TIFF without photometric", tiffFile(binary.LittleEndian, [][2]int{{256, 2}, {257, 2}}), ErrMalformed, "without PhotometricInterpretation"},
		{"WebP unknown chunk", webpFile(riffChunk("VP9 ", make([]byte, 10))), ErrMalformed, `first chunk "VP9 "`},
		{"WebP VP8 inter frame", webpFile(riffChunk("VP8 ", cat([]byte{0x11, 0x02, 0x00, 0x9d, 0x01, 0x2a}, make([]byte, 8)))), ErrMalformed, "key frame"},
		{"audio", wavFile(riffChunk("fmt ", wavFmt(wavePCM, 1, 8000, 16, 0))), ErrUnsupported, "audio/wav"},
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
	feed(p, encodePNG(t, opaqueRGBA(3, 3)), 10)
	r, err := p.Report()
	if err != nil || r.Kind != KindImage || r.MIME != MIMEPNG || r.Image == nil || r.Image.Width != 3 {
		t.Fatalf("Report = %+v, %v; want a 3-pixel-wide PNG", r, err)
	}
}
