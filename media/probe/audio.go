package probe

import "fmt"

// AudioInfo is what the audio probe reads from a file's headers.
type AudioInfo struct {
	// Format is the container: "wav", "rf64", "aiff", "flac", "mp3", "aac"
	// (ADTS) or "m4a" (any MP4 or QuickTime file without video).
	Format string
	// Codec is ffprobe's name for the codec: "pcm_s16le", "pcm_s24be",
	// "pcm_f32le", "flac", "mp3", "aac", "alac"…
	Codec      string
	SampleRate int // Hz
	BitDepth   int // bits per sample; 0 for lossy codecs
	Channels   int
	DurationMS int64 // whole milliseconds, rounded down
}

// AudioProbe reads the headers of an audio upload as it streams past. It
// picks its parser from the stream's own first bytes, whatever the client
// claimed.
type AudioProbe struct {
	h      head
	mime   string
	kind   Kind
	parser audioParser
	info   AudioInfo
	err    error
}

// audioParser is the format-specific half of an AudioProbe.
type audioParser interface {
	// result is called once, after the last byte.
	result() (AudioInfo, error)
}

// NewAudioProbe returns a probe to write an audio upload into.
func NewAudioProbe() *AudioProbe {
	return &AudioProbe{}
}

// Write feeds the next chunk of the upload. It never fails: problems are
// reported by Result.
func (p *AudioProbe) Write(b []byte) (int, error) {
	p.h.write(b, p.choose)
	return len(b), nil
}

// choose picks the parser for the stream's head.
func (p *AudioProbe) choose(head []byte) {
	p.mime, p.kind = Sniff(head)
	s := &p.h.s
	switch p.mime {
	case MIMEWAV:
		p.parser = newWAVParser(s)
	case MIMEAIFF:
		p.parser = newAIFFParser(s)
	case MIMEFLAC, MIMEMPEG, MIMEAAC:
		p.parser = newElementaryParser(s)
	case MIMEM4A, MIMEMP4, MIMEQuickTime:
		p.parser = &movieAudio{iso: newISOParser(s)}
	}
}

// Result returns what the stream held; call it after the last Write. With
// an error, the info holds whatever was read before the problem (a cut-short
// WAV still has its format and the duration of the samples present).
func (p *AudioProbe) Result() (AudioInfo, error) {
	if p.h.end(p.choose) {
		p.finish()
	}
	return p.info, p.err
}

// finish runs the parser's end-of-stream checks.
func (p *AudioProbe) finish() {
	if p.parser == nil {
		p.err = fmt.Errorf("probe audio: %s: %w", p.mime, ErrUnsupported)
		return
	}
	p.info, p.err = p.parser.result()
	if p.err != nil {
		name := p.info.Format
		if name == "" {
			name = p.mime
		}
		p.err = fmt.Errorf("probe audio %s: %w", name, p.err)
	}
}

// Report returns the file's final kind and MIME type and, when it is audio
// and well formed, its AudioInfo.
func (p *AudioProbe) Report() (Report, error) {
	info, err := p.Result()
	r := Report{Kind: p.kind, MIME: p.mime}
	if m, ok := p.parser.(*movieAudio); ok {
		if kind, mime, ok := m.iso.kind(); ok {
			r.Kind, r.MIME = kind, mime
		}
	} else if info.Format != "" {
		r.Kind, r.MIME = KindAudio, audioMIME[info.Format]
	}
	if err == nil {
		r.Audio = &info
	}
	return r, err
}

// audioMIME is the MIME type of each AudioInfo.Format.
var audioMIME = map[string]string{
	"wav": MIMEWAV, "rf64": MIMEWAV, "aiff": MIMEAIFF, "flac": MIMEFLAC,
	"mp3": MIMEMPEG, "aac": MIMEAAC, "m4a": MIMEM4A,
}

// durationMS converts a count of samples at rate to whole milliseconds.
func durationMS(samples int64, rate int) int64 {
	if rate <= 0 || samples <= 0 {
		return 0
	}
	if samples > (1<<63-1)/1000 {
		return samples / int64(rate) * 1000
	}
	return samples * 1000 / int64(rate)
}

// elementaryParser reads audio without a container (FLAC, MP3, AAC ADTS),
// passing over ID3v2 tags in front: a FLAC file behind a large tag is
// sniffed as MP3, so the parser decides only once the tags are behind it.
type elementaryParser struct {
	s      *stream
	flac   *flacParser
	frames *frameStream
}

func newElementaryParser(s *stream) *elementaryParser {
	p := &elementaryParser{s: s}
	s.read(10, p.tag)
	return p
}

// tag passes over an ID3v2 tag or hands the stream to the right parser.
func (p *elementaryParser) tag(b []byte) {
	if n, ok := id3v2Size(b); ok {
		p.s.discard(int64(n - len(b)))
		p.s.read(10, p.tag)
		return
	}
	p.s.unread(len(b))
	switch {
	case hasPrefix(b, "fLaC"):
		p.flac = newFLACParser(p.s)
	case adtsFrameLen(b) > 0:
		p.frames = &frameStream{}
		p.frames.startFrames(p.s, true)
	default:
		p.frames = &frameStream{}
		p.frames.startFrames(p.s, false)
	}
}

func (p *elementaryParser) result() (AudioInfo, error) {
	switch {
	case p.flac != nil:
		return p.flac.result()
	case p.frames != nil:
		info := AudioInfo{Format: "mp3", Codec: "mp3"}
		if p.frames.adts {
			info.Format, info.Codec = "aac", "aac"
		}
		info.SampleRate, info.Channels = p.frames.sampleRate, p.frames.channels
		samples, err := p.frames.result()
		info.DurationMS = durationMS(samples, info.SampleRate)
		return info, err
	}
	if p.s.err != nil {
		return AudioInfo{}, p.s.err
	}
	return AudioInfo{}, malformed("stream ends before the first frame")
}
