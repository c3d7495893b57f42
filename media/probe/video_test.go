package probe

import (
	"errors"
	"strings"
	"testing"

	"tonegrid/media/mediatest"
)

// probeVideo runs data through a VideoProbe in chunks of n bytes.
func probeVideo(data []byte, n int) (VideoInfo, error) {
	p := NewVideoProbe()
	feed(p, data, n)
	return p.Result()
}

// videoMovie is a moov with a video track and optionally a sound track.
func videoMovie(video, sound []byte) []byte {
	tracks := [][]byte{mediatest.MVHD(600, 6300), mediatest.Trak(mediatest.Track{Handler: "vide", Duration: 6300, Timescale: 30000, MediaDuration: 315315, Entry: video})}
	if sound != nil {
		tracks = append(tracks, mediatest.Trak(mediatest.Track{Handler: "soun", Duration: 6300, Timescale: 48000, MediaDuration: 504000, Entry: sound}))
	}
	return mediatest.Box("moov", tracks...)
}

func TestVideo(t *testing.T) {
	aac := mediatest.SoundEntry("mp4a", 2, 16, 48000, mediatest.ESDS(3, 2))
	mdat := mediatest.Box("mdat", make([]byte, 50000))
	tests := []struct {
		name string
		data []byte
		want VideoInfo
	}{
		{"MP4 H.264 + AAC, moov first", mediatest.Cat(mediatest.FTyp("isom", "isom", "iso2", "avc1", "mp41"), videoMovie(mediatest.VisualEntry("avc1", 1920, 1080), aac), mdat),
			VideoInfo{"mp4", 10500, 1920, 1080, "avc1", "mp4a"}},
		{"MP4 HEVC, moov after 64-bit mdat", mediatest.Cat(mediatest.FTyp("mp42", "isom"), mediatest.LargeBox("mdat", make([]byte, 5000)), videoMovie(mediatest.VisualEntry("hvc1", 3840, 2160), nil)),
			VideoInfo{"mp4", 10500, 3840, 2160, "hvc1", ""}},
		{"MP4 hev1 in M4V brand", mediatest.Cat(mediatest.FTyp("M4V "), videoMovie(mediatest.VisualEntry("hev1", 1280, 720), aac)),
			VideoInfo{"mp4", 10500, 1280, 720, "hev1", "mp4a"}},
		{"MOV ProRes 4444 + PCM", mediatest.Cat(mediatest.FTyp("qt  ", "qt  "), mediatest.Box("wide"), mdat, videoMovie(mediatest.VisualEntry("ap4h", 4096, 2160), mediatest.SoundEntry("sowt", 2, 16, 48000))),
			VideoInfo{"mov", 10500, 4096, 2160, "ap4h", "sowt"}},
		{"MOV without ftyp", mediatest.Cat(mediatest.Box("wide"), mdat, videoMovie(mediatest.VisualEntry("apcn", 1920, 1080), nil)),
			VideoInfo{"mov", 10500, 1920, 1080, "apcn", ""}},
		{"encrypted entry names its original format", mediatest.Cat(mediatest.FTyp("isom"), videoMovie(mediatest.VisualEntry("encv", 640, 480, mediatest.Box("sinf", mediatest.Box("frma", []byte("avc1")))), nil)),
			VideoInfo{"mp4", 10500, 640, 480, "avc1", ""}},
		{"mvhd version 1, no tkhd duration", mediatest.Cat(mediatest.FTyp("isom"), mediatest.Box("moov", mediatest.FullBox("mvhd", 1, mediatest.BE64(0), mediatest.BE64(0), mediatest.BE32(90000), mediatest.BE64(90000*3600*30), make([]byte, 80)),
			mediatest.Trak(mediatest.Track{Handler: "vide", Timescale: 90000, MediaDuration: 90000, Entry: mediatest.VisualEntry("av01", 7680, 4320)}))),
			VideoInfo{"mp4", 3600 * 30 * 1000, 7680, 4320, "av01", ""}},
		{"no movie duration: longest track", mediatest.Cat(mediatest.FTyp("isom"), mediatest.Box("moov", mediatest.MVHD(1000, 0),
			mediatest.Trak(mediatest.Track{Handler: "vide", Timescale: 25, MediaDuration: 250, Entry: mediatest.VisualEntry("mp4v", 720, 576)}),
			mediatest.Trak(mediatest.Track{Handler: "soun", Timescale: 48000, MediaDuration: 48000 * 11, Entry: mediatest.SoundEntry("ac-3", 6, 16, 48000)}))),
			VideoInfo{"mp4", 11000, 720, 576, "mp4v", "ac-3"}},
		{"fragmented: duration from mehd", mediatest.Cat(mediatest.FTyp("iso6", "dash"), mediatest.Box("moov", mediatest.MVHD(1000, 0),
			mediatest.Trak(mediatest.Track{Handler: "vide", Timescale: 90000, Entry: mediatest.VisualEntry("avc1", 320, 240)}),
			mediatest.Box("mvex", mediatest.FullBox("mehd", 0, mediatest.BE32(4321)))), mediatest.Box("moof"), mdat),
			VideoInfo{"mp4", 4321, 320, 240, "avc1", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, n := range []int{len(tt.data) + 1, 1} {
				got, err := probeVideo(tt.data, n)
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

func TestVideoProblems(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		target error
		detail string
	}{
		{"sound only", mediatest.Cat(mediatest.FTyp("isom"), m4aMovie(mediatest.SoundEntry("mp4a", 2, 16, 44100, mediatest.ESDS(4, 2)), 1)), ErrUnsupported, "no video track"},
		{"box smaller than its header", mediatest.Cat(mediatest.FTyp("isom"), mediatest.BE32(4), []byte("free")), ErrMalformed, `"free" box of 4 bytes`},
		{"child box overruns moov", mediatest.Cat(mediatest.FTyp("isom"), mediatest.Box("moov", mediatest.BE32(100), []byte("trak"))), ErrMalformed, `"trak" box of 100 bytes in 8`},
		{"short mvhd", mediatest.Cat(mediatest.FTyp("isom"), mediatest.Box("moov", mediatest.FullBox("mvhd", 0, mediatest.BE32(0)))), ErrMalformed, "short mvhd"},
		{"moov to the end", mediatest.Cat(mediatest.FTyp("isom"), mediatest.BE32(0), []byte("moov"), make([]byte, 100)), ErrLimit, "moov box running to the end"},
		{"bad 64-bit size", mediatest.Cat(mediatest.FTyp("isom"), mediatest.BE32(1), []byte("mdat"), mediatest.BE64(3)), ErrMalformed, "64-bit size 3"},
		{"cut in moov", mediatest.Cat(mediatest.FTyp("isom"), videoMovie(mediatest.VisualEntry("avc1", 64, 48), nil))[:100], ErrMalformed, "stream ends 76 bytes into a moov box of"},
		{"png", mediatest.EncodePNG(mediatest.Gradient(2, 2)), ErrUnsupported, "image/png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := probeVideo(tt.data, 5)
			if !errors.Is(err, tt.target) || !strings.Contains(err.Error(), tt.detail) {
				t.Fatalf("Result error = %v, want one wrapping %v and mentioning %q", err, tt.target, tt.detail)
			}
		})
	}
}

func TestVideoReportDecidesOpenBrands(t *testing.T) {
	aac := mediatest.SoundEntry("mp4a", 2, 16, 44100, mediatest.ESDS(4, 2))
	tests := []struct {
		name  string
		data  []byte
		kind  Kind
		mime  string
		audio *AudioInfo
		video *VideoInfo
	}{
		{"isom with video", mediatest.Cat(mediatest.FTyp("isom", "mp41"), videoMovie(mediatest.VisualEntry("avc1", 64, 48), aac)), KindVideo, MIMEMP4,
			nil, &VideoInfo{"mp4", 10500, 64, 48, "avc1", "mp4a"}},
		{"isom with sound only", mediatest.Cat(mediatest.FTyp("isom", "mp41"), m4aMovie(aac, 2)), KindAudio, MIMEM4A,
			&AudioInfo{"m4a", "aac", 44100, 0, 2, 2000}, nil},
		{"qt with video", mediatest.Cat(mediatest.FTyp("qt  "), videoMovie(mediatest.VisualEntry("apch", 64, 48), nil)), KindVideo, MIMEQuickTime,
			nil, &VideoInfo{"mov", 10500, 64, 48, "apch", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, sniffed := Sniff(tt.data)
			p := NewProbe(sniffed)
			feed(p, tt.data, 9)
			r, err := p.Report()
			if err != nil {
				t.Fatalf("Report error: %v", err)
			}
			if r.Kind != tt.kind || r.MIME != tt.mime {
				t.Fatalf("Report says %v %q, want %v %q", r.Kind, r.MIME, tt.kind, tt.mime)
			}
			if !equalPtr(r.Audio, tt.audio) || !equalPtr(r.Video, tt.video) || r.Image != nil {
				t.Fatalf("Report = audio %+v video %+v image %+v; want audio %+v video %+v", r.Audio, r.Video, r.Image, tt.audio, tt.video)
			}
		})
	}
}

// equalPtr reports whether two optional values are both absent or equal.
func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
