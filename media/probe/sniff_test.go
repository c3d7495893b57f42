package probe

import (
	"testing"
)

func TestSniff(t *testing.T) {
	frame := mpegFrame(3, 9, 0, false, 0)
	tests := []struct {
		name string
		head []byte
		mime string
		kind Kind
	}{
		{"WAV", wavFile(riffChunk("fmt ", wavFmt(wavePCM, 1, 8000, 16, 0))), MIMEWAV, KindAudio},
		{"RF64", rf64File("RF64", wavFmt(wavePCM, 1, 8000, 16, 0), 0, nil), MIMEWAV, KindAudio},
		{"BW64", rf64File("BW64", wavFmt(wavePCM, 1, 8000, 16, 0), 0, nil), MIMEWAV, KindAudio},
		{"AIFF", aiffFile("AIFF", aiffChunk("COMM", aiffComm(1, 1, 16, 8000, ""))), MIMEAIFF, KindAudio},
		{"AIFC", aiffFile("AIFC", aiffChunk("COMM", aiffComm(1, 1, 16, 8000, "sowt"))), MIMEAIFF, KindAudio},
		{"FLAC", cat([]byte("fLaC"), flacBlock(0, true, flacStreamInfo(8000, 1, 16, 1))), MIMEFLAC, KindAudio},
		{"FLAC behind ID3v2", cat(id3v2(30, false), []byte("fLaC")), MIMEFLAC, KindAudio},
		{"FLAC behind ID3v2 with footer", cat(id3v2(30, true), []byte("fLaC")), MIMEFLAC, KindAudio},
		{"MP3 frames", repeat(frame, 3), MIMEMPEG, KindAudio},
		{"MP3 single frame header", frame[:4], MIMEMPEG, KindAudio},
		{"MP3 behind ID3v2", cat(id3v2(10, false), frame), MIMEMPEG, KindAudio},
		{"ID3v2 longer than the head", id3v2(1000, false), MIMEMPEG, KindAudio},
		{"ID3v2 before garbage", cat(id3v2(10, false), []byte("garbage")), MIMEMPEG, KindAudio},
		{"AAC ADTS", repeat(adtsFrame(4, 2, 200), 3), MIMEAAC, KindAudio},
		{"AAC ADTS behind ID3v2", cat(id3v2(10, false), adtsFrame(4, 2, 200)), MIMEAAC, KindAudio},
		{"M4A brand", ftyp("M4A ", "M4A ", "mp42", "isom"), MIMEM4A, KindAudio},
		{"M4B brand", ftyp("M4B ", "isom"), MIMEM4A, KindAudio},
		{"M4A compatible brand", ftyp("mp42", "isom", "M4A "), MIMEM4A, KindAudio},
		{"isom brand", ftyp("isom", "isom", "iso2", "mp41"), MIMEMP4, KindAudioOrVideo},
		{"mp42 brand", ftyp("mp42", "mp42", "mp41"), MIMEMP4, KindAudioOrVideo},
		{"M4V brand", ftyp("M4V ", "M4V ", "mp42"), MIMEMP4, KindVideo},
		{"avc1 brand", ftyp("avc1", "isom"), MIMEMP4, KindVideo},
		{"QuickTime brand", ftyp("qt  ", "qt  "), MIMEQuickTime, KindVideo},
		{"QuickTime without ftyp", box("wide"), MIMEQuickTime, KindVideo},
		{"QuickTime moov first", box("moov", mvhd(600, 0)), MIMEQuickTime, KindVideo},
		{"JPEG", encodeJPEG(t, opaqueRGBA(4, 4)), MIMEJPEG, KindImage},
		{"PNG", encodePNG(t, opaqueRGBA(4, 4)), MIMEPNG, KindImage},
		{"TIFF little-endian", []byte("II*\x00\x08\x00\x00\x00"), MIMETIFF, KindImage},
		{"TIFF big-endian", []byte("MM\x00*\x00\x00\x00\x08"), MIMETIFF, KindImage},
		{"WebP", webpFile(webpVP8(4, 4)), MIMEWebP, KindImage},

		{"HEIC is not a movie", ftyp("heic", "mif1", "heic", "iso8"), "application/octet-stream", KindUnknown},
		{"AVIF is not a movie", ftyp("avif", "avif", "mif1", "miaf"), "application/octet-stream", KindUnknown},
		{"unknown brand", ftyp("xyzw", "abcd"), "application/octet-stream", KindUnknown},
		{"3GP compatible with mp41 reads as MP4", ftyp("3gp4", "mp41", "3gp4"), MIMEMP4, KindAudioOrVideo},
		{"3GP alone is not claimed", ftyp("3gp4", "3gp4"), "application/octet-stream", KindUnknown},
		{"PDF", []byte("%PDF-1.7\n%âãÏÓ\n"), "application/pdf", KindUnknown},
		{"text", []byte("hello, world\n"), "text/plain", KindUnknown},
		{"HTML", []byte("<!DOCTYPE html><html></html>"), "text/html", KindUnknown},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00"), "image/gif", KindUnknown},
		{"Ogg", []byte("OggS\x00\x02\x00\x00"), "application/ogg", KindUnknown},
		{"ZIP", []byte("PK\x03\x04\x14\x00"), "application/zip", KindUnknown},
		{"empty", nil, "text/plain", KindUnknown},
		{"binary", []byte{0, 1, 2, 3, 0xfe}, "application/octet-stream", KindUnknown},
		{"MPEG sync with a bad second header", cat(frame, []byte{0xff, 0xfb, 0xf0, 0x00}), "application/octet-stream", KindUnknown},
		{"sync without valid fields", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, "application/octet-stream", KindUnknown},
		{"ID3 with a bad version", cat([]byte("ID3\x09\x00\x00\x00\x00\x00\x00"), frame[:10]), "application/octet-stream", KindUnknown},
		{"RIFF AVI", cat([]byte("RIFF"), le32(100), []byte("AVI LIST")), "video/avi", KindUnknown},
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
	head := cat(id3v2(SniffLen, false), mpegFrame(3, 9, 0, false, 0))
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
