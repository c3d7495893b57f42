package media

import (
	"context"
	"fmt"
	"time"

	"tonegrid"
)

// Orphan-blob sweep settings.
const (
	// OrphanBlobAge is how old an unreferenced blob must be before
	// SweepOrphanBlobs removes it: younger ones may be uploads whose row is
	// about to be written.
	OrphanBlobAge = time.Hour
	// sweepBatch is how many listed blobs are checked against the
	// database at once.
	sweepBatch = 200
)

// sweptPrefixes are the key prefixes the service writes blobs under:
// direct uploads and resumable uploads (whose assembled file a media row
// may take over).
var sweptPrefixes = []string{"media/", "uploads/"}

// DeleteTrack implements tonegrid.MediaService: the track and its audio's
// media row go in one transaction, the blob after it committed.
func (s *Service) DeleteTrack(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) error {
	gone, err := s.store.DeleteTrackWithMedia(ctx, p, uuid, pre)
	if err != nil {
		return err
	}
	s.removeMedia(gone...)
	return nil
}

// DeleteRelease implements tonegrid.MediaService: the release, its tracks
// and the media rows they held go in one transaction, the blobs after it
// committed.
func (s *Service) DeleteRelease(ctx context.Context, p *tonegrid.Principal, uuid string, pre tonegrid.Precondition) error {
	gone, err := s.store.DeleteReleaseWithMedia(ctx, p, uuid, pre)
	if err != nil {
		return err
	}
	s.removeMedia(gone...)
	return nil
}

// SweepOrphanBlobs deletes the blobs under the service's key prefixes
// that were last written before cutoff and that no media row and no upload
// holds: those whose deletion failed after their row went, or whose row
// never followed (a crash between the two). It returns how many it deleted.
// A failed deletion is logged and retried at the next sweep.
func (s *Service) SweepOrphanBlobs(ctx context.Context, cutoff time.Time) (int, error) {
	n := 0
	for _, prefix := range sweptPrefixes {
		batch := make([]string, 0, sweepBatch)
		flush := func() error {
			k, err := s.sweep(ctx, batch)
			n += k
			batch = batch[:0]
			return err
		}
		for e, err := range s.blobs.List(ctx, prefix) {
			if err != nil {
				return n, fmt.Errorf("list blobs %q: %w", prefix, err)
			}
			if !e.ModTime.Before(cutoff) {
				continue
			}
			if batch = append(batch, e.Key); len(batch) == sweepBatch {
				if err := flush(); err != nil {
					return n, err
				}
			}
		}
		if err := flush(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// sweep deletes those of keys nothing references.
func (s *Service) sweep(ctx context.Context, keys []string) (int, error) {
	orphans, err := s.store.UnreferencedBlobs(ctx, keys)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range orphans {
		if err := s.blobs.Delete(ctx, k); err != nil {
			s.log.Error("sweep orphan blob", "key", k, "err", err)
			continue
		}
		n++
	}
	return n, nil
}
