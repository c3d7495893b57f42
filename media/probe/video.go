package probe

import "fmt"

// VideoInfo is what the video probe reads from an MP4 or QuickTime movie.
type VideoInfo struct {
	Container  string // "mp4" or "mov"
	DurationMS int64  // the movie's duration, whole milliseconds rounded down
	Width      int    // of the first video track's sample entry, in pixels
	Height     int
	VideoCodec string // sample entry fourcc: "avc1", "hvc1", "hev1", "ap4h", "apcn"…
	AudioCodec string // the first sound track's sample entry fourcc ("mp4a", "sowt"…); "" without sound
}

// VideoProbe reads the headers of a video upload as it streams past.
type VideoProbe struct {
	h    head
	mime string
	kind Kind
	iso  *isoParser
	info VideoInfo
	err  error
}

// NewVideoProbe returns a probe to write a video upload into.
func NewVideoProbe() *VideoProbe {
	return &VideoProbe{}
}

// Write feeds the next chunk of the upload. It never fails: problems are
// reported by Result.
func (p *VideoProbe) Write(b []byte) (int, error) {
	p.h.write(b, p.choose)
	return len(b), nil
}

// choose picks the parser for the stream's head.
func (p *VideoProbe) choose(head []byte) {
	p.mime, p.kind = Sniff(head)
	switch p.mime {
	case MIMEMP4, MIMEQuickTime, MIMEM4A:
		p.iso = newISOParser(&p.h.s)
	}
}

// Result returns what the stream held; call it after the last Write. A
// movie without a video track is ErrUnsupported (Report says it is audio).
func (p *VideoProbe) Result() (VideoInfo, error) {
	if p.h.end(p.choose) {
		p.finish()
	}
	return p.info, p.err
}

// finish runs the end-of-stream checks.
func (p *VideoProbe) finish() {
	if p.iso == nil {
		p.err = fmt.Errorf("probe video: %s: %w", p.mime, ErrUnsupported)
		return
	}
	p.info, p.err = movieVideo(p.iso)
	if p.err != nil {
		p.err = fmt.Errorf("probe video %s: %w", p.info.Container, p.err)
	}
}

// movieVideo reads the video of an MP4 or QuickTime file.
func movieVideo(iso *isoParser) (VideoInfo, error) {
	info := VideoInfo{Container: "mp4"}
	if iso.quickTime() {
		info.Container = "mov"
	}
	err := iso.finish()
	m := iso.movie
	if m == nil {
		return info, err
	}
	info.DurationMS = m.durationMS()
	if sound := m.track("soun"); sound != nil {
		info.AudioCodec = fourCC(sound.entry)
	}
	video := m.track("vide")
	if video == nil {
		return info, fmt.Errorf("no video track: %w", ErrUnsupported)
	}
	info.VideoCodec = fourCC(video.entry)
	info.Width, info.Height = video.width, video.height
	return info, err
}

// Report returns the file's final kind and MIME type and, when it is a
// well-formed video, its VideoInfo; a movie with sound only (an MP4 whose
// brand left it open) gets its AudioInfo instead, and no error.
func (p *VideoProbe) Report() (Report, error) {
	info, err := p.Result()
	r := Report{Kind: p.kind, MIME: p.mime}
	if p.iso == nil {
		return r, err
	}
	if kind, mime, ok := p.iso.kind(); ok {
		r.Kind, r.MIME = kind, mime
	}
	switch {
	case r.Kind == KindVideo && err == nil:
		r.Video = &info
	case r.Kind == KindAudio:
		audio, audioErr := movieSound(p.iso)
		if audioErr != nil {
			return r, fmt.Errorf("probe audio m4a: %w", audioErr)
		}
		r.Audio = &audio
		return r, nil
	}
	return r, err
}

// movieAudio is the audio probe's parser for MP4 and QuickTime files.
type movieAudio struct {
	iso *isoParser
}

func (m *movieAudio) result() (AudioInfo, error) {
	return movieSound(m.iso)
}

// movieSound reads the sound of an MP4 or QuickTime file: its first sound
// track. A file with a video track is not audio.
func movieSound(iso *isoParser) (AudioInfo, error) {
	info := AudioInfo{Format: "m4a"}
	err := iso.finish()
	m := iso.movie
	if m == nil {
		return info, err
	}
	sound := m.track("soun")
	if sound == nil {
		return info, fmt.Errorf("no sound track: %w", ErrUnsupported)
	}
	info.Codec = sound.codec
	info.SampleRate = sound.sampleRate
	if info.SampleRate == 0 {
		info.SampleRate = int(sound.timescale)
	}
	info.BitDepth = sound.bitDepth
	info.Channels = sound.channels
	info.DurationMS = m.trackMS(sound)
	if m.track("vide") != nil {
		return info, fmt.Errorf("holds a video track: %w", ErrUnsupported)
	}
	return info, err
}
