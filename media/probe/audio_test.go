package probe

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"tonegrid/media/mediatest"
)

// probeAudio runs data through an AudioProbe in chunks of n bytes.
func probeAudio(data []byte, n int) (AudioInfo, error) {
	p := NewAudioProbe()
	feed(p, data, n)
	return p.Result()
}

// checkAudio asserts that data probes to want without error, fed whole and
// byte by byte.
func checkAudio(t *testing.T, data []byte, want AudioInfo) {
	t.Helper()
	for _, n := range []int{len(data) + 1, 1} {
		got, err := probeAudio(data, n)
		if err != nil {
			t.Fatalf("chunks of %d: Result error: %v", n, err)
		}
		if got != want {
			t.Fatalf("chunks of %d:\n got %+v\nwant %+v", n, got, want)
		}
	}
}

// checkAudioError asserts that data probes to an error wrapping target and
// mentioning detail, and returns the info reported with it.
func checkAudioError(t *testing.T, data []byte, target error, detail string) AudioInfo {
	t.Helper()
	got, err := probeAudio(data, 3)
	if !errors.Is(err, target) {
		t.Fatalf("Result error = %v, want one wrapping %v", err, target)
	}
	if !strings.Contains(err.Error(), detail) {
		t.Fatalf("Result error = %q, want it to mention %q", err, detail)
	}
	return got
}

