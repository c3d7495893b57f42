package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// dirSender writes each message to a directory as an RFC 5322 .eml file,
// named "<UTC timestamp>-<random>.eml" so that names sort by sending time.
type dirSender struct {
	dir  string
	from string
}

// emlTime is the timestamp of .eml names: fixed width, so that it sorts.
const emlTime = "20060102T150405.000000000Z"

// openDir returns a dirSender on dir, creating dir (mode 0700) if missing.
func openDir(dir, from string) (*dirSender, error) {
	if dir == "" {
		return nil, errors.New("open mail dir: empty path (want dir:/path)")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open mail dir: %w", err)
	}
	return &dirSender{dir: dir, from: from}, nil
}

// Send writes m atomically: to a temporary file first, renamed into place
// once complete, so that a reader of the directory never sees half a message.
func (s *dirSender) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	now := time.Now().UTC()
	msg, err := compose(s.from, m, now)
	if err != nil {
		return err
	}
	var suffix [8]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return fmt.Errorf("write mail: name: %w", err)
	}
	name := now.Format(emlTime) + "-" + hex.EncodeToString(suffix[:]) + ".eml"

	tmp, err := os.CreateTemp(s.dir, ".tmp-*.eml")
	if err != nil {
		return fmt.Errorf("write mail: %w", err)
	}
	if err := writeAndClose(tmp, msg); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write mail: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(s.dir, name)); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write mail: %w", err)
	}
	return nil
}

// writeAndClose writes msg to f with mode 0600, flushes it to disk and
// closes f.
func writeAndClose(f *os.File, msg io.WriterTo) error {
	err := f.Chmod(0o600)
	if err == nil {
		_, err = msg.WriteTo(f)
	}
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}
