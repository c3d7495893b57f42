package probe

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
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
	list := riffChunk("LIST", []byte("INFOISFT\x05\x00\x00\x00test\x00"))
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"16-bit mono 44.1 kHz", wavFile(riffChunk("fmt ", wavFmt(wavePCM, 1, 44100, 16, 0)), riffChunk("data", make([]byte, 44100*2))),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 1000}},
		{"16-bit stereo 48 kHz, LIST first", wavFile(list, riffChunk("fmt ", wavFmt(wavePCM, 2, 48000, 16, 0)), riffChunk("data", make([]byte, 4800*4))),
			AudioInfo{"wav", "pcm_s16le", 48000, 16, 2, 100}},
		{"24-bit stereo 96 kHz extensible", wavFile(riffChunk("fmt ", wavFmt(wavePCM, 2, 96000, 24, 24)), riffChunk("data", make([]byte, 9600*6))),
			AudioInfo{"wav", "pcm_s24le", 96000, 24, 2, 100}},
		{"24 valid bits in 32", wavFile(riffChunk("fmt ", wavFmt(wavePCM, 2, 48000, 32, 24)), riffChunk("data", make([]byte, 4800*8))),
			AudioInfo{"wav", "pcm_s32le", 48000, 24, 2, 100}},
		{"24-bit mono 44.1 kHz plain", wavFile(riffChunk("fmt ", wavFmt(wavePCM, 1, 44100, 24, 0)), riffChunk("data", make([]byte, 4410*3))),
			AudioInfo{"wav", "pcm_s24le", 44100, 24, 1, 100}},
		{"float extensible", wavFile(riffChunk("fmt ", wavFmt(waveFloat, 1, 48000, 32, 32)), riffChunk("data", make([]byte, 48000*4))),
			AudioInfo{"wav", "pcm_f32le", 48000, 32, 1, 1000}},
		{"8-bit", wavFile(riffChunk("fmt ", wavFmt(wavePCM, 1, 8000, 8, 0)), riffChunk("data", make([]byte, 801))),
			AudioInfo{"wav", "pcm_u8", 8000, 8, 1, 100}},
		{"a-law", wavFile(riffChunk("fmt ", wavFmt(waveALaw, 1, 8000, 8, 0)), riffChunk("data", make([]byte, 8000))),
			AudioInfo{"wav", "pcm_alaw", 8000, 0, 1, 1000}},
		{"odd chunk padded before fmt", wavFile(riffChunk("junk", []byte{1, 2, 3}), riffChunk("fmt ", wavFmt(wavePCM, 1, 44100, 16, 0)), riffChunk("data", make([]byte, 882))),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 10}},
		{"fmt after data", wavFile(riffChunk("data", make([]byte, 8820)), riffChunk("fmt ", wavFmt(wavePCM, 1, 44100, 16, 0))),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 100}},
		{"mp3 in wav with fact", wavFile(riffChunk("fmt ", cat(le16(waveMP3), le16(2), le32(44100), le32(16000), le16(1), le16(0), le16(0))),
			riffChunk("fact", le32(44100*3)), riffChunk("data", make([]byte, 1000))),
			AudioInfo{"wav", "mp3", 44100, 0, 2, 3000}},
		{"data size left open by a pipe", cat([]byte("RIFF"), le32(openSize), []byte("WAVE"), riffChunk("fmt ", wavFmt(wavePCM, 2, 44100, 16, 0)),
			[]byte("data"), le32(openSize), make([]byte, 44100*4*2)),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 2, 2000}},
		{"trailing bytes after the RIFF form", cat(wavFile(riffChunk("fmt ", wavFmt(wavePCM, 1, 44100, 16, 0)), riffChunk("data", make([]byte, 882))), id3v1()),
			AudioInfo{"wav", "pcm_s16le", 44100, 16, 1, 10}},
		{"RF64", rf64File("RF64", wavFmt(wavePCM, 2, 48000, 24, 0), 48000*6/2, make([]byte, 48000*6/2)),
			AudioInfo{"rf64", "pcm_s24le", 48000, 24, 2, 500}},
		{"BW64", rf64File("BW64", wavFmt(wavePCM, 1, 96000, 24, 24), 9600*3, make([]byte, 9600*3)),
			AudioInfo{"rf64", "pcm_s24le", 96000, 24, 1, 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
}

func TestWAVProblems(t *testing.T) {
	fmt16 := riffChunk("fmt ", wavFmt(wavePCM, 1, 44100, 16, 0))
	t.Run("truncated data", func(t *testing.T) {
		data := wavFile(fmt16, riffChunk("data", make([]byte, 44100*2)))
		got := checkAudioError(t, data[:len(data)-44100], ErrMalformed, "data chunk declares 88200 bytes, stream holds 44100")
		if got.DurationMS != 500 || got.SampleRate != 44100 {
			t.Errorf("info with the error = %+v, want the 500 ms present at 44100 Hz", got)
		}
	})
	t.Run("no fmt", func(t *testing.T) {
		checkAudioError(t, wavFile(riffChunk("data", make([]byte, 10))), ErrMalformed, "no fmt chunk")
	})
	t.Run("no data", func(t *testing.T) {
		checkAudioError(t, wavFile(fmt16), ErrMalformed, "no data chunk")
	})
	t.Run("short fmt", func(t *testing.T) {
		checkAudioError(t, wavFile(riffChunk("fmt ", make([]byte, 8))), ErrMalformed, "fmt chunk of 8 bytes")
	})
	t.Run("zero rate", func(t *testing.T) {
		checkAudioError(t, wavFile(riffChunk("fmt ", wavFmt(wavePCM, 1, 0, 16, 0)), riffChunk("data", nil)), ErrMalformed, "0 Hz")
	})
	t.Run("short ds64", func(t *testing.T) {
		data := cat([]byte("RF64"), le32(openSize), []byte("WAVE"), riffChunk("ds64", make([]byte, 8)))
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
		{"AIFF 16-bit stereo 44.1 kHz", aiffFile("AIFF", aiffChunk("COMM", aiffComm(2, 44100, 16, 44100, "")), ssnd(44100*4)),
			AudioInfo{"aiff", "pcm_s16be", 44100, 16, 2, 1000}},
		{"AIFF 24-bit mono 96 kHz", aiffFile("AIFF", aiffChunk("COMM", aiffComm(1, 9600, 24, 96000, "")), ssnd(9600*3)),
			AudioInfo{"aiff", "pcm_s24be", 96000, 24, 1, 100}},
		{"COMM after SSND", aiffFile("AIFF", ssnd(4800*2), aiffChunk("COMM", aiffComm(1, 4800, 16, 48000, ""))),
			AudioInfo{"aiff", "pcm_s16be", 48000, 16, 1, 100}},
		{"AIFC NONE", aiffFile("AIFC", aiffChunk("FVER", be32(0xa2805140)), aiffChunk("COMM", aiffComm(2, 4410, 16, 44100, "NONE")), ssnd(4410*4)),
			AudioInfo{"aiff", "pcm_s16be", 44100, 16, 2, 100}},
		{"AIFC sowt", aiffFile("AIFC", aiffChunk("COMM", aiffComm(2, 4410, 24, 44100, "sowt")), ssnd(4410*6)),
			AudioInfo{"aiff", "pcm_s24le", 44100, 24, 2, 100}},
		{"AIFC fl32", aiffFile("AIFC", aiffChunk("COMM", aiffComm(1, 48000, 32, 48000, "fl32")), ssnd(48000*4)),
			AudioInfo{"aiff", "pcm_f32be", 48000, 32, 1, 1000}},
		{"AIFC ima4", aiffFile("AIFC", aiffChunk("COMM", aiffComm(1, 8000, 16, 8000, "ima4")), ssnd(100)),
			AudioInfo{"aiff", "ima4", 8000, 0, 1, 1000}},
		{"odd chunk padded", aiffFile("AIFF", aiffChunk("NAME", []byte("odd")), aiffChunk("COMM", aiffComm(1, 441, 8, 44100, "")), ssnd(441)),
			AudioInfo{"aiff", "pcm_s8", 44100, 8, 1, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("no COMM", func(t *testing.T) {
		checkAudioError(t, aiffFile("AIFF", ssnd(10)), ErrMalformed, "no COMM chunk")
	})
	t.Run("truncated SSND", func(t *testing.T) {
		data := aiffFile("AIFF", aiffChunk("COMM", aiffComm(1, 4410, 16, 44100, "")), ssnd(8820))
		checkAudioError(t, data[:len(data)-100], ErrMalformed, "SSND chunk declares 100 bytes more")
	})
	t.Run("infinite rate", func(t *testing.T) {
		comm := aiffComm(1, 10, 16, 44100, "")
		comm[8], comm[9] = 0x7f, 0xff
		checkAudioError(t, aiffFile("AIFF", aiffChunk("COMM", comm)), ErrMalformed, "sample rate")
	})
}

func TestExtendedRate(t *testing.T) {
	for _, rate := range []int{8000, 11025, 22050, 44100, 48000, 88200, 96000, 176400, 192000, 384000} {
		got, ok := extendedRate(extended80(rate))
		if !ok || got != rate {
			t.Errorf("extendedRate(extended80(%d)) = %d, %v", rate, got, ok)
		}
	}
	// 22254.5454… Hz, the Macintosh rate, keeps its whole part.
	got, ok := extendedRate([]byte{0x40, 0x0d, 0xad, 0xdd, 0x17, 0x45, 0xd1, 0x74, 0x5d, 0x17})
	if !ok || got != 22254 {
		t.Errorf("extendedRate(22254.54…) = %d, %v; want 22254", got, ok)
	}
}

func TestFLAC(t *testing.T) {
	info := flacStreamInfo(44100, 2, 16, 44100*3)
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"STREAMINFO only", cat([]byte("fLaC"), flacBlock(0, true, info), make([]byte, 100)),
			AudioInfo{"flac", "flac", 44100, 16, 2, 3000}},
		{"other blocks skipped", cat([]byte("fLaC"), flacBlock(0, false, flacStreamInfo(96000, 6, 24, 96000*90)),
			flacBlock(4, false, make([]byte, 40)), flacBlock(6, false, make([]byte, 200000)), flacBlock(1, true, make([]byte, 8192)), make([]byte, 100)),
			AudioInfo{"flac", "flac", 96000, 24, 6, 90000}},
		{"behind an ID3v2 tag", cat(id3v2(2000, false), []byte("fLaC"), flacBlock(0, true, flacStreamInfo(48000, 1, 24, 4800))),
			AudioInfo{"flac", "flac", 48000, 24, 1, 100}},
		{"behind an ID3v2 tag with footer", cat(id3v2(20, true), []byte("fLaC"), flacBlock(0, true, flacStreamInfo(48000, 1, 24, 4800))),
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
		body := cat([]byte{1, 2, 0xff, 0xf8, 0xc0}, flacFrame(7, nil), []byte{0xff, 0xf8, 0xc0, 0x00, 0x00, 0x00}, make([]byte, 3000))
		var frames [][]byte
		for n := range 2000 {
			frames = append(frames, flacFrame(n, body[:len(body)-n%50]))
		}
		data := cat([]byte("fLaC"), flacBlock(0, true, flacStreamInfo(44100, 1, 16, 0)), cat(frames...))
		checkAudio(t, data, AudioInfo{"flac", "flac", 44100, 16, 1, 2000 * 4096 * 1000 / 44100})
	})
	t.Run("no STREAMINFO first", func(t *testing.T) {
		checkAudioError(t, cat([]byte("fLaC"), flacBlock(4, true, make([]byte, 8))), ErrMalformed, "first metadata block is not STREAMINFO")
	})
	t.Run("cut in STREAMINFO", func(t *testing.T) {
		checkAudioError(t, cat([]byte("fLaC"), flacBlock(0, true, info)[:20]), ErrMalformed, "before STREAMINFO")
	})
}

func TestFLACFrameHeader(t *testing.T) {
	h := flacFrame(1000, nil)
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
	frame := mpegFrame(3, 9, 0, false, 0)
	padded := mpegFrame(3, 9, 0, false, 1)
	stream := repeat(cat(frame, padded), 50)
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"frames counted", stream,
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 100 * 1152 * 1000 / 44100}},
		{"ID3v2 and ID3v1", cat(id3v2(5000, false), stream, id3v1()),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 100 * 1152 * 1000 / 44100}},
		{"ID3v2 with footer, APE tag", cat(id3v2(300, true), stream, apeTag(64), id3v1()),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 100 * 1152 * 1000 / 44100}},
		{"Xing count", cat(xingFrame("Xing", 1000, 3, 9, 0, true), repeat(mpegFrame(3, 9, 0, true, 0), 3)),
			AudioInfo{"mp3", "mp3", 44100, 0, 1, 1000 * 1152 * 1000 / 44100}},
		{"Info count after ID3v2", cat(id3v2(100, false), xingFrame("Info", 500, 3, 11, 1, false), repeat(mpegFrame(3, 11, 1, false, 0), 3)),
			AudioInfo{"mp3", "mp3", 48000, 0, 2, 500 * 1152 * 1000 / 48000}},
		{"VBRI count", cat(vbriFrame(300, 3, 9, 0, false), frame),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 300 * 1152 * 1000 / 44100}},
		{"MPEG-2 24 kHz mono", repeat(mpegFrame(2, 4, 1, true, 0), 25),
			AudioInfo{"mp3", "mp3", 24000, 0, 1, 25 * 576 * 1000 / 24000}},
		{"MPEG-2.5 8 kHz", repeat(mpegFrame(0, 1, 2, false, 0), 40),
			AudioInfo{"mp3", "mp3", 8000, 0, 2, 40 * 576 * 1000 / 8000}},
		{"junk between frames", cat(repeat(frame, 10), []byte{0, 1, 2, 0xff, 0xfb, 9}, repeat(frame, 10)),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 20 * 1152 * 1000 / 44100}},
		{"last frame cut short is not counted", cat(repeat(frame, 10), frame[:200]),
			AudioInfo{"mp3", "mp3", 44100, 0, 2, 10 * 1152 * 1000 / 44100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("no frame", func(t *testing.T) {
		checkAudioError(t, cat(id3v2(10, false), make([]byte, 5000)), ErrMalformed, "no complete frame")
	})
	t.Run("endless junk", func(t *testing.T) {
		checkAudioError(t, cat(id3v2(10, false), make([]byte, maxJunk+10)), ErrMalformed, "no frame in")
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
		{"44.1 kHz stereo", repeat(adtsFrame(4, 2, 371), 43),
			AudioInfo{"aac", "aac", 44100, 0, 2, 43 * 1024 * 1000 / 44100}},
		{"48 kHz 5.1 behind ID3v2", cat(id3v2(50, false), repeat(adtsFrame(3, 6, 600), 47)),
			AudioInfo{"aac", "aac", 48000, 0, 6, 47 * 1024 * 1000 / 48000}},
		{"7.1 and ID3v1", cat(repeat(adtsFrame(3, 7, 900), 10), id3v1()),
			AudioInfo{"aac", "aac", 48000, 0, 8, 10 * 1024 * 1000 / 48000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("several raw blocks", func(t *testing.T) {
		f := adtsFrame(4, 2, 400)
		f[6] |= 3 // four raw data blocks: 4096 samples
		checkAudio(t, repeat(f, 10), AudioInfo{"aac", "aac", 44100, 0, 2, 10 * 4096 * 1000 / 44100})
	})
}

// m4aMovie is an M4A moov with one sound track holding entry.
func m4aMovie(entry []byte, seconds int) []byte {
	return box("moov", mvhd(1000, seconds*1000), trak(trackSpec{
		handler: "soun", duration: seconds * 1000, timescale: 44100, mediaDur: seconds*44100 + 1024, entry: entry,
	}))
}

func TestM4A(t *testing.T) {
	aac := soundEntry("mp4a", 2, 16, 44100, esds(4, 2))
	moov := m4aMovie(aac, 3)
	mdat := box("mdat", make([]byte, 30000))
	want := AudioInfo{"m4a", "aac", 44100, 0, 2, 3000}
	tests := []struct {
		name string
		data []byte
		want AudioInfo
	}{
		{"moov before mdat", movieFile(ftyp("M4A ", "M4A ", "mp42", "isom"), moov, mdat), want},
		{"moov after mdat", movieFile(ftyp("M4A ", "M4A ", "mp42", "isom"), mdat, moov), want},
		{"moov after 64-bit mdat", movieFile(ftyp("M4A ", "isom"), box("free"), largeBox("mdat", make([]byte, 70000)), moov), want},
		{"isom brand without video", movieFile(ftyp("isom", "iso2", "mp41"), moov, mdat), want},
		{"mdat running to the end", movieFile(ftyp("M4A "), moov, be32(0), []byte("mdat"), make([]byte, 5000)), want},
		{"ASC channels win over the entry", movieFile(ftyp("M4A "), m4aMovie(soundEntry("mp4a", 2, 16, 48000, esds(3, 1)), 1)),
			AudioInfo{"m4a", "aac", 48000, 0, 1, 1000}},
		{"ALAC 24-bit", movieFile(ftyp("M4A "), m4aMovie(soundEntry("alac", 2, 24, 44100, alacBox(24, 2, 96000)), 2)),
			AudioInfo{"m4a", "alac", 96000, 24, 2, 2000}},
		{"QuickTime sound description v2, 24-bit LPCM", movieFile(ftyp("qt  "), m4aMovie(
			box("lpcm", make([]byte, 6), be16(1), be16(2), make([]byte, 6), be16(3), be16(16), be16(0xfffe), be16(0), be32(1<<16),
				be32(72), be64(math.Float64bits(96000)), be32(2), be32(0x7f000000), be32(24), be32(0x0c), be32(6), be32(1)), 1)),
			AudioInfo{"m4a", "pcm_s24le", 96000, 24, 2, 1000}},
		{"FLAC in MP4 with dfLa", movieFile(ftyp("isom"), m4aMovie(soundEntry("fLaC", 2, 16, 48000,
			fullBox("dfLa", 0, flacBlock(0, true, flacStreamInfo(96000, 2, 24, 0)))), 1)),
			AudioInfo{"m4a", "flac", 96000, 24, 2, 1000}},
		{"MP3 in MP4", movieFile(ftyp("isom"), m4aMovie(soundEntry("mp4a", 2, 16, 44100, esdsFor(0x6b, nil)), 1)),
			AudioInfo{"m4a", "mp3", 44100, 0, 2, 1000}},
		// AOT 5 (SBR), core 24 kHz (index 6), stereo, extension 48 kHz
		// (index 3), then AOT 2: 00101 0110 0010 0011 00010.
		{"HE-AAC reports the output rate", movieFile(ftyp("M4A "), m4aMovie(soundEntry("mp4a", 2, 16, 24000, esdsFor(0x40, []byte{0x2b, 0x11, 0x88, 0x80})), 1)),
			AudioInfo{"m4a", "aac", 48000, 0, 2, 1000}},
		{"QuickTime sound description v1 with wave/esds", movieFile(ftyp("M4A "), m4aMovie(
			box("mp4a", make([]byte, 6), be16(1), be16(1), make([]byte, 6), be16(2), be16(16), be16(0xfffe), be16(0), be32(44100<<16),
				make([]byte, 16), box("wave", box("frma", []byte("mp4a")), esds(4, 2))), 3)),
			want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAudio(t, tt.data, tt.want)
		})
	}
	t.Run("moov over the limit", func(t *testing.T) {
		data := cat(ftyp("M4A "), be32(MaxMovieHeader+9), []byte("moov"))
		checkAudioError(t, data, ErrLimit, "moov box of 67108865 bytes")
	})
	t.Run("no moov", func(t *testing.T) {
		checkAudioError(t, cat(ftyp("M4A "), mdat), ErrMalformed, "no moov box")
	})
	t.Run("truncated mdat", func(t *testing.T) {
		data := movieFile(ftyp("M4A "), moov, mdat)
		got := checkAudioError(t, data[:len(data)-1000], ErrMalformed, "stream ends 1000 bytes inside a box")
		if got != want {
			t.Errorf("info with the error = %+v, want %+v", got, want)
		}
	})
	t.Run("video is not audio", func(t *testing.T) {
		data := movieFile(ftyp("isom"), box("moov", mvhd(600, 600),
			trak(trackSpec{handler: "vide", duration: 600, timescale: 600, mediaDur: 600, entry: visualEntry("avc1", 640, 360)}),
			trak(trackSpec{handler: "soun", duration: 600, timescale: 44100, mediaDur: 44100, entry: aac})))
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
		{"wav", wavFile(riffChunk("fmt ", wavFmt(wavePCM, 1, 8000, 16, 0)), riffChunk("data", nil)), KindAudio, MIMEWAV},
		{"flac behind a tag larger than the sniff window", cat(id3v2(4000, false), []byte("fLaC"), flacBlock(0, true, flacStreamInfo(8000, 1, 16, 8000))), KindAudio, MIMEFLAC},
		{"jpeg", encodeJPEG(t, opaqueRGBA(8, 8)), KindImage, MIMEJPEG},
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
	data := cat([]byte("fLaC"), flacBlock(0, true, flacStreamInfo(44100, 1, 16, 0)), flacFrame(0, make([]byte, 100)), flacFrame(1, make([]byte, 100)))
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