func TestWAV(t *testing.T) {
	list := mediatest.RIFFChunk("LIST", []byte("INFOISFT\x05\x00\x00\x00test\x00"))
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"16-bit mono 44.1 kHz", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 44100, 16, 0)), mediatest.RIFFChunk("data", make([]byte, 44100*2))),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 1000}},
		{"16-bit stereo 48 kHz, LIST first", mediatest.WAVFile(list, mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 2, 48000, 16, 0)), mediatest.RIFFChunk("data", make([]byte, 4800*4))),
			AudioInfo{"wav", "pcm_s16le", 48000, 16, 2, 100}},
		{"24-bit stereo 96 kHz extensible", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 2, 96000, 24, 24)), mediatest.RIFFChunk("data", make([]byte, 9600*6))),
			AudioInfo{"wav", "pcm_s24le", 96000, 24, 2, 100}},
		{"24 valid bits in 32", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 2, 48000, 32, 24)), mediatest.RIFFChunk("data", make([]byte, 4800*8))),
			AudioInfo{"wav", "pcm_s32le", 48000, 24, 2, 100}},
		{"24-bit mono 44.1 kHz plain", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 44100, 24, 0)), mediatest.RIFFChunk("data", make([]byte, 4410*3))),
			AudioInfo{"wav", "pcm_s24le", 44100, 24, 1, 100}},
		{"float extensible", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(waveFloat, 1, 48000, 32, 32)), mediatest.RIFFChunk("data", make([]byte, 48000*4))),
			AudioInfo{"wav", "pcm_f32le", 48000, 32, 1, 1000}},
		{"8-bit", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 8000, 8, 0)), mediatest.RIFFChunk("data", make([]byte, 801))),
			AudioInfo{"wav", "pcm_u8", 8000, 8, 1, 100}},
		{"a-law", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(waveALaw, 1, 8000, 8, 0)), mediatest.RIFFChunk("data", make([]byte, 8000))),
			AudioInfo{"wav", "pcm_alaw", 8000, 0, 1, 1000}},
		{"odd chunk padded before fmt", mediatest.WAVFile(mediatest.RIFFChunk("junk", []byte{1, 2, 3}), mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 44100, 16, 0)), mediatest.RIFFChunk("data", make([]byte, 882))),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 10}},
		{"fmt after data", mediatest.WAVFile(mediatest.RIFFChunk("data", make([]byte, 8820)), mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 44100, 16, 0))),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 100}},
		{"mp3 in wav with fact", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.Cat(mediatest.LE16(waveMP3), mediatest.LE16(2), mediatest.LE32(44100), mediatest.LE32(16000), mediatest.LE16(1), mediatest.LE16(0), mediatest.LE16(0))),
			mediatest.RIFFChunk("fact", mediatest.LE32(44100*3)), mediatest.RIFFChunk("data", make([]byte, 1000))),
			AudioInfo{"wav", "mp3", 44100, 0, 2, 3000}},
		{"data size left open by a pipe", mediatest.Cat([]byte("RIFF"), mediatest.LE32(openSize), []byte("WAVE"), mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 2, 44100, 16, 0)),
			[]byte("data"), mediatest.LE32(openSize), make([]byte, 44100*4*2)),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 2, 2000}},
		{"trailing bytes after the RIFF form", mediatest.Cat(mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 44100, 16, 0)), mediatest.RIFFChunk("data", make([]byte, 882))), mediatest.ID3v1()),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 10}},
		{"RF64", mediatest.RF64File("RF64", mediatest.WAVFmt(wavePCM, 2, 48000, 24, 0), 48000*6/2, 0, make([]byte, 48000*6/2)),
			AudioInfo{"rf64", "pcm_s24le", 48000, 24, 2, 500}},
		{"BW64", mediatest.RF64File("BW64", mediatest.WAVFmt(wavePCM, 1, 96000, 24, 24), 9600*3, 0, make([]byte, 9600*3)),
			AudioInfo{"rf64", "pcm_s24le", 96000, 24, 1, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
}

func TestWAVProblems(t *testing.T) {
	fmt16 := mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 44100, 16, 0))
	t.Run("truncated data", func(t *testing.T) {
		data := mediatest.WAVFile(fmt16, mediatest.RIFFChunk("data", make([]byte, 44100*2)))
		got := checkAudioError(t, data[:len(data)-44100], ErrMalformed, "data chunk declares 88200 bytes, stream holds 44100")
		if got.DurationMS != 500 || got.SampleRate != 44100 {
			t.Errorf("info with the error = %+v, want the 500 ms present at 44100 Hz", got)
		}
	})
	t.Run("no fmt", func(t *testing.T) {
		checkAudioError(t, mediatest.WAVFile(mediatest.RIFFChunk("data", make([]byte, 10))), ErrMalformed, "no fmt chunk")
	})
	t.Run("no data", func(t *testing.T) {
		checkAudioError(t, mediatest.WAVFile(fmt16), ErrMalformed, "no data chunk")
	})
	t.Run("short fmt", func(t *testing.T) {
		checkAudioError(t, mediatest.WAVFile(mediatest.RIFFChunk("fmt ", make([]byte, 8))), ErrMalformed, "fmt chunk of 8 bytes")
	})
	t.Run("zero rate", func(t *testing.T) {
		checkAudioError(t, mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 0, 16, 0)), mediatest.RIFFChunk("data", nil)), ErrMalformed, "0 Hz")
	})
	t.Run("short ds64", func(t *testing.T) {
		data := mediatest.Cat([]byte("RF64"), mediatest.LE32(openSize), []byte("WAVE"), mediatest.RIFFChunk("ds64", make([]byte, 8)))
		checkAudioError(t, data, ErrMalformed, "ds64 chunk of 8 bytes")
	})
	t.Run("not audio", func(t *testing.T) {
		checkAudioError(t, []byte("%PDF-1.7\n"), ErrUnsupported, "application/pdf")
	})
	t.Run("empty", func(t *testing.T) {
		checkAudioError(t, nil, ErrUnsupported, "text/plain")
	})
}

