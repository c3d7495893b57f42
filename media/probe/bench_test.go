package probe

import (
	"crypto/md5"
	"crypto/sha256"
	"hash"
	"io"
	"testing"

	"tonegrid/media/mediatest"
)

// benchSize is the length of the synthetic streams the benchmarks probe.
const benchSize = 100 << 20

// copyChunk is the write size of io.Copy, which the upload path uses.
const copyChunk = 32 << 10

// benchStream is a synthetic upload: a header, a block repeated up to about
// benchSize bytes, and a trailer, written in copyChunk pieces without ever
// holding the whole stream.
type benchStream struct {
	header, block, trailer []byte
	repeats                int
}

// newBenchStream repeats block to fill about benchSize bytes.
func newBenchStream(header, block, trailer []byte) benchStream {
	return benchStream{header, block, trailer, max(1, benchSize/len(block))}
}

// size is the stream's length in bytes.
func (s benchStream) size() int64 {
	return int64(len(s.header) + len(s.block)*s.repeats + len(s.trailer))
}

// writeTo writes the stream to w in copyChunk pieces.
func (s benchStream) writeTo(w io.Writer) {
	feed(w, s.header, copyChunk)
	for range s.repeats {
		feed(w, s.block, copyChunk)
	}
	feed(w, s.trailer, copyChunk)
}

// runBench probes the stream once per iteration and reports MB/s.
func runBench(b *testing.B, s benchStream, newProbe func() Prober) {
	b.Helper()
	b.SetBytes(s.size())
	b.ReportAllocs()
	for b.Loop() {
		p := newProbe()
		s.writeTo(p)
		if _, err := p.Report(); err != nil {
			b.Fatalf("Report error: %v", err)
		}
	}
}

// frameBlock is whole frames repeated to about 1 MiB.
func frameBlock(frame []byte) []byte {
	return mediatest.Repeat(frame, (1<<20)/len(frame))
}

func BenchmarkAudioProbe(b *testing.B) {
	audio := func() Prober { return NewAudioProbe() }
	zeros := make([]byte, 1<<20)
	b.Run("wav", func(b *testing.B) {
		data := int(newBenchStream(nil, zeros, nil).size())
		header := mediatest.Cat([]byte("RIFF"), mediatest.LE32(data+36), []byte("WAVE"), mediatest.RIFFChunk("fmt ", mediatest.WAVFmt(wavePCM, 2, 48000, 24, 0)), []byte("data"), mediatest.LE32(data))
		runBench(b, newBenchStream(header, zeros, nil), audio)
	})
	b.Run("aiff", func(b *testing.B) {
		data := int(newBenchStream(nil, zeros, nil).size())
		header := mediatest.AIFFFile("AIFF", mediatest.IFFChunk("COMM", mediatest.AIFFComm(2, data/6, 24, 48000, "")), mediatest.Cat([]byte("SSND"), mediatest.BE32(data+8), mediatest.BE32(0), mediatest.BE32(0)))
		runBench(b, newBenchStream(header, zeros, nil), audio)
	})
	b.Run("flac", func(b *testing.B) {
		header := mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, false, mediatest.FLACStreamInfo(44100, 2, 16, 44100*600)), mediatest.FLACBlock(1, true, make([]byte, 8192)))
		runBench(b, newBenchStream(header, zeros, nil), audio)
	})
	b.Run("flac-frame-scan", func(b *testing.B) {
		// No total in STREAMINFO: every byte is scanned for frame headers.
		// Frame numbers must rise, so this stream is built whole (32 MiB).
		body := make([]byte, 8000)
		for i := range body {
			body[i] = byte(i * 7)
		}
		var frames [][]byte
		for n := 0; n < (32<<20)/len(body); n++ {
			frames = append(frames, mediatest.FLACFrame(n, body))
		}
		header := mediatest.Cat([]byte("fLaC"), mediatest.FLACBlock(0, true, mediatest.FLACStreamInfo(44100, 1, 16, 0)))
		runBench(b, benchStream{header: header, block: mediatest.Cat(frames...), repeats: 1}, audio)
	})
	b.Run("mp3-frame-count", func(b *testing.B) {
		// MPEG-1 Layer III, 128 kbit/s at 48 kHz: 384-byte frames, no Xing.
		runBench(b, newBenchStream(mediatest.ID3v2(4000, false), frameBlock(mediatest.MPEGFrame(3, 9, 1, false, 0)), mediatest.ID3v1()), audio)
	})
	b.Run("mp3-xing", func(b *testing.B) {
		header := mediatest.Cat(mediatest.ID3v2(4000, false), mediatest.XingFrame("Info", 262144, 3, 9, 1, false))
		runBench(b, newBenchStream(header, frameBlock(mediatest.MPEGFrame(3, 9, 1, false, 0)), nil), audio)
	})
	b.Run("aac-adts", func(b *testing.B) {
		runBench(b, newBenchStream(nil, frameBlock(mediatest.ADTSFrame(3, 2, 512)), nil), audio)
	})
	b.Run("m4a-mdat-first", func(b *testing.B) {
		data := newBenchStream(nil, zeros, nil).size()
		header := mediatest.Cat(mediatest.FTyp("M4A ", "isom"), mediatest.BE32(1), []byte("mdat"), mediatest.BE64(uint64(data+16)))
		moov := m4aMovie(mediatest.SoundEntry("mp4a", 2, 16, 44100, mediatest.ESDS(4, 2)), 600)
		runBench(b, newBenchStream(header, zeros, moov), audio)
	})
}

func BenchmarkVideoProbe(b *testing.B) {
	zeros := make([]byte, 1<<20)
	data := newBenchStream(nil, zeros, nil).size()
	header := mediatest.Cat(mediatest.FTyp("isom", "mp41"), mediatest.BE32(1), []byte("mdat"), mediatest.BE64(uint64(data+16)))
	moov := videoMovie(mediatest.VisualEntry("avc1", 1920, 1080), mediatest.SoundEntry("mp4a", 2, 16, 48000, mediatest.ESDS(3, 2)))
	runBench(b, newBenchStream(header, zeros, moov), func() Prober { return NewVideoProbe() })
}

func BenchmarkImageProbe(b *testing.B) {
	// A JPEG whose 40 MB of APP segments must be passed over.
	segment := mediatest.JPEGSegment(0xe1, make([]byte, 65000))
	header := []byte{0xff, 0xd8}
	trailer := mediatest.JPEGHeaders(3000, 3000, 3)[2:]
	s := benchStream{header, segment, trailer, (40 << 20) / len(segment)}
	runBench(b, s, func() Prober { return NewImageProbe() })
}

// BenchmarkBaseline measures what the upload copy does anyway, for scale:
// copying the stream and hashing it with MD5 and SHA-256.
func BenchmarkBaseline(b *testing.B) {
	zeros := make([]byte, 1<<20)
	s := newBenchStream(nil, zeros, nil)
	b.Run("memcpy", func(b *testing.B) {
		sink := make([]byte, copyChunk)
		b.SetBytes(s.size())
		for b.Loop() {
			s.writeTo(writerFunc(func(p []byte) (int, error) { return copy(sink, p), nil }))
		}
	})
	for name, newHash := range map[string]func() hash.Hash{"md5": md5.New, "sha256": sha256.New} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(s.size())
			for b.Loop() {
				s.writeTo(newHash())
			}
		})
	}
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
