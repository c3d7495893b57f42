package probe

import (
	"testing"

	"tonegrid/media/mediatest"
)

func TestSniff(t *testing.T) {
	frame := mediatest.MPEGFrame(3, 9, 0, false, 0)
	tests := []struct {
		name string
		head []byte
		mime string
		kind Kind
	}{
		{"WAV", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 8000, 16, 0))), MIMEWAV, KindAudio},
		{"RF64", mediatest.RF64File("RF64", mediatest.WAVFmt(wavePCM, 1, 8000, 16, 0), 0, 0, nil), MIMEWAV, KindAudio},
		{"BW64", mediatest.RF64File("BW64", mediatest.WAVFmt(wavePCM, 1, 8000, 16, 0), 0, 0, nil), MIMEWAV, KindAudio},
		{"AIFF", mediatest.AIFFFile("AIFF", mediatest.IFFChunk("COMM", mediatest.AIFFComm(1, 1, 16, 8000, ""))), MIMEAIFF, KindAudio},
		{"AIFC", mediatest.AIFFFile("AIFC", mediatest.IFFChunk("COMM", mediatest.AIFFComm(1, 1, 16, 8000, "sowt"))), MIMEAIFF, KindAudio},
		{"FLAC", mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(8000, 1, 16, 1))), MIMEFLAC, KindAudio},
		{"FLAC behind ID3v2", mediatest.Cat(mediatest.ID3v2(30, false), []byte("fLaC")), MIMEFLAC, KindAudio},
		{"FLAC behind ID3v2 with footer", mediatest.Cat(mediatest.ID3v2(30, true), []byte("fLaC")), MIMEFLAC, KindAudio},
		{"MP3 frames", mediatest.Repeat(frame, 3), MIMEMPEG, KindAudio},
		{"MP3 single frame header", frame[:4], MIMEMPEG, KindAudio},
		{"MP3 behind ID3v2", mediatest.Cat(mediatest.ID3v2(10, false), frame), MIMEMPEG, KindAudio},
		{"ID3v2 longer than the head", mediatest.ID3v2(1000, false), MIMEMPEG, KindAudio},
		{"ID3v2 before garbage", mediatest.Cat(mediatest.ID3v2(10, false), []byte("garbage")), MIMEMPEG, KindAudio},
		{"AAC ADTS", mediatest.Repeat(mediatest.ADTSFrame(4, 2, 200), 3), MIMEAAC, KindAudio},
		{"AAC ADTS behind ID3v2", mediatest.Cat(mediatest.ID3v2(10, false), mediatest.ADTSFrame(4, 2, 200)), MIMEAAC, KindAudio},
		{"M4A brand", mediatest.FTyp("M4A ", "M4A ", "mp42", "isom"), MIMEM4A, KindAudio},
		{"M4B brand", mediatest.FTyp("M4B ", "isom"), MIMEM4A, KindAudio},
		{"M4A compatible brand", mediatest.FTyp("mp42", "isom", "M4A "), MIMEM4A, KindAudio},
		{"isom brand", mediatest.FTyp("isom", "isom", "iso2", "mp41"), MIMEMP4, KindAudioOrVideo},
		{"mp42 brand", mediatest.FTyp("mp42", "mp42", "mp41"), MIMEMP4, KindAudioOrVideo},
		{"M4V brand", mediatest.FTyp("M4V ", "M4V ", "mp42"), MIMEMP4, KindVideo},
		{"avc1 brand", mediatest.FTyp("avc1", "isom"), MIMEMP4, KindVideo},
		{"QuickTime brand", mediatest.FTyp("qt  ", "qt  "), MIMEQuickTime, KindVideo},
		{"QuickTime without ftyp", mediatest.Box("wide"), MIMEQuickTime, KindVideo},
		{"QuickTime moov first", mediatest.Box("moov", mediatest.MVHD(600, 0)), MIMEQuickTime, KindVideo},
		{"JPEG", mediatest.EncodeJPEG(mediatest.Gradient(4, 4), nil), MIMEJPEG, KindImage},
		{"PNG", mediatest.EncodePNG(mediatest.Gradient(4, 4)), MIMEPNG, KindImage},
		{"TIFF little-endian", []byte("II*\x00\x08\x00\x00\x00"), MIMETIFF, KindImage},
		{"TIFF big-endian", []byte("MM\x00*\x00\x00\x00\x08"), MIMETIFF, KindImage},
		{"WebP", mediatest.WebPFile(mediatest.WebPVP8(4, 4)), MIMEWebP, KindImage},

		{"HEIC is not a movie", mediatest.FTyp("heic", "mif1", "heic", "iso8"), "application/octet-stream", KindUnknown},
		{"AVIF is not a movie", mediatest.FTyp("avif", "avif", "mif1", "miaf"), "application/octet-stream", KindUnknown},
		{"unknown brand", mediatest.FTyp("xyzw", "abcd"), "application/octet-stream", KindUnknown},
		{"3GP compatible with mp41 reads as MP4", mediatest.FTyp("3gp4", "mp41", "3gp4"), MIMEMP4, KindAudioOrVideo},
		{"3GP alone is not claimed", mediatest.FTyp("3gp4", "3gp4"), "application/octet-stream", KindUnknown},
		{"PDF", []byte("%PDF-1.7\n%âãÏÓ\n"), "application/pdf", KindUnknown},
		{"text", []byte("hello, world\n"), "text/plain", KindUnknown},
		{"HTML", []byte("<!DOCTYPE html><html></html>"), "text/html", KindUnknown},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00"), "image/gif", KindUnknown},
		{"Ogg", []byte("OggS\x00\x02\x00\x00"), "application/ogg", KindUnknown},
		{"ZIP", []byte("PK\x03\x04\x14\x00"), "application/zip", KindUnknown},
		{"empty", nil, "text/plain", KindUnknown},
		{"binary", []byte{0, 1, 2, 3, 0xfe}, "application/octet-stream", KindUnknown},
		{"MPEG sync with a bad second header", mediatest.Cat(frame, []byte{0xff, 0xfb, 0xf0, 0x00}), "application/octet-stream", KindUnknown},
		{"sync without valid fields", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, "application/octet-stream", KindUnknown},
		{"ID3 with a bad version", mediatest.Cat([]byte("ID3\x09\x00\x00\x00\x00\x00\x00"), frame[:10]), "application/octet-stream", KindUnknown},
		{"RIFF AVI", mediatest.Cat([]byte("RIFF"), mediatest.LE32(100), []byte("AVI LIST")), "video/avi", KindUnknown},
		{"truncated RIFF", []byte("RIFF\x00\x00"), "application/octet-stream", KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mime, kind := Sniff(tt.head)
			if mime != tt.mime || kind != tt.kind {
				t.Fatalf("Sniff = %q, %v; want %q, %v", mime, kind, tt.mime, tt.kind)
			}
		})
	}
}