func TestAIFF(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"AIFF 16-bit stereo 44.1 kHz", mediatest.AIFFFile("AIFF", mediatest.IFFChunk("COMM", mediatest.AIFFComm(2, 44100, 16, 44100, "")), mediatest.SSND(44100*4)),
			AudioInfo{"aiff", "pcm_s16be", 44100, 16, 2, 1000}},
		{"AIFF 24-bit mono 96 kHz", mediatest.AIFFFile("AIFF", mediatest.IFFChunk("COMM", mediatest.AIFFComm(1, 9600, 24, 96000, "")), mediatest.SSND(9600*3)),
			AudioInfo{"aiff", "pcm_s24be", 96000, 24, 1, 100}},
		{"COMM after SSND", mediatest.AIFFFile("AIFF", mediatest.SSND(4800*2), mediatest.IFFChunk("COMM", mediatest.AIFFComm(1, 4800, 16, 48000, ""))),
			AudioInfo{"aiff", "pcm_s16be", 48000, 16, 1, 100}},
		{"AIFC NONE", mediatest.AIFFFile("AIFC", mediatest.IFFChunk("FVER", mediatest.BE32(0xa2805140)), mediatest.IFFChunk("COMM", mediatest.AIFFComm(2, 4410, 16, 44100, "NONE")), mediatest.SSND(4410*4)),
			AudioInfo{"aiff", "pcm_s16be", 44100, 16, 2, 100}},
		{"AIFC sowt", mediatest.AIFFFile("AIFC", mediatest.IFFChunk("COMM", mediatest.AIFFComm(2, 4410, 24, 44100, "sowt")), mediatest.SSND(4410*6)),
			AudioInfo{"aiff", "pcm_s24le", 44100, 24, 2, 100}},
		{"AIFC fl32", mediatest.AIFFFile("AIFC", mediatest.IFFChunk("COMM", mediatest.AIFFComm(1, 48000, 32, 48000, "fl32")), mediatest.SSND(48000*4)),
			AudioInfo{"aiff", "pcm_f32be", 48000, 32, 1, 1000}},
		{"AIFC ima4", mediatest.AIFFFile("AIFC", mediatest.IFFChunk("COMM", mediatest.AIFFComm(1, 8000, 16, 8000, "ima4")), mediatest.SSND(100)),
			AudioInfo{"aiff", "ima4", 8000, 0, 1, 1000}},
		{"odd chunk padded", mediatest.AIFFFile("AIFF", mediatest.IFFChunk("NAME", []byte("odd")), mediatest.IFFChunk("COMM", mediatest.AIFFComm(1, 441, 8, 44100, "")), mediatest.SSND(441)),
			AudioInfo{"aiff", "pcm_s8", 44100, 8, 1, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("no COMM", func(t *testing.T) {
		checkAudioError(t, mediatest.AIFFFile("AIFF", mediatest.SSND(10)), ErrMalformed, "no COMM chunk")
	})
	t.Run("truncated SSND", func(t *testing.T) {
		data := mediatest.AIFFFile("AIFF", mediatest.IFFChunk("COMM", mediatest.AIFFComm(1, 4410, 16, 44100, "")), mediatest.SSND(8820))
		checkAudioError(t, data[:len(data)-100], ErrMalformed, "SSND chunk declares 100 bytes more")
	})
	t.Run("infinite rate", func(t *testing.T) {
		comm := mediatest.AIFFComm(1, 10, 16, 44100, "")
		comm[8], comm[9] = 0x7f, 0xff
		checkAudioError(t, mediatest.AIFFFile("AIFF", mediatest.IFFChunk("COMM", comm)), ErrMalformed, "sample rate")
	})
}

func TestExtendedRate(t *testing.T) {
	for _, rate := range []int{8000, 11025, 22050, 44100, 48000, 88200, 96000, 176400, 192000, 384000} {
		got, ok := extendedRate(mediatest.Extended80(rate))
		if !ok || got != rate {
			t.Errorf("extendedRate(mediatest.Extended80(%d)) = %d, %v", rate, got, ok)
		}
	}
	// 22254.5454… Hz, the Macintosh rate, keeps its whole part.
	got, ok := extendedRate([]byte{0x40, 0x0d, 0xad, 0xdd, 0x17, 0x45, 0xd1, 0x74, 0x5d, 0x17})
	if !ok || got != 22254 {
		t.Errorf("extendedRate(22254.54…) = %d, %v; want 22254", got, ok)
	}
}

func TestFLAC(t *testing.T) {
	info := mediatest.FLACStreamInfo(44100, 2, 16, 44100*3)
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"STREAMINFO only", mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, true, info), make([]byte, 100)),
			AudioInfo{"flac", "flac", 44100, 16, 2, 3000}},
		{"other blocks skipped", mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, false, mediatest.FLACStreamInfo(96000, 6, 24, 96000*90)),
			mediatest.FLACBlock(4, false, make([]byte, 40)), mediatest.FLACBlock(6, false, make([]byte, 200000)), mediatest.FLACBlock(1, true, make([]byte, 8192)), make([]byte, 100)),
			AudioInfo{"flac", "flac", 96000, 24, 6, 90000}},
		{"behind an ID3v2 tag", mediatest.Cat(mediatest.ID3v2(2000, false), []byte("fLaC"), mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(48000, 1, 24, 4800))),
			AudioInfo{"flac", "flac", 48000, 24, 1, 100}},
		{"behind an ID3v2 tag with footer", mediatest.Cat(mediatest.ID3v2(20, true), []byte("fLaC"), mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(48000, 1, 24, 4800))),
			AudioInfo{"flac", "flac", 48000, 24, 1, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("total unknown: frames counted", func(t *testing.T) {
		// Bodies hold false syncs: a valid-looking header for frame 7
		// and a 0xfff8 pair without a good CRC. 2,000 frames of 3 KB
		// span many scan reads, so headers straddle their edges.
		body := mediatest.Cat([]byte{1, 2, 0xff, 0xf8, 0xc0}, mediatest.FLACFrame(7, nil), []byte{0xff, 0xf8, 0xc0, 0x00, 0x00, 0x00}, make([]byte, 3000))
		var frames [][]byte
		for n := range 2000 {
			frames = append(frames, mediatest.FLACFrame(n, body[:len(body)-n%50]))
		}
		data := mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(44100, 1, 16, 0)), mediatest.Cat(frames...))
		checkAudio(t, data, AudioInfo{"flac", "flac", 44100, 16, 1, 2000 * 4096 * 1000 / 44100})
	})
	t.Run("no STREAMINFO first", func(t *testing.T) {
		checkAudioError(t, mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(4, true, make([]byte, 8))), ErrMalformed, "first metadata block is not STREAMINFO")
	})
	t.Run("cut in STREAMINFO", func(t *testing.T) {
		checkAudioError(t, mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, true, info)[:20]), ErrMalformed, "before STREAMINFO")
	})
}

