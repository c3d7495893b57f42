package probe

import (
	"errors"
	"strings"
	"testing"
)

// probeVideo runs data through a VideoProbe in chunks of n bytes.
func probeVideo(data []byte, n int) (VideoInfo, error) {
	p := NewVideoProbe()
	feed(p, data, n)
	return p.Result()
}

// videoMovie is a moov with a video track and optionally a sound track.
func videoMovie(video, sound []byte) []byte {
	tracks := [][]byte{mvhd(600, 6300), trak(trackSpec{handler: "vide", duration: 6300, timescale: 30000, mediaDur: 315315, entry: video})}
	if sound != nil {
		tracks = append(tracks, trak(trackSpec{handler: "soun", duration: 6300, timescale: 48000, mediaDur: 504000, entry: sound}))
	}
	return box("moov", tracks...)
}

func TestVideo(t *testing.T) {
	aac := soundEntry("mp4a", 2, 16, 48000, esds(3, 2))
	mdat := box("mdat", make([]byte, 50000))
	tests := []struct {
		name string
		data []byte
		want VideoInfo
	}{
		{"MP4 H.264 + AAC, moov first", movieFile(ftyp("isom", "isom", "iso2", "avc1", "mp41"), videoMovie(visualEntry("avc1", 1920, 1080), aac), mdat),
			VideoInfo{"mp4", 10500, 1920, 1080, "avc1", "mp4a"}},
		{"MP4 HEVC, moov after 64-bit mdat", movieFile(ftyp("mp42", "isom"), largeBox("mdat", make([]byte, 5000)), videoMovie(visualEntry("hvc1", 3840, 2160), nil)),
			VideoInfo{"mp4", 10500, 3840, 2160, "hvc1", ""}},
		{"MP4 hev1 in M4V brand", movieFile(ftyp("M4V "), videoMovie(visualEntry("hev1", 1280, 720), aac)),
			VideoInfo{"mp4", 10500, 1280, 720, "hev1", "mp4a"}},
		{"MOV ProRes 4444 + PCM", movieFile(ftyp("qt  ", "qt  "), box("wide"), mdat, videoMovie(visualEntry("ap4h", 4096, 2160), soundEntry("sowt", 2, 16, 48000))),
			VideoInfo{"mov", 10500, 4096, 2160, "ap4h", "sowt"}},
		{"MOV without ftyp", movieFile(box("wide"), mdat, videoMovie(visualEntry("apcn", 1920, 1080), nil)),
			VideoInfo{"mov", 10500, 1920, 1080, "apcn", ""}},
		{"encrypted entry names its original format", movieFile(ftyp("isom"), videoMovie(visualEntry("encv", 640, 480, box("sinf", box("frma", []byte("avc1")))), nil)),
			VideoInfo{"mp4", 10500, 640, 480, "avc1", ""}},
		{"mvhd version 1, no tkhd duration", movieFile(ftyp("isom"), box("moov", fullBox("mvhd", 1, be64(0), be64(0), be32(90000), be64(90000*3600*30), make([]byte, 80)),
			trak(trackSpec{handler: "vide", timescale: 90000, mediaDur: 90000, entry: visualEntry("av01", 7680, 4320)}))),
			VideoInfo{"mp4", 3600 * 30 * 1000, 7680, 4320, "av01", ""}},
		{"no movie duration: longest track", movieFile(ftyp("isom"), box("moov", mvhd(1000, 0),
			trak(trackSpec{handler: "vide", timescale: 25, mediaDur: 250, entry: visualEntry("mp4v", 720, 576)}),
			trak(trackSpec{handler: "soun", timescale: 48000, mediaDur: 48000 * 11, entry: soundEntry("ac-3", 6, 16, 48000)}))),
			VideoInfo{"mp4", 11000, 720, 576, "mp4v", "ac-3"}},
		{"fragmented: duration from mehd", movieFile(ftyp("iso6", "dash"), box("moov", mvhd(1000, 0),
			trak(trackSpec{handler: "vide", timescale: 90000, entry: visualEntry("avc1", 320, 240)}),
			box("mvex", fullBox("mehd", 0, be32(4321)))), box("moof"), mdat),
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
		{"sound only", movieFile(ftyp("isom"), m4aMovie(soundEntry("mp4a", 2, 16, 44100, esds(4, 2)), 1)), ErrUnsupported, "no video track"},
		{"box smaller than its header", movieFile(ftyp("isom"), be32(4), []byte("free")), ErrMalformed, `"free" box of 4 bytes`},
		{"child box overruns moov", movieFile(ftyp("isom"), box("moov", be32(100), []byte("trak"))), ErrMalformed, `"trak" box of 100 bytes in 8`},
		{"short mvhd", movieFile(ftyp("isom"), box("moov", fullBox("mvhd", 0, be32(0)))), ErrMalformed, "short mvhd"},
		{"moov to the end", movieFile(ftyp("isom"), be32(0), []byte("moov"), make([]byte, 100)), ErrLimit, "moov box running to the end"},
		{"bad 64-bit size", movieFile(ftyp("isom"), be32(1), []byte("mdat"), be64(3)), ErrMalformed, "64-bit size 3"},
		{"cut in moov", movieFile(ftyp("isom"), videoMovie(visualEntry("avc1", 64, 48), nil))[:100], ErrMalformed, "stream ends 76 bytes into a moov box of"},
		{"png", encodePNG(t, opaqueRGBA(2, 2)), ErrUnsupported, "image/png"},
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
	aac := soundEntry("mp4a", 2, 16, 44100, esds(4, 2))
	tests := []struct {
		name  string
		data  []byte
		kind  Kind
		mime  string
		audio *AudioInfo
		video *VideoInfo
	}{
		{"isom with video", movieFile(ftyp("isom", "mp41"), videoMovie(visualEntry("avc1", 64, 48), aac)), KindVideo, MIMEMP4,
			nil, &VideoInfo{"mp4", 10500, 64, 48, "avc1", "mp4a"}},
		{"isom with sound only", movieFile(ftyp("isom", "mp41"), m4aMovie(aac, 2)), KindAudio, MIMEM4A,
			&AudioInfo{"m4a", "aac", 44100, 0, 2, 2000}, nil},
		{"qt with video", movieFile(ftyp("qt  "), videoMovie(visualEntry("apch", 64, 48), nil)), KindVideo, MIMEQuickTime,
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
