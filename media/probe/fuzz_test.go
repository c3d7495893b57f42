package probe

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// addSeeds adds the testdata files and the generated corpus as seeds.
func addSeeds(f *testing.F, add func(data []byte)) {
	f.Helper()
	files, err := filepath.Glob("testdata/*.*")
	if err != nil {
		f.Fatalf("glob testdata: %v", err)
	}
	for _, name := range files {
		if filepath.Ext(name) == ".md" {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		add(data)
	}
	for _, data := range generatedCorpus() {
		add(data)
	}
}

func FuzzSniff(f *testing.F) {
	addSeeds(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		mime, kind := Sniff(data)
		if mime == "" {
			t.Fatalf("Sniff gave no MIME type")
		}
		if kind == KindUnknown {
			switch mime {
			case MIMEWAV, MIMEAIFF, MIMEFLAC, MIMEMPEG, MIMEAAC, MIMEM4A, MIMEJPEG, MIMEPNG, MIMETIFF, MIMEWebP, MIMEMP4, MIMEQuickTime:
				t.Fatalf("Sniff = %q with KindUnknown: an accepted type for a rejected file", mime)
			}
		}
		if len(data) > SniffLen {
			if m, k := Sniff(data[:SniffLen]); m != mime || k != kind {
				t.Fatalf("Sniff depends on bytes past SniffLen: %q %v, then %q %v", mime, kind, m, k)
			}
		}
	})
}

// fuzzProbe checks that a probe fed data in random chunks never panics,
// answers exactly as when fed all at once, and buffers no more than the
// input could make it.
func fuzzProbe(f *testing.F, newProbe func() Prober) {
	addSeeds(f, func(data []byte) { f.Add(data, uint64(len(data))) })
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		whole := newProbe()
		feed(whole, data, len(data)+1)
		wantReport, wantErr := whole.Report()

		chunked := newProbe()
		rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
		for rest := data; len(rest) > 0; {
			n := 1 + rng.IntN(min(len(rest), 1+rng.IntN(4096)))
			if _, err := chunked.Write(rest[:n]); err != nil {
				t.Fatalf("Write: %v", err)
			}
			rest = rest[n:]
		}
		gotReport, gotErr := chunked.Report()
		if !reflect.DeepEqual(gotReport, wantReport) || errString(gotErr) != errString(wantErr) {
			t.Fatalf("chunked: %+v, %v\nwhole: %+v, %v", gotReport, gotErr, wantReport, wantErr)
		}
		// Buffers grow by append, at most doubling past what arrived.
		if peak := max(streamPeak(whole), streamPeak(chunked)); peak > 2*len(data)+flacScanRead {
			t.Fatalf("buffered %d bytes for %d bytes of input", peak, len(data))
		}
	})
}

// errString is err's message, or "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func FuzzAudioProbe(f *testing.F) {
	fuzzProbe(f, func() Prober { return NewAudioProbe() })
}

func FuzzImageProbe(f *testing.F) {
	fuzzProbe(f, func() Prober { return NewImageProbe() })
}

func FuzzVideoProbe(f *testing.F) {
	fuzzProbe(f, func() Prober { return NewVideoProbe() })
}
