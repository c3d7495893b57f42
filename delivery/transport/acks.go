package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Limits of one PollAcks call.
const (
	// MaxAckSize is the largest acknowledgement file read; a larger one is
	// returned with ErrAckTooLarge.
	MaxAckSize = 1 << 20
	// MaxAcksPerPoll is how many new acknowledgements one call returns; the
	// rest come with the next calls.
	MaxAcksPerPoll = 200
)

// ErrAckTooLarge is an Ack's Err when its file exceeds MaxAckSize.
var ErrAckTooLarge = errors.New("acknowledgement file is larger than the limit")

// Ack is an acknowledgement file a DSP dropped, for the caller to parse.
type Ack struct {
	// Name is the file name, "ACK_….xml".
	Name string
	// Body is the file's content; nil when Err is set.
	Body []byte
	// Err is ErrAckTooLarge for a file that was not read.
	Err error
}

// PollAcks reads the acknowledgement files ("ACK_*.xml") in directory dir
// that seen does not know, in name order, at most MaxAcksPerPoll of them. A
// dir that does not exist yet has no acknowledgements; a nil seen knows
// none. On a transport error it returns the acknowledgements read so far
// with the error.
func PollAcks(ctx context.Context, t Transport, dir string, seen func(name string) bool) ([]Ack, error) {
	if seen == nil {
		seen = func(string) bool { return false }
	}
	entries, err := t.List(ctx, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list acknowledgements: %w", err)
	}
	var acks []Ack
	for _, e := range entries {
		if len(acks) == MaxAcksPerPoll {
			break
		}
		if e.IsDir || !isAckName(e.Name) || seen(e.Name) {
			continue
		}
		if e.Size > MaxAckSize {
			acks = append(acks, Ack{Name: e.Name, Err: ErrAckTooLarge})
			continue
		}
		body, err := readAck(ctx, t, joinPath(dir, e.Name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// Taken away between the listing and now.
		case errors.Is(err, ErrAckTooLarge):
			acks = append(acks, Ack{Name: e.Name, Err: err})
		case err != nil:
			return acks, fmt.Errorf("read acknowledgement %s: %w", e.Name, err)
		default:
			acks = append(acks, Ack{Name: e.Name, Body: body})
		}
	}
	return acks, nil
}

// isAckName reports whether name is an acknowledgement file's name.
func isAckName(name string) bool {
	return strings.HasPrefix(name, "ACK_") && strings.HasSuffix(strings.ToLower(name), ".xml")
}

// readAck reads one acknowledgement, at most MaxAckSize bytes of it.
func readAck(ctx context.Context, t Transport, p string) ([]byte, error) {
	rc, err := t.Open(ctx, p)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, MaxAckSize+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxAckSize {
		return nil, ErrAckTooLarge
	}
	return body, nil
}