func TestFLACFrameHeader(t *testing.T) {
	h := mediatest.FLACFrame(1000, nil)
	got, ok := parseFLACFrameHeader(h)
	if !ok || got.number != 1000 || got.blockSize != 4096 || got.channels != 1 || got.length != len(h) {
		t.Fatalf("parseFLACFrameHeader = %+v, %v", got, ok)
	}
	h[len(h)-1] ^= 1
	if _, ok := parseFLACFrameHeader(h); ok {
		t.Fatalf("parseFLACFrameHeader accepted a header with a bad CRC")
	}
}

func TestMP3(t *testing.T) {
	// MPEG-1 Layer III, 128 kbit/s (index 9), 44.1 kHz (index 0): 417 or
	// 418 bytes a frame, 1152 samples.
	frame := mediatest.MPEGFrame(3, 9, 0, false, 0)
	padded := mediatest.MPEGFrame(3, 9, 0, false, 1)
	stream := mediatest.Repeat(mediatest.Cat(frame, padded), 50)
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"frames counted", stream,
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 100 * 1152 * 1000 / 44100}},
		{"ID3v2 and ID3v1", mediatest.Cat(mediatest.ID3v2(5000, false), stream, mediatest.ID3v1()),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 100 * 1152 * 1000 / 44100}},
		{"ID3v2 with footer, APE tag", mediatest.Cat(mediatest.ID3v2(300, true), stream, mediatest.APETag(64), mediatest.ID3v1()),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 100 * 1152 * 1000 / 44100}},
		{"Xing count", mediatest.Cat(mediatest.XingFrame("Xing", 1000, 3, 9, 0, true), mediatest.Repeat(mediatest.MPEGFrame(3, 9, 0, true, 0), 3)),
			AudioInfo{"mp3", "mp3", 44100, 0, 1, 1000 * 1152 * 1000 / 44100}},
		{"Info count after ID3v2", mediatest.Cat(mediatest.ID3v2(100, false), mediatest.XingFrame("Info", 500, 3, 11, 1, false), mediatest.Repeat(mediatest.MPEGFrame(3, 11, 1, false, 0), 3)),
			AudioInfo{"mp3", "mp3", 48000, 0, 2, 500 * 1152 * 1000 / 48000}},
		{"VBRI count", mediatest.Cat(mediatest.VBRIFrame(300, 3, 9, 0, false), frame),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 300 * 1152 * 1000 / 44100}},
		{"MPEG-2 24 kHz mono", mediatest.Repeat(mediatest.MPEGFrame(2, 4, 1, true, 0), 25),
			AudioInfo{"mp3", "mp3", 24000, 0, 1, 25 * 576 * 1000 / 24000}},
		{"MPEG-2.5 8 kHz", mediatest.Repeat(mediatest.MPEGFrame(0, 1, 2, false, 0), 40),
			AudioInfo{"mp3", "mp3", 8000, 0, 2, 40 * 576 * 1000 / 8000}},
		{"junk between frames", mediatest.Cat(mediatest.Repeat(frame, 10), []byte{0, 1, 2, 0xff, 0xfb, 9}, mediatest.Repeat(frame, 10)),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 20 * 1152 * 1000 / 44100}},
		{"last frame cut short is not counted", mediatest.Cat(mediatest.Repeat(frame, 10), frame[:200]),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 10 * 1152 * 1000 / 44100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("no frame", func(t *testing.T) {
		checkAudioError(t, mediatest.Cat(mediatest.ID3v2(10, false), make([]byte, 5000)), ErrMalformed, "no complete frame")
	})
	t.Run("endless junk", func(t *testing.T) {
		checkAudioError(t, mediatest.Cat(mediatest.ID3v2(10, false), make([]byte, maxJunk+10)), ErrMalformed, "no frame in")
	})
}

