package mediatest_test

import (
	"fmt"
	"testing"

	"tonegrid/media/mediatest"
	"tonegrid/media/probe"
)

// TestFilesProbe checks that every generated file sniffs and probes as what
// it claims to be, with the parameters it was built with.
func TestFilesProbe(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		mime string
		want string // %+v of the info
	}{
		{"wav", mediatest.WAVBytes(48000, 24, 2, 48000*2), probe.MIMEWAV, "{Format:wav Codec:pcm_s24le SampleRate:48000 BitDepth:24 Channels:2 DurationMS:2000}"},
		{"rf64", mediatest.RF64(96000, 24, 2, 96000), probe.MIMEWAV, "{Format:rf64 Codec:pcm_s24le SampleRate:96000 BitDepth:24 Channels:2 DurationMS:1000}"},
		{"aiff", mediatest.AIFF(44100, 16, 2, 44100), probe.MIMEAIFF, "{Format:aiff Codec:pcm_s16be SampleRate:44100 BitDepth:16 Channels:2 DurationMS:1000}"},
		{"flac", mediatest.FLAC(96000, 24, 2, 96000*3), probe.MIMEFLAC, "{Format:flac Codec:flac SampleRate:96000 BitDepth:24 Channels:2 DurationMS:3000}"},
		{"mp3", mediatest.MP3(100), probe.MIMEMPEG, "{Format:mp3 Codec:mp3 SampleRate:44100 BitDepth:0 Channels:2 DurationMS:2612}"},
		{"adts", mediatest.ADTS(100), probe.MIMEAAC, "{Format:aac Codec:aac SampleRate:44100 BitDepth:0 Channels:2 DurationMS:2321}"},
		{"m4a", mediatest.M4A(5000), probe.MIMEM4A, "{Format:m4a Codec:aac SampleRate:44100 BitDepth:0 Channels:2 DurationMS:5000}"},
		{"jpeg", mediatest.JPEG(64, 48), probe.MIMEJPEG, "{Format:jpeg Width:64 Height:48 ColorModel:RGB}"},
		{"png", mediatest.PNG(30, 30), probe.MIMEPNG, "{Format:png Width:30 Height:30 ColorModel:RGB}"},
		{"tiff", mediatest.TIFF(40, 30), probe.MIMETIFF, "{Format:tiff Width:40 Height:30 ColorModel:RGBA}"},
		{"webp", mediatest.WebP(3000, 3000), probe.MIMEWebP, "{Format:webp Width:3000 Height:3000 ColorModel:RGB}"},
		{"gray png", mediatest.GrayPNG(10, 20), probe.MIMEPNG, "{Format:png Width:10 Height:20 ColorModel:Gray}"},
		{"mp4", mediatest.MP4Video(1920, 1080, 7000, 100), probe.MIMEMP4, "{Container:mp4 DurationMS:7000 Width:1920 Height:1080 VideoCodec:avc1 AudioCodec:mp4a}"},
		{"mov", mediatest.QuickTime(640, 480, 3000), probe.MIMEQuickTime, "{Container:mov DurationMS:3000 Width:640 Height:480 VideoCodec:avc1 AudioCodec:}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mime, kind := probe.Sniff(tt.data)
			if mime != tt.mime {
				t.Fatalf("sniffed %s, want %s", mime, tt.mime)
			}
			p := probe.NewProbe(kind)
			p.Write(tt.data)
			rep, err := p.Report()
			if err != nil {
				t.Fatalf("probe: %v", err)
			}
			var got string
			switch {
			case rep.Audio != nil:
				got = fmtInfo(*rep.Audio)
			case rep.Image != nil:
				got = fmtInfo(*rep.Image)
			case rep.Video != nil:
				got = fmtInfo(*rep.Video)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func fmtInfo(v any) string { return fmt.Sprintf("%+v", v) }
