package probe

import (
	"encoding/binary"
	"mime"
	"net/http"
)

// SniffLen is how many leading bytes Sniff looks at.
const SniffLen = 512

// The MIME types Sniff names for the formats the probes read.
const (
	MIMEWAV       = "audio/wav"
	MIMEAIFF      = "audio/aiff"
	MIMEFLAC      = "audio/flac"
	MIMEMPEG      = "audio/mpeg"
	MIMEAAC       = "audio/aac"
	MIMEM4A       = "audio/mp4"
	MIMEJPEG      = "image/jpeg"
	MIMEPNG       = "image/png"
	MIMETIFF      = "image/tiff"
	MIMEWebP      = "image/webp"
	MIMEMP4       = "video/mp4"
	MIMEQuickTime = "video/quicktime"
)

// mimeOctetStream names what nothing recognises.
const mimeOctetStream = "application/octet-stream"

// Sniff names a file's type and kind from its first bytes (up to SniffLen
// are looked at). Types the probes read get the MIME constants above; an MP4
// whose brand does not settle audio against video is MIMEMP4 with
// KindAudioOrVideo. Anything else is the base type http.DetectContentType
// gives, such as "text/plain" or "application/pdf", with KindUnknown.
func Sniff(head []byte) (mimeType string, kind Kind) {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	if m, k := sniffMedia(head); m != "" {
		return m, k
	}
	detected, _, err := mime.ParseMediaType(http.DetectContentType(head))
	if err != nil {
		return mimeOctetStream, KindUnknown
	}
	switch detected {
	case MIMEWAV, "audio/wave", MIMEAIFF, MIMEFLAC, MIMEMPEG, MIMEAAC, MIMEM4A,
		MIMEJPEG, MIMEPNG, MIMETIFF, MIMEWebP, MIMEMP4, MIMEQuickTime:
		// The standard library trusts a magic number the checks above found
		// invalid; naming an accepted type for a rejected file would confuse.
		return mimeOctetStream, KindUnknown
	}
	return detected, KindUnknown
}

// sniffMedia recognises the formats the probes read, or returns "".
func sniffMedia(b []byte) (string, Kind) {
	switch {
	case len(b) >= 12 && (hasPrefix(b, "RIFF") || hasPrefix(b, "RF64") || hasPrefix(b, "BW64")) && string(b[8:12]) == "WAVE":
		return MIMEWAV, KindAudio
	case len(b) >= 12 && hasPrefix(b, "RIFF") && string(b[8:12]) == "WEBP":
		return MIMEWebP, KindImage
	case len(b) >= 12 && hasPrefix(b, "FORM") && (string(b[8:12]) == "AIFF" || string(b[8:12]) == "AIFC"):
		return MIMEAIFF, KindAudio
	case hasPrefix(b, "fLaC"):
		return MIMEFLAC, KindAudio
	case hasPrefix(b, "\xff\xd8\xff"):
		return MIMEJPEG, KindImage
	case hasPrefix(b, "\x89PNG\r\n\x1a\n"):
		return MIMEPNG, KindImage
	case hasPrefix(b, "II*\x00") || hasPrefix(b, "MM\x00*"):
		return MIMETIFF, KindImage
	case len(b) >= 8 && string(b[4:8]) == "ftyp":
		return sniffFtyp(b)
	case len(b) >= 8 && isQuickTimeAtom(string(b[4:8])) && binary.BigEndian.Uint32(b) >= 8:
		return MIMEQuickTime, KindVideo
	}
	return sniffElementary(b)
}

// sniffElementary recognises audio without a container: FLAC, MP3 or AAC
// ADTS, each possibly behind ID3v2 tags.
func sniffElementary(b []byte) (string, Kind) {
	tagged := false
	for {
		n, ok := id3v2Size(b)
		if !ok {
			break
		}
		tagged = true
		if n >= len(b) {
			// The tag hides what follows; ID3v2 means audio and the probe
			// finds out which.
			return MIMEMPEG, KindAudio
		}
		b = b[n:]
	}
	switch {
	case hasPrefix(b, "fLaC"):
		return MIMEFLAC, KindAudio
	case framesChain(b, adtsFrameLen):
		return MIMEAAC, KindAudio
	case framesChain(b, mpegFrameLen):
		return MIMEMPEG, KindAudio
	case tagged:
		return MIMEMPEG, KindAudio
	}
	return "", KindUnknown
}