func TestMPEGHeader(t *testing.T) {
	tests := []struct {
		name   string
		header []byte
		ok     bool
	}{
		{"MPEG-1 Layer III", []byte{0xff, 0xfb, 0x90, 0x64}, true},
		{"reserved version", []byte{0xff, 0xeb, 0x90, 0x64}, false},
		{"Layer II", []byte{0xff, 0xfd, 0x90, 0x64}, false},
		{"free bitrate", []byte{0xff, 0xfb, 0x00, 0x64}, false},
		{"bad bitrate", []byte{0xff, 0xfb, 0xf0, 0x64}, false},
		{"reserved rate", []byte{0xff, 0xfb, 0x9c, 0x64}, false},
		{"reserved emphasis", []byte{0xff, 0xfb, 0x90, 0x66}, false},
		{"sync only", []byte{0xff, 0xe0, 0x00, 0x00}, false},
	}
	for _, tt := range tests {
		if _, ok := parseMPEGHeader(tt.header); ok != tt.ok {
			t.Errorf("%s: parseMPEGHeader(% x) ok = %v, want %v", tt.name, tt.header, ok, tt.ok)
		}
	}
	h, _ := parseMPEGHeader([]byte{0xff, 0xfb, 0x92, 0x64})
	if h.length != 418 || h.samples != 1152 || h.sampleRate != 44100 || h.channels != 2 {
		t.Errorf("128 kbit/s 44.1 kHz padded header = %+v, want 418 bytes, 1152 samples, 44100 Hz, 2 channels", h)
	}
}

