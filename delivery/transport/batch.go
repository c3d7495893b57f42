package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"
)

// Batch is one delivery of releases to one DSP, in the DDEX ERN batch
// profile: a folder "<Priority>_<ID>/" holding one folder per release
// ("<release ID>/<release ID>.xml" and "<release ID>/resources/…") and the
// manifest "BatchComplete_<ID>.xml", which DSPs ingest on sight.
type Batch struct {
	// ID is the BatchId, usually the timestamp YYYYMMDDhhmmssnnn.
	ID string
	// Priority is "N" (none; the default when empty), "P" (all priority) or
	// "M" (mixed).
	Priority string
	Releases []Release
	// Manifest is the ManifestMessage, uploaded last as BatchComplete_<ID>.xml.
	Manifest File
}

// Release is one release of a batch.
type Release struct {
	// ID names the release's folder and message, usually its ICPN.
	ID string
	// Message is the NewReleaseMessage, uploaded as "<ID>.xml".
	Message File
	// Resources are the audio and image files, uploaded into "resources/".
	Resources []Resource
}

// Resource is a file of a release's resources folder.
type Resource struct {
	// Name is the file name, such as "0123456789012_01_001.flac".
	Name string
	File
}

// File is content of known size that can be opened again on each attempt,
// so the caller streams it from blob storage and a retry reopens it.
type File struct {
	Size int64
	Open func() (io.ReadCloser, error)
}

// Folder returns the batch folder's name, "<Priority>_<ID>".
func (b Batch) Folder() string {
	priority := b.Priority
	if priority == "" {
		priority = "N"
	}
	return priority + "_" + b.ID
}

// ManifestPath returns where the manifest goes, relative to the DSP's root.
func (b Batch) ManifestPath() string {
	return b.Folder() + "/BatchComplete_" + b.ID + ".xml"
}

// ErrInvalidBatch is returned by SendBatch for a batch it cannot lay out.
var ErrInvalidBatch = errors.New("invalid delivery batch")

// cleanupTimeout bounds the removal of a manifest whose upload failed.
const cleanupTimeout = 30 * time.Second

// maxIDLength bounds batch and release IDs, which become path segments.
const maxIDLength = 64

// validate checks the batch's IDs, names and files.
func (b Batch) validate() error {
	if err := checkID(b.ID); err != nil {
		return fmt.Errorf("%w: batch id: %w", ErrInvalidBatch, err)
	}
	switch b.Priority {
	case "", "N", "P", "M":
	default:
		return fmt.Errorf("%w: priority %q is not N, P or M", ErrInvalidBatch, b.Priority)
	}
	if len(b.Releases) == 0 {
		return fmt.Errorf("%w: no releases", ErrInvalidBatch)
	}
	if err := b.Manifest.validate(); err != nil {
		return fmt.Errorf("%w: manifest: %w", ErrInvalidBatch, err)
	}
	releases := map[string]bool{}
	for i, rel := range b.Releases {
		if err := checkID(rel.ID); err != nil {
			return fmt.Errorf("%w: release %d id: %w", ErrInvalidBatch, i, err)
		}
		if releases[rel.ID] {
			return fmt.Errorf("%w: release %s appears twice", ErrInvalidBatch, rel.ID)
		}
		releases[rel.ID] = true
		if err := rel.Message.validate(); err != nil {
			return fmt.Errorf("%w: release %s message: %w", ErrInvalidBatch, rel.ID, err)
		}
		names := map[string]bool{}
		for _, res := range rel.Resources {
			if err := checkSegment(res.Name); err != nil || strings.HasPrefix(res.Name, ".") || len(res.Name) > maxTempBase {
				return fmt.Errorf("%w: release %s: resource name %q", ErrInvalidBatch, rel.ID, res.Name)
			}
			if names[res.Name] {
				return fmt.Errorf("%w: release %s: resource %s appears twice", ErrInvalidBatch, rel.ID, res.Name)
			}
			names[res.Name] = true
			if err := res.File.validate(); err != nil {
				return fmt.Errorf("%w: release %s resource %s: %w", ErrInvalidBatch, rel.ID, res.Name, err)
			}
		}
	}
	return nil
}

// checkID accepts 1 to 64 ASCII letters, digits, "-" and "_".
func checkID(id string) error {
	if id == "" || len(id) > maxIDLength {
		return fmt.Errorf("%q is empty or longer than %d", id, maxIDLength)
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%q has character %q", id, r)
		}
	}
	return nil
}

func (f File) validate() error {
	if f.Size < 0 {
		return fmt.Errorf("size %d", f.Size)
	}
	if f.Open == nil {
		return errors.New("no Open func")
	}
	return nil
}

// upload is one file of a batch at its place.
type upload struct {
	path string
	file File
}

// plan returns the batch's directories (deepest first) and its files in
// upload order: every resource, then every message, then the manifest.
func (b Batch) plan() (dirs []string, files []upload) {
	folder := b.Folder()
	var messages []upload
	for _, rel := range b.Releases {
		relDir := folder + "/" + rel.ID
		if len(rel.Resources) > 0 {
			dirs = append(dirs, relDir+"/resources")
		}
		dirs = append(dirs, relDir)
		for _, res := range rel.Resources {
			files = append(files, upload{relDir + "/resources/" + res.Name, res.File})
		}
		messages = append(messages, upload{relDir + "/" + rel.ID + ".xml", rel.Message})
	}
	dirs = append(dirs, folder)
	files = append(files, messages...)
	files = append(files, upload{b.ManifestPath(), b.Manifest})
	return dirs, files
}