func TestSniffLooksAtTheFirst512Bytes(t *testing.T) {
	// A valid MP3 frame header beyond SniffLen is not seen.
	head := mediatest.Cat(mediatest.ID3v2(SniffLen, false), mediatest.MPEGFrame(3, 9, 0, false, 0))
	if mime, kind := Sniff(head); mime != MIMEMPEG || kind != KindAudio {
		t.Fatalf("Sniff = %q, %v; want the ID3v2 tag alone to make it audio/mpeg", mime, kind)
	}
	text := append(make([]byte, SniffLen), []byte("fLaC")...)
	if mime, _ := Sniff(text); mime == MIMEFLAC {
		t.Fatalf("Sniff looked past SniffLen")
	}
}

func TestKindFits(t *testing.T) {
	tests := []struct {
		kind, want Kind
		fits       bool
	}{
		{KindAudio, KindAudio, true},
		{KindAudio, KindVideo, false},
		{KindImage, KindImage, true},
		{KindVideo, KindAudio, false},
		{KindAudioOrVideo, KindAudio, true},
		{KindAudioOrVideo, KindVideo, true},
		{KindAudioOrVideo, KindImage, false},
		{KindUnknown, KindUnknown, false},
	}
	for _, tt := range tests {
		if got := tt.kind.Fits(tt.want); got != tt.fits {
			t.Errorf("%v.Fits(%v) = %v, want %v", tt.kind, tt.want, got, tt.fits)
		}
	}
}

func TestNewProbe(t *testing.T) {
	tests := []struct {
		kind Kind
		want string
	}{
		{KindAudio, "*probe.AudioProbe"},
		{KindImage, "*probe.ImageProbe"},
		{KindVideo, "*probe.VideoProbe"},
		{KindAudioOrVideo, "*probe.VideoProbe"},
	}
	for _, tt := range tests {
		got := NewProbe(tt.kind)
		if name := typeName(got); name != tt.want {
			t.Errorf("NewProbe(%v) is %s, want %s", tt.kind, name, tt.want)
		}
	}
	if NewProbe(KindUnknown) != nil {
		t.Errorf("NewProbe(KindUnknown) is not nil")
	}
}

// typeName names the dynamic type of p.
func typeName(p Prober) string {
	switch p.(type) {
	case *AudioProbe:
		return "*probe.AudioProbe"
	case *ImageProbe:
		return "*probe.ImageProbe"
	case *VideoProbe:
		return "*probe.VideoProbe"
	}
	return "other"
}