// framesChain reports whether b starts with a valid frame header and, when
// the next header falls inside b, that one is valid too.
func framesChain(b []byte, frameLen func([]byte) int) bool {
	n := frameLen(b)
	if n == 0 {
		return false
	}
	if len(b) < n+4 {
		return true
	}
	return frameLen(b[n:]) > 0
}

// mpegFrameLen is the length of the MPEG audio Layer III frame b starts with,
// or 0 when b does not start with a valid header.
func mpegFrameLen(b []byte) int {
	h, ok := parseMPEGHeader(b)
	if !ok {
		return 0
	}
	return h.length
}

// adtsFrameLen is the length of the ADTS frame b starts with, or 0 when b
// does not start with a valid header.
func adtsFrameLen(b []byte) int {
	h, ok := parseADTSHeader(b)
	if !ok {
		return 0
	}
	return h.length
}

// sniffFtyp classifies an ISO base media file by its ftyp brands.
func sniffFtyp(b []byte) (string, Kind) {
	size := int(binary.BigEndian.Uint32(b))
	if size < 16 || size%4 != 0 || len(b) < 12 {
		return "", KindUnknown
	}
	end := min(size, len(b))
	brands := []string{string(b[8:12])}
	for i := 16; i+4 <= end; i += 4 {
		brands = append(brands, string(b[i:i+4]))
	}
	known := false
	for _, brand := range brands {
		switch brandKind(brand) {
		case brandImage:
			// HEIF and AVIF images borrow ISO brands; they are not movies.
			return "", KindUnknown
		case brandGeneric, brandAudio, brandVideo, brandQuickTime:
			known = true
		}
	}
	if !known {
		return "", KindUnknown
	}
	switch brandKind(brands[0]) {
	case brandQuickTime:
		return MIMEQuickTime, KindVideo
	case brandAudio:
		return MIMEM4A, KindAudio
	case brandVideo:
		return MIMEMP4, KindVideo
	}
	for _, brand := range brands[1:] {
		if brandKind(brand) == brandAudio {
			return MIMEM4A, KindAudio
		}
	}
	return MIMEMP4, KindAudioOrVideo
}

// brandClass is what an ftyp brand says about the file.
type brandClass int

const (
	brandOther brandClass = iota
	brandGeneric
	brandAudio
	brandVideo
	brandQuickTime
	brandImage
)

// brandKind classifies one ftyp brand.
func brandKind(brand string) brandClass {
	switch brand {
	case "M4A ", "M4B ", "M4P ", "F4A ", "F4B ":
		return brandAudio
	case "M4V ", "M4VH", "M4VP", "F4V ", "F4P ", "avc1", "mp71":
		return brandVideo
	case "qt  ":
		return brandQuickTime
	case "isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9",
		"mp41", "mp42", "dash", "cmfc", "msdh", "msix":
		return brandGeneric
	case "mif1", "msf1", "heic", "heix", "heim", "heis", "hevc", "hevx", "avif", "avis", "miaf":
		return brandImage
	}
	return brandOther
}

// isQuickTimeAtom reports whether name is a top-level atom that opens a
// classic QuickTime movie written without an ftyp atom.
func isQuickTimeAtom(name string) bool {
	switch name {
	case "moov", "mdat", "wide", "pnot":
		return true
	}
	return false
}

// id3v2Size returns the full length of the ID3v2 tag b starts with (header,
// body and footer) and whether b starts with a valid ID3v2 header at all.
func id3v2Size(b []byte) (int, bool) {
	if len(b) < 10 || !hasPrefix(b, "ID3") {
		return 0, false
	}
	major, minor, flags := b[3], b[4], b[5]
	if major < 2 || major > 4 || minor == 0xff {
		return 0, false
	}
	for _, c := range b[6:10] {
		if c&0x80 != 0 {
			return 0, false
		}
	}
	n := 10 + (int(b[6])<<21 | int(b[7])<<14 | int(b[8])<<7 | int(b[9]))
	if major == 4 && flags&0x10 != 0 {
		n += 10
	}
	return n, true
}

// hasPrefix reports whether b starts with s.
func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}
