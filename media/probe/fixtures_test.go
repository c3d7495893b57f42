package probe

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"tonegrid/media/mediatest"
)

// The files in testdata were written by ffmpeg 5.1 and SoX 14.4 (commands in
// testdata/README.md). The expected values are what ffprobe reported for
// them: codec_name, sample_rate, channels, bits_per_raw_sample (or
// bits_per_sample for PCM; 0 for lossy codecs), the duration in whole
// milliseconds, and for pictures width, height and pix_fmt. ffprobe is not
// needed to run the tests.

// readFixture reads a file from testdata.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return b
}

func TestFixturesAudio(t *testing.T) {
	tests := []struct {
		file string
		mime string
		want AudioInfo
	}{
		{"wav-s16-44k-mono.wav", MIMEWAV, AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 200}},
		{"wav-s16-22k-stereo.wav", MIMEWAV, AudioInfo{"wav", "pcm_s16le", 22050, 16, 2, 200}},
		{"wav-s16-96k-mono.wav", MIMEWAV, AudioInfo{"wav", "pcm_s16le", 96000, 16, 1, 200}},   // extensible
		{"wav-s24-48k-mono.wav", MIMEWAV, AudioInfo{"wav", "pcm_s24le", 48000, 24, 1, 200}},   // extensible
		{"wav-f32-44k-mono.wav", MIMEWAV, AudioInfo{"wav", "pcm_f32le", 44100, 32, 1, 200}},   // extensible, float
		{"sox-s24-44k-mono.wav", MIMEWAV, AudioInfo{"wav", "pcm_s24le", 44100, 24, 1, 200}},   // extensible
		{"rf64-s16-44k-mono.wav", MIMEWAV, AudioInfo{"rf64", "pcm_s16le", 44100, 16, 1, 200}}, // ffprobe: format wav
		{"aiff-s16-44k-mono.aiff", MIMEAIFF, AudioInfo{"aiff", "pcm_s16be", 44100, 16, 1, 200}},
		{"aiff-s24-48k-mono.aiff", MIMEAIFF, AudioInfo{"aiff", "pcm_s24be", 48000, 24, 1, 200}},
		{"aifc-sowt-44k-mono.aiff", MIMEAIFF, AudioInfo{"aiff", "pcm_s16le", 44100, 16, 1, 200}},
		{"sox-none-44k-mono.aifc", MIMEAIFF, AudioInfo{"aiff", "pcm_s16be", 44100, 16, 1, 200}},
		{"sox-s16-32k-stereo.aiff", MIMEAIFF, AudioInfo{"aiff", "pcm_s16be", 32000, 16, 2, 200}},
		{"flac-s16-44k-mono.flac", MIMEFLAC, AudioInfo{"flac", "flac", 44100, 16, 1, 200}},
		{"flac-s24-96k-stereo.flac", MIMEFLAC, AudioInfo{"flac", "flac", 96000, 24, 2, 200}},
		// ffprobe: 0.235102 s from the Info tag's 9 frames.
		{"mp3-cbr-xing-44k-mono.mp3", MIMEMPEG, AudioInfo{"mp3", "mp3", 44100, 0, 1, 235}},
		// ffprobe: 0.240000 s from the Xing tag's 10 frames.
		{"mp3-vbr-xing-48k-stereo.mp3", MIMEMPEG, AudioInfo{"mp3", "mp3", 48000, 0, 2, 240}},
		// No tag: ffprobe estimates 0.235000 s from the bitrate and counts
		// 9 frames (-count_frames), 235.1 ms.
		{"mp3-cbr-raw-44k-mono.mp3", MIMEMPEG, AudioInfo{"mp3", "mp3", 44100, 0, 1, 235}},
		// No tag: ffprobe estimates 0.264000 s and counts 11 frames of 576.
		{"mp3-mpeg2-24k-mono.mp3", MIMEMPEG, AudioInfo{"mp3", "mp3", 24000, 0, 1, 264}},
		// ffprobe: 0.232198 s, 10 frames of 1024.
		{"aac-adts-44k-mono.aac", MIMEAAC, AudioInfo{"aac", "aac", 44100, 0, 1, 232}},
		// ffprobe: 0.234668 s, 11 frames of 1024.
		{"aac-adts-48k-stereo.aac", MIMEAAC, AudioInfo{"aac", "aac", 48000, 0, 2, 234}},
		{"m4a-aac-moov-last.m4a", MIMEM4A, AudioInfo{"m4a", "aac", 44100, 0, 1, 200}},
		{"m4a-aac-moov-first.m4a", MIMEM4A, AudioInfo{"m4a", "aac", 44100, 0, 1, 200}},
		{"m4a-alac-44k-mono.m4a", MIMEM4A, AudioInfo{"m4a", "alac", 44100, 16, 1, 200}},
		{"mp4-aac-audio-only.mp4", MIMEMP4, AudioInfo{"m4a", "aac", 44100, 0, 1, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			if mime, kind := Sniff(data); mime != tt.mime || !kind.Fits(KindAudio) {
				t.Fatalf("Sniff = %q, %v; want %q fitting audio", mime, kind, tt.mime)
			}
			got, err := probeAudio(data, 4096)
			if err != nil {
				t.Fatalf("Result error: %v", err)
			}
			if got != tt.want {
				t.Fatalf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFixturesImage(t *testing.T) {
	tests := []struct {
		file string
		mime string
		want ImageInfo
	}{
		{"jpeg-yuv-64x48.jpg", MIMEJPEG, ImageInfo{"jpeg", 64, 48, "RGB"}},    // yuvj420p
		{"jpeg-yuv444-64x48.jpg", MIMEJPEG, ImageInfo{"jpeg", 64, 48, "RGB"}}, // yuvj444p
		{"png-rgb-64x48.png", MIMEPNG, ImageInfo{"png", 64, 48, "RGB"}},       // rgb24
		{"png-rgba-64x48.png", MIMEPNG, ImageInfo{"png", 64, 48, "RGBA"}},     // rgba
		{"png-gray-64x48.png", MIMEPNG, ImageInfo{"png", 64, 48, "Gray"}},     // gray
		{"png-pal8-64x48.png", MIMEPNG, ImageInfo{"png", 64, 48, "Paletted"}}, // pal8
		{"tiff-rgb-64x48.tif", MIMETIFF, ImageInfo{"tiff", 64, 48, "RGB"}},    // rgb24, IFD after the pixels
		{"tiff-gray-64x48.tif", MIMETIFF, ImageInfo{"tiff", 64, 48, "Gray"}},  // gray
		{"webp-lossy-64x48.webp", MIMEWebP, ImageInfo{"webp", 64, 48, "RGB"}}, // yuv420p
		// ffprobe says argb for every VP8L stream; this one's header does
		// not set the alpha hint.
		{"webp-lossless-64x48.webp", MIMEWebP, ImageInfo{"webp", 64, 48, "RGB"}},
		{"webp-alpha-64x48.webp", MIMEWebP, ImageInfo{"webp", 64, 48, "RGBA"}}, // VP8X with ALPH
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			if mime, kind := Sniff(data); mime != tt.mime || kind != KindImage {
				t.Fatalf("Sniff = %q, %v; want %q, image", mime, kind, tt.mime)
			}
			got, err := probeImage(data, 4096)
			if err != nil {
				t.Fatalf("Result error: %v", err)
			}
			if got != tt.want {
				t.Fatalf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFixturesVideo(t *testing.T) {
	tests := []struct {
		file string
		mime string
		kind Kind
		want VideoInfo
	}{
		{"mp4-avc1-aac.mp4", MIMEMP4, KindAudioOrVideo, VideoInfo{"mp4", 200, 64, 48, "avc1", "mp4a"}},
		{"mp4-hvc1.mp4", MIMEMP4, KindAudioOrVideo, VideoInfo{"mp4", 200, 64, 48, "hvc1", ""}},
		{"mov-apcn-sowt.mov", MIMEQuickTime, KindVideo, VideoInfo{"mov", 200, 64, 48, "apcn", "sowt"}},
		{"mov-ap4h.mov", MIMEQuickTime, KindVideo, VideoInfo{"mov", 200, 64, 48, "ap4h", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := readFixture(t, tt.file)
			if mime, kind := Sniff(data); mime != tt.mime || kind != tt.kind {
				t.Fatalf("Sniff = %q, %v; want %q, %v", mime, kind, tt.mime, tt.kind)
			}
			got, err := probeVideo(data, 4096)
			if err != nil {
				t.Fatalf("Result error: %v", err)
			}
			if got != tt.want {
				t.Fatalf("\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// chunkSizes are the chunkings every file must probe the same under.
var chunkSizes = []int{1, 7, 4096, 1 << 20}

// outcome is a probe's whole answer, comparable across runs.
type outcome struct {
	report Report
	err    string
}

// probeAll sniffs data, probes it with NewProbe in chunks of n bytes and
// returns the Report.
func probeAll(data []byte, n int) outcome {
	_, kind := Sniff(data)
	p := NewProbe(kind)
	if p == nil {
		p = NewAudioProbe()
	}
	feed(p, data, n)
	r, err := p.Report()
	o := outcome{report: r}
	if err != nil {
		o.err = err.Error()
	}
	return o
}

func TestChunkingInvariance(t *testing.T) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil || len(files) < 30 {
		t.Fatalf("glob testdata: %d files, %v", len(files), err)
	}
	inputs := map[string][]byte{}
	for _, f := range files {
		if filepath.Ext(f) != ".md" {
			inputs[filepath.Base(f)] = readFixture(t, filepath.Base(f))
		}
	}
	for name, data := range generatedCorpus() {
		inputs[name] = data
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			want := probeAll(data, len(data)+1)
			for _, n := range chunkSizes {
				if got := probeAll(data, n); !reflect.DeepEqual(got, want) {
					t.Fatalf("chunks of %d: %+v\nwhole: %+v", n, got, want)
				}
			}
		})
	}
}

// generatedCorpus is a set of generated files, good and broken, for the
// chunking and fuzz tests: edge cases built field by field, and one file of
// each of mediatest's ready-made generators.
func generatedCorpus() map[string][]byte {
	frame := mediatest.MPEGFrame(3, 9, 0, false, 0)
	aac := mediatest.SoundEntry("mp4a", 2, 16, 44100, mediatest.ESDS(4, 2))
	flacFrames := mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(44100, 1, 16, 0)), mediatest.FLACFrame(0, make([]byte, 50)), mediatest.FLACFrame(1, []byte{0xff, 0xf8}))
	return map[string][]byte{
		"gen.wav":           mediatest.WAVFile(mediatest.RIFFChunk("LIST", []byte("odd")), mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 2, 48000, 24, 24)), mediatest.RIFFChunk("data", make([]byte, 3001))),
		"gen-truncated.wav": mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 2, 48000, 16, 0)), mediatest.RIFFChunk("data", make([]byte, 3000)))[:2000],
		"gen.rf64":          mediatest.RF64File("RF64", mediatest.WAVFmt(wavePCM, 2, 48000, 24, 0), 600, 0, make([]byte, 600)),
		"gen.aifc":          mediatest.AIFFFile("AIFC", mediatest.SSND(200), mediatest.IFFChunk("COMM", mediatest.AIFFComm(2, 50, 16, 44100, "sowt"))),
		"gen.flac":          mediatest.Cat(mediatest.ID3v2(700, true), []byte("fLaC"), mediatest.FLACBlock(0, false, mediatest.FLACStreamInfo(48000, 2, 24, 48000)), mediatest.FLACBlock(1, true, make([]byte, 900))),
		"gen-scan.flac":     flacFrames,
		"gen.mp3":           mediatest.Cat(mediatest.ID3v2(600, false), mediatest.Repeat(frame, 5), []byte{1, 2, 3}, mediatest.Repeat(frame, 5), mediatest.APETag(40), mediatest.ID3v1()),
		"gen-xing.mp3":      mediatest.Cat(mediatest.XingFrame("Xing", 77, 3, 9, 0, true), mediatest.Repeat(mediatest.MPEGFrame(3, 9, 0, true, 0), 2)),
		"gen.aac":           mediatest.Cat(mediatest.Repeat(mediatest.ADTSFrame(3, 2, 300), 5), mediatest.ID3v1()),
		"gen-last.m4a":      mediatest.Cat(mediatest.FTyp("M4A "), mediatest.LargeBox("mdat", make([]byte, 3000)), m4aMovie(aac, 1)),
		"gen.mp4":           mediatest.Cat(mediatest.FTyp("isom"), mediatest.Box("mdat", make([]byte, 2000)), videoMovie(mediatest.VisualEntry("avc1", 64, 48), aac)),
		"gen-cut.mp4":       mediatest.Cat(mediatest.FTyp("isom"), videoMovie(mediatest.VisualEntry("avc1", 64, 48), aac), mediatest.Box("mdat", make([]byte, 2000)))[:1500],
		"gen.jpg":           mediatest.JPEGHeaders(100, 50, 4, mediatest.JPEGSegment(0xe1, make([]byte, 5000))),
		"gen.tif":           mediatest.EncodeTIFF(mediatest.Gradient(20, 10)),
		"gen.webp":          mediatest.WebPFile(mediatest.WebPVP8X(0x10, 300, 200), mediatest.WebPVP8L(300, 200, true)),
		"gen.txt":           []byte("not media at all"),
		"mt.wav":            mediatest.WAVBytes(44100, 16, 2, 300),
		"mt.rf64":           mediatest.RF64(48000, 24, 1, 200),
		"mt.aiff":           mediatest.AIFF(44100, 16, 1, 300),
		"mt.flac":           mediatest.FLAC(96000, 24, 2, 96000),
		"mt.mp3":            mediatest.MP3(3),
		"mt.aac":            mediatest.ADTS(3),
		"mt.m4a":            mediatest.M4A(1500),
		"mt.mp4":            mediatest.MP4Video(320, 240, 1000, 100),
		"mt.mov":            mediatest.QuickTime(320, 240, 1000),
		"mt.jpg":            mediatest.JPEG(16, 8),
		"mt.png":            mediatest.PNG(16, 8),
		"mt.gray.png":       mediatest.GrayPNG(16, 8),
		"mt.tif":            mediatest.TIFF(16, 8),
		"mt.webp":           mediatest.WebP(16, 8),
	}
}

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