func TestADTS(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"44.1 kHz stereo", mediatest.Repeat(mediatest.ADTSFrame(4, 2, 371), 43),
			AudioInfo{"aac", "aac", 44100, 0, 2, 43 * 1024 * 1000 / 44100}},
		{"48 kHz 5.1 behind ID3v2", mediatest.Cat(mediatest.ID3v2(50, false), mediatest.Repeat(mediatest.ADTSFrame(3, 6, 600), 47)),
			AudioInfo{"aac", "aac", 48000, 0, 6, 47 * 1024 * 1000 / 48000}},
		{"7.1 and ID3v1", mediatest.Cat(mediatest.Repeat(mediatest.ADTSFrame(3, 7, 900), 10), mediatest.ID3v1()),
			AudioInfo{"aac", "aac", 48000, 0, 8, 10 * 1024 * 1000 / 48000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("several raw blocks", func(t *testing.T) {
		f := mediatest.ADTSFrame(4, 2, 400)
		f[6] |= 3 // four raw data blocks: 4096 samples
		checkAudio(t, mediatest.Repeat(f, 10), AudioInfo{"aac", "aac", 44100, 0, 2, 10 * 4096 * 1000 / 44100})
	})
}

// m4aMovie is an M4A moov with one sound track holding entry.
func m4aMovie(entry []byte, seconds int) []byte {
	return mediatest.Box("moov", mediatest.MVHD(1000, seconds*1000), mediatest.Trak(mediatest.Track{
		Handler: "soun", Duration: seconds * 1000, Timescale: 44100, MediaDuration: seconds*44100 + 1024, Entry: entry,
	}))
}

func TestM4A(t *testing.T) {
	aac := mediatest.SoundEntry("mp4a", 2, 16, 44100, mediatest.ESDS(4, 2))
	moov := m4aMovie(aac, 3)
	mdat := mediatest.Box("mdat", make([]byte, 30000))
	want := AudioInfo{"m4a", "aac", 44100, 0, 2, 3000}
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"moov before mdat", mediatest.Cat(mediatest.FTyp("M4A ", "M4A ", "mp42", "isom"), moov, mdat), want},
		{"moov after mdat", mediatest.Cat(mediatest.FTyp("M4A ", "M4A ", "mp42", "isom"), mdat, moov), want},
		{"moov after 64-bit mdat", mediatest.Cat(mediatest.FTyp("M4A ", "isom"), mediatest.Box("free"), mediatest.LargeBox("mdat", make([]byte, 70000)), moov), want},
		{"isom brand without video", mediatest.Cat(mediatest.FTyp("isom", "iso2", "mp41"), moov, mdat), want},
		{"mdat running to the end", mediatest.Cat(mediatest.FTyp("M4A "), moov, mediatest.BE32(0), []byte("mdat"), make([]byte, 5000)), want},
		{"ASC channels win over the entry", mediatest.Cat(mediatest.FTyp("M4A "), m4aMovie(mediatest.SoundEntry("mp4a", 2, 16, 48000, mediatest.ESDS(3, 1)), 1)),
			AudioInfo{"m4a", "aac", 48000, 0, 1, 1000}},
		{"ALAC 24-bit", mediatest.Cat(mediatest.FTyp("M4A "), m4aMovie(mediatest.SoundEntry("alac", 2, 24, 44100, mediatest.ALACBox(24, 2, 96000)), 2)),
			AudioInfo{"m4a", "alac", 96000, 24, 2, 2000}},
		{"QuickTime sound description v2, 24-bit LPCM", mediatest.Cat(mediatest.FTyp("qt  "), m4aMovie(
			mediatest.Box("lpcm", make([]byte, 6), mediatest.BE16(1), mediatest.BE16(2), make([]byte, 6), mediatest.BE16(3), mediatest.BE16(16), mediatest.BE16(0xfffe), mediatest.BE16(0), mediatest.BE32(1<<16),
				mediatest.BE32(72), mediatest.BE64(math.Float64bits(96000)), mediatest.BE32(2), mediatest.BE32(0x7f000000), mediatest.BE32(24), mediatest.BE32(0x0c), mediatest.BE32(6), mediatest.BE32(1)), 1)),
			AudioInfo{"m4a", "pcm_s24le", 96000, 24, 2, 1000}},
		{"FLAC in MP4 with dfLa", mediatest.Cat(mediatest.FTyp("isom"), m4aMovie(mediatest.SoundEntry("fLaC", 2, 16, 48000,
			mediatest.FullBox("dfLa", 0, mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(96000, 2, 24, 0)))), 1)),
			AudioInfo{"m4a", "flac", 96000, 24, 2, 1000}},
		{"MP3 in MP4", mediatest.Cat(mediatest.FTyp("isom"), m4aMovie(mediatest.SoundEntry("mp4a", 2, 16, 44100, mediatest.ESDSFor(0x6b, nil)), 1)),
			AudioInfo{"m4a", "mp3", 44100, 0, 2, 1000}},
		// AOT 5 (SBR), core 24 kHz (index 6), stereo, extension 48 kHz
		// (index 3), then AOT 2: 00101 0110 0010 0011 00010.
		{"HE-AAC reports the output rate", mediatest.Cat(mediatest.FTyp("M4A "), m4aMovie(mediatest.SoundEntry("mp4a", 2, 16, 24000, mediatest.ESDSFor(0x40, []byte{0x2b, 0x11, 0x88, 0x80})), 1)),
			AudioInfo{"m4a", "aac", 48000, 0, 2, 1000}},
		{"QuickTime sound description v1 with wave/esds", mediatest.Cat(mediatest.FTyp("M4A "), m4aMovie(
			mediatest.Box("mp4a", make([]byte, 6), mediatest.BE16(1), mediatest.BE16(1), make([]byte, 6), mediatest.BE16(2), mediatest.BE16(16), mediatest.BE16(0xfffe), mediatest.BE16(0), mediatest.BE32(44100<<16),
				make([]byte, 16), mediatest.Box("wave", mediatest.Box("frma", []byte("mp4a")), mediatest.ESDS(4, 2))), 3)),
			want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("moov over the limit", func(t *testing.T) {
		data := mediatest.Cat(mediatest.FTyp("M4A "), mediatest.BE32(MaxMovieHeader+9), []byte("moov"))
		checkAudioError(t, data, ErrLimit, "moov box of 67108865 bytes")
	})
	t.Run("no moov", func(t *testing.T) {
		checkAudioError(t, mediatest.Cat(mediatest.FTyp("M4A "), mdat), ErrMalformed, "no moov box")
	})
	t.Run("truncated mdat", func(t *testing.T) {
		data := mediatest.Cat(mediatest.FTyp("M4A "), moov, mdat)
		got := checkAudioError(t, data[:len(data)-1000], ErrMalformed, "stream ends 1000 bytes inside a box")
		if got != want {
			t.Errorf("info with the error = %+v, want %+v", got, want)
		}
	})
	t.Run("video is not audio", func(t *testing.T) {
		data := mediatest.Cat(mediatest.FTyp("isom"), mediatest.Box("moov", mediatest.MVHD(600, 600),
			mediatest.Trak(mediatest.Track{Handler: "vide", Duration: 600, Timescale: 600, MediaDuration: 600, Entry: mediatest.VisualEntry("avc1", 640, 360)}),
			mediatest.Trak(mediatest.Track{Handler: "soun", Duration: 600, Timescale: 44100, MediaDuration: 44100, Entry: aac})))
		checkAudioError(t, data, ErrUnsupported, "holds a video track")
		p := NewAudioProbe()
		feed(p, data, 100)
		r, _ := p.Report()
		if r.Kind != KindVideo || r.MIME != MIMEMP4 || r.Audio != nil {
			t.Errorf("Report = %+v, want KindVideo, video/mp4, no audio", r)
		}
	})
}

