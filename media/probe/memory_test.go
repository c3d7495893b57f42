package probe

import (
	"runtime"
	"testing"

	"tonegrid/media/mediatest"
)

// bigStreamSize is the size of the synthetic uploads in TestMemoryBounded.
const bigStreamSize = 200 << 20

// streamFill feeds w a header, size bytes of zeros in 1 MiB writes from one
// reused buffer, then a trailer.
func streamFill(w interface{ Write([]byte) (int, error) }, header []byte, size int64, trailer []byte, zeros []byte) {
	feed(w, header, len(header))
	for size > 0 {
		k := min(int64(len(zeros)), size)
		if _, err := w.Write(zeros[:k]); err != nil {
			panic(err)
		}
		size -= k
	}
	feed(w, trailer, len(trailer))
}

func TestMemoryBounded(t *testing.T) {
	aac := mediatest.SoundEntry("mp4a", 2, 16, 48000, mediatest.ESDS(3, 2))
	tests := []struct {
		name    string
		header  []byte
		trailer []byte
		probe   func() Prober
		want    any
	}{
		{"WAV 200 MB", mediatest.Cat([]byte("RIFF"), mediatest.LE32(bigStreamSize+36), []byte("WAVE"), mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 2, 48000, 24, 0)),
			[]byte("data"), mediatest.LE32(bigStreamSize)), nil,
			func() Prober { return NewAudioProbe() },
			AudioInfo{"wav", "pcm_s24le", 48000, 24, 2, bigStreamSize / 6 * 1000 / 48000}},
		{"MP4 with 200 MB mdat first", mediatest.Cat(mediatest.FTyp("isom", "mp41"), mediatest.BE32(1), []byte("mdat"), mediatest.BE64(bigStreamSize+16)),
			videoMovie(mediatest.VisualEntry("avc1", 1920, 1080), aac),
			func() Prober { return NewVideoProbe() },
			VideoInfo{"mp4", 10500, 1920, 1080, "avc1", "mp4a"}},
	}
	zeros := make([]byte, 1<<20)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.probe()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			streamFill(p, tt.header, bigStreamSize, tt.trailer, zeros)
			r, err := p.Report()
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("Report error: %v", err)
			}
			var got any
			switch {
			case r.Audio != nil:
				got = *r.Audio
			case r.Video != nil:
				got = *r.Video
			}
			if got != tt.want {
				t.Fatalf("\n got %+v\nwant %+v", got, tt.want)
			}
			// The whole run, probe and report, may allocate well under 1 MiB
			// for 200 MB of input; buffering the stream would show as more.
			if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
				t.Fatalf("probing %d MB allocated %d bytes, want under 1 MiB", bigStreamSize>>20, allocated)
			}
			if peak := streamPeak(p); peak > 64<<10 {
				t.Fatalf("largest read buffer %d bytes, want under 64 KiB", peak)
			}
		})
	}
}

// streamPeak is the largest buffer a probe's stream held.
func streamPeak(p Prober) int {
	switch p := p.(type) {
	case *AudioProbe:
		peak := p.h.s.peak
		if e, ok := p.parser.(*elementaryParser); ok && e.flac != nil {
			peak = max(peak, cap(e.flac.scratch))
		}
		return peak
	case *ImageProbe:
		return p.h.s.peak
	case *VideoProbe:
		return p.h.s.peak
	}
	return 0
}
