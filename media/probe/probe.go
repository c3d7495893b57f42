// Package probe owns upload content checks: Sniff names a file's type from
// its first bytes, never from the client's Content-Type or file name, and the
// probes read audio, image and video headers while the upload streams past.
//
// Every probe is an io.Writer meant to sit in the one io.Copy that moves an
// upload to storage and hashes it: it accepts chunks of any size, keeps only
// bounded state (sample data is passed over by counting bytes), never fails a
// Write, and reports what it found, or what was wrong, from Result once the
// copy is done. The parsers are hand-written; the package imports only the
// standard library and must not import the domain, storage or HTTP packages.
package probe

import (
	"errors"
	"fmt"
	"io"
)

// Kind is the family a file belongs to: what an upload endpoint accepts.
type Kind int

// The kinds Sniff and the probes report.
const (
	KindUnknown Kind = iota
	KindAudio
	KindImage
	KindVideo
	// KindAudioOrVideo is an MP4 whose brand does not say whether it holds
	// video: only its tracks tell, so the probe decides.
	KindAudioOrVideo
)

// String names the kind as upload endpoints and messages do.
func (k Kind) String() string {
	switch k {
	case KindAudio:
		return "audio"
	case KindImage:
		return "image"
	case KindVideo:
		return "video"
	case KindAudioOrVideo:
		return "audio or video"
	}
	return "unknown"
}

// Fits reports whether a file sniffed as k may be uploaded as want; for
// KindAudioOrVideo the probe's Report has the final word.
func (k Kind) Fits(want Kind) bool {
	if k == KindUnknown {
		return false
	}
	if k == want {
		return true
	}
	return k == KindAudioOrVideo && (want == KindAudio || want == KindVideo)
}

// The problems a probe reports from Result, wrapped with details.
var (
	// ErrUnsupported means the stream is not a format the probe reads, such
	// as a PDF sent as audio or an MP4 with video sent as audio; the Report
	// says what it is instead.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrMalformed means the stream claims a supported format but its
	// structure is broken or cut short.
	ErrMalformed = errors.New("malformed file")
	// ErrLimit means a header structure is larger than the probe buffers
	// (see MaxMovieHeader and MaxTIFFEntries).
	ErrLimit = errors.New("header exceeds probe limit")
)

// malformed builds an error wrapping ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), ErrMalformed)
}

// Report is what a probe found: the file's final kind and MIME type (an MP4
// with no video track is KindAudio, audio/mp4) and the details of that kind.
type Report struct {
	Kind  Kind
	MIME  string
	Audio *AudioInfo // set when Kind is KindAudio and the probe read audio
	Image *ImageInfo // set when Kind is KindImage and the probe read an image
	Video *VideoInfo // set when Kind is KindVideo and the probe read video
}

// Prober is any of the probes: written to during the upload copy, asked for
// its Report once the copy is done.
type Prober interface {
	io.Writer
	// Report returns what the stream held; call it after the last Write.
	Report() (Report, error)
}

// NewProbe returns the probe for a kind Sniff reported: an AudioProbe,
// ImageProbe or VideoProbe (also for KindAudioOrVideo, whose Report then
// says which it was), or nil for KindUnknown.
func NewProbe(kind Kind) Prober {
	switch kind {
	case KindAudio:
		return NewAudioProbe()
	case KindImage:
		return NewImageProbe()
	case KindVideo, KindAudioOrVideo:
		return NewVideoProbe()
	}
	return nil
}

// head collects a stream's first SniffLen bytes so that a probe can pick its
// parser from them, then feeds them and everything after to that parser.
type head struct {
	s      stream
	first  []byte // the head collected so far
	chosen bool   // the parser is picked and has been fed the head
	ended  bool   // Result has run the end-of-stream checks
}

// write feeds p, calling choose once the head is complete.
func (h *head) write(p []byte, choose func(head []byte)) {
	if !h.chosen {
		k := min(SniffLen-len(h.first), len(p))
		h.first = append(h.first, p[:k]...)
		p = p[k:]
		if len(h.first) < SniffLen {
			return
		}
		h.begin(choose)
	}
	h.s.write(p)
}

// begin picks the parser from the head collected so far and feeds the head.
func (h *head) begin(choose func(head []byte)) {
	h.chosen = true
	choose(h.first)
	h.s.write(h.first)
	h.first = nil
}

// end is called by Result: it starts the parser on a stream shorter than
// SniffLen and reports whether this is the first call, when the parser's
// end-of-stream checks are due.
func (h *head) end(choose func(head []byte)) bool {
	if !h.chosen {
		h.begin(choose)
	}
	first := !h.ended
	h.ended = true
	return first
}