func TestAudioReport(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		kind Kind
		mime string
	}{
		{"wav", mediatest.WAVFile(mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 1, 8000, 16, 0)), mediatest.RIFFChunk("data", nil)), KindAudio, MIMEWAV},
		{"flac behind a tag larger than the sniff window", mediatest.Cat(mediatest.ID3v2(4000, false), []byte("fLaC"), mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(8000, 1, 16, 8000))), KindAudio, MIMEFLAC},
		{"jpeg", mediatest.EncodeJPEG(mediatest.Gradient(8, 8), nil), KindImage, MIMEJPEG},
		{"text", []byte("hello"), KindUnknown, "text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewAudioProbe()
			feed(p, tt.data, 64)
			r, err := p.Report()
			if r.Kind != tt.kind || r.MIME != tt.mime {
				t.Fatalf("Report = %v %q, want %v %q", r.Kind, r.MIME, tt.kind, tt.mime)
			}
			if (err == nil) != (r.Audio != nil) {
				t.Fatalf("Report error %v with Audio %+v: want Audio exactly when no error", err, r.Audio)
			}
			if tt.kind == KindAudio && err != nil {
				t.Fatalf("Report error: %v", err)
			}
		})
	}
}

func TestResultIsStable(t *testing.T) {
	data := mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(44100, 1, 16, 0)), mediatest.FLACFrame(0, make([]byte, 100)), mediatest.FLACFrame(1, make([]byte, 100)))
	p := NewAudioProbe()
	feed(p, data, 7)
	first, err1 := p.Result()
	second, err2 := p.Result()
	if first != second || !errors.Is(err2, err1) {
		t.Fatalf("second Result = %+v, %v; first was %+v, %v", second, err2, first, err1)
	}
	if first.DurationMS != 2*4096*1000/44100 {
		t.Fatalf("DurationMS = %d, want two frames' worth", first.DurationMS)
	}
}

func TestWriteNeverFails(t *testing.T) {
	junk := bytes.Repeat([]byte{0xff}, 1000)
	for _, p := range []Prober{NewAudioProbe(), NewImageProbe(), NewVideoProbe()} {
		for range 3 {
			n, err := p.Write(junk)
			if n != len(junk) || err != nil {
				t.Fatalf("%T.Write = %d, %v; want %d, nil", p, n, err, len(junk))
			}
		}
	}
}

func TestDurationMS(t *testing.T) {
	if got := durationMS(1<<62, 48000); got != (1<<62)/48000*1000 {
		t.Errorf("durationMS(2^62, 48000) = %d", got)
	}
	if got := durationMS(44099, 44100); got != 999 {
		t.Errorf("durationMS(44099, 44100) = %d, want 999 (rounded down)", got)
	}
}