// Report says what SendBatch did.
type Report struct {
	// Folder is the batch folder, "<Priority>_<ID>".
	Folder string
	// Uploaded and Skipped list the files (paths relative to the DSP's
	// root) sent now and those already there with the right size.
	Uploaded []string
	Skipped  []string
	// Removed lists what was deleted before uploading: temporary files left
	// by an interrupted attempt, and a manifest found beside an incomplete
	// batch.
	Removed []string
	// Leftovers lists temporary files of an earlier attempt that could not
	// be removed.
	Leftovers []string
	// BytesSent is the total size of the files uploaded.
	BytesSent int64
	// Failed is the file whose upload failed, "" when none did.
	Failed string
	// ManifestMayExist is set when the manifest's upload failed and removing
	// it failed too, so a complete batch with its manifest may be in place.
	ManifestMayExist bool
}

// FileError is the error of SendBatch when a file's upload fails.
type FileError struct {
	Path string
	Err  error
}

// Error implements the error interface.
func (e *FileError) Error() string { return "deliver " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// SendBatch uploads batch b through t: the resources of every release, then
// every release's message, then the BatchComplete manifest, strictly last
// and only once every other file is in place. Files already present with
// their declared size are skipped, so calling it again after a failure (a
// retry, on a new connection) completes the batch instead of starting over.
// A manifest found beside an incomplete batch is removed first, and one whose
// own upload fails is removed again (best effort, see
// Report.ManifestMayExist): a failed delivery leaves no BatchComplete behind.
// A failed file gives a *FileError naming it; the Report is filled either way.
func SendBatch(ctx context.Context, t Transport, b Batch) (Report, error) {
	report := Report{Folder: b.Folder()}
	if err := b.validate(); err != nil {
		return report, err
	}
	dirs, files := b.plan()
	manifest, files := files[len(files)-1], files[:len(files)-1]

	present, stale, err := survey(ctx, t, dirs)
	if err != nil {
		return report, err
	}
	complete := true
	for _, f := range files {
		if size, ok := present[f.path]; !ok || size != f.file.Size {
			complete = false
		}
	}
	if _, ok := present[manifest.path]; ok && !complete {
		if err := t.Remove(ctx, manifest.path); err != nil {
			report.Failed = manifest.path
			return report, &FileError{Path: manifest.path, Err: fmt.Errorf("remove manifest of an incomplete batch: %w", err)}
		}
		report.Removed = append(report.Removed, manifest.path)
		delete(present, manifest.path)
	}
	for _, p := range stale {
		if err := t.Remove(ctx, p); err != nil {
			report.Leftovers = append(report.Leftovers, p)
			continue
		}
		report.Removed = append(report.Removed, p)
	}
	for _, dir := range dirs {
		if !hasChildIn(dirs, dir) {
			if err := t.MkdirAll(ctx, dir); err != nil {
				return report, fmt.Errorf("create batch directories: %w", err)
			}
		}
	}

	for _, f := range files {
		if size, ok := present[f.path]; ok && size == f.file.Size {
			report.Skipped = append(report.Skipped, f.path)
			continue
		}
		if err := put(ctx, t, f); err != nil {
			report.Failed = f.path
			return report, &FileError{Path: f.path, Err: err}
		}
		report.Uploaded = append(report.Uploaded, f.path)
		report.BytesSent += f.file.Size
	}

	if size, ok := present[manifest.path]; ok && size == manifest.file.Size {
		report.Skipped = append(report.Skipped, manifest.path)
		return report, nil
	}
	if err := put(ctx, t, manifest); err != nil {
		report.Failed = manifest.path
		// The put may have renamed the manifest into place before failing
		// (a lost reply); take it back, even if ctx has ended.
		cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if rmErr := t.Remove(cleanup, manifest.path); rmErr != nil {
			report.ManifestMayExist = true
			err = fmt.Errorf("%w; removing the manifest afterwards failed too: %w", err, rmErr)
		}
		return report, &FileError{Path: manifest.path, Err: err}
	}
	report.Uploaded = append(report.Uploaded, manifest.path)
	report.BytesSent += manifest.file.Size
	return report, nil
}

// survey lists the batch's directories as an earlier attempt left them: the
// size of each file present, and the temporary files it left behind.
func survey(ctx context.Context, t Transport, dirs []string) (present map[string]int64, stale []string, err error) {
	present = map[string]int64{}
	for _, dir := range dirs {
		entries, err := t.List(ctx, dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("look for files of an earlier attempt: %w", err)
		}
		for _, e := range entries {
			switch {
			case e.IsDir:
			case isTempName(e.Name):
				stale = append(stale, dir+"/"+e.Name)
			default:
				present[dir+"/"+e.Name] = e.Size
			}
		}
	}
	return present, stale, nil
}

// hasChildIn reports whether some other directory of dirs lies inside dir.
func hasChildIn(dirs []string, dir string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(d, dir+"/") {
			return true
		}
	}
	return false
}

// put opens f and uploads it to its path.
func put(ctx context.Context, t Transport, f upload) error {
	rc, err := f.file.Open()
	if err != nil {
		return fmt.Errorf("open source: %w", err)
	}
	defer rc.Close()
	return t.Put(ctx, f.path, rc, f.file.Size)
}
