// Package mediatest generates media files of every format the upload probes
// read, for tests and benchmarks: WAV (streamed, of any size), RF64, AIFF,
// FLAC, MP3, ADTS AAC, M4A, MP4 and QuickTime video, JPEG, PNG, TIFF and
// WebP. The one-call generators (WAV, AIFF, FLAC, MP3, M4A, JPEG…) give
// well-formed files of silence; the building blocks they are made of (chunks,
// boxes, frames, tags, headers) are exported too, with the knobs the probe
// tests need to build edge cases and broken files field by field.
//
// The package must not import media/probe: probe's own tests use it.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"io"
)

// LE16 encodes v as 2 little-endian bytes.
func LE16(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }

// LE32 encodes v as 4 little-endian bytes.
func LE32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

// BE16 encodes v as 2 big-endian bytes.
func BE16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }

// BE32 encodes v as 4 big-endian bytes.
func BE32(v int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// BE64 encodes v as 8 big-endian bytes.
func BE64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// Cat joins byte slices into a new one.
func Cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// Repeat is n copies of b, joined.
func Repeat(b []byte, n int) []byte { return bytes.Repeat(b, n) }

// zeros reads zero bytes forever.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Zeros is a reader of n zero bytes.
func Zeros(n int64) io.Reader { return io.LimitReader(zeros{}, n) }
