package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
)

// dirTransport delivers into a local directory, confined to it by os.Root
// (symbolic links cannot lead outside). Files and directories are fsynced so
// a rename that is visible survives a crash.
type dirTransport struct {
	root *os.Root
}

func dialDir(dir string) (*dirTransport, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create delivery directory: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open delivery directory: %w", err)
	}
	return &dirTransport{root: root}, nil
}

// local turns a checked directory ("" for the root) into an os.Root name.
func local(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

func (t *dirTransport) Put(ctx context.Context, p string, r io.Reader, size int64) error {
	if err := checkPath(p); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	dir, name := splitPath(p)
	tmp := joinPath(dir, tempName(name))
	f, err := t.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", p, err)
	}
	if err := writeAndSync(f, newExactReader(ctx, r, size)); err != nil {
		_ = t.root.Remove(tmp)
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := t.root.Rename(tmp, p); err != nil {
		_ = t.root.Remove(tmp)
		return fmt.Errorf("rename %s into place: %w", p, err)
	}
	if err := t.syncDir(dir); err != nil {
		return fmt.Errorf("sync directory of %s: %w", p, err)
	}
	return nil
}

// writeAndSync copies r into f, flushes it to disk and closes it.
func writeAndSync(f *os.File, r io.Reader) error {
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync: %w", err)
	}
	return f.Close()
}

// syncDir flushes a directory's entries (new names, renames) to disk.
func (t *dirTransport) syncDir(dir string) error {
	d, err := t.root.Open(local(dir))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func (t *dirTransport) Remove(ctx context.Context, p string) error {
	if err := checkPath(p); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.root.Remove(p); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("remove %s: %w", p, err)
	}
	dir, _ := splitPath(p)
	if err := t.syncDir(dir); err != nil {
		return fmt.Errorf("sync directory of %s: %w", p, err)
	}
	return nil
}

func (t *dirTransport) List(ctx context.Context, dir string) ([]Entry, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := t.root.Open(local(dir))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", local(dir), err)
	}
	defer d.Close()
	des, err := d.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", local(dir), err)
	}
	entries := make([]Entry, 0, len(des))
	for _, de := range des {
		// Names no transport path could hold cannot be opened: skip them.
		if checkSegment(de.Name()) != nil {
			continue
		}
		info, err := de.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", local(dir), err)
		}
		entries = append(entries, Entry{Name: de.Name(), Size: info.Size(), IsDir: de.IsDir(), ModTime: info.ModTime()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	return entries, nil
}

func (t *dirTransport) Open(ctx context.Context, p string) (io.ReadCloser, error) {
	if err := checkPath(p); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := t.root.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	return f, nil
}

func (t *dirTransport) MkdirAll(ctx context.Context, dir string) error {
	if err := checkDir(dir); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.root.MkdirAll(local(dir), 0o755); err != nil {
		return fmt.Errorf("create directory %s: %w", local(dir), err)
	}
	// Flush every level's entry in its parent, root included.
	for parent := dir; parent != ""; {
		parent, _ = splitPath(parent)
		if err := t.syncDir(parent); err != nil {
			return fmt.Errorf("sync directory %s: %w", local(parent), err)
		}
	}
	return nil
}

func (t *dirTransport) Close() error { return t.root.Close() }

var _ Transport = (*dirTransport)(nil)
