package app

import (
	"context"
	"log/slog"
	"time"

	"tonegrid/jobs"
	"tonegrid/media"
)

// ExpireUploadsArgs is the hourly job that removes abandoned resumable
// uploads: their parts, assembled files and rows. Insert one into the
// queue to run the expiry now.
type ExpireUploadsArgs struct{}

// Kind names the job.
func (ExpireUploadsArgs) Kind() string { return "uploads.expire" }

type expireUploadsWorker struct {
	jobs.WorkerDefaults[ExpireUploadsArgs]
	media *media.Service
	log   *slog.Logger
}

func (w *expireUploadsWorker) Work(ctx context.Context, _ *jobs.Job[ExpireUploadsArgs]) error {
	n, err := w.media.ExpireUploads(ctx, time.Now())
	if n > 0 {
		w.log.InfoContext(ctx, "expired abandoned uploads", "count", n)
	}
	return err
}

// SweepOrphanBlobsArgs is the hourly job that deletes media and upload
// blobs no row references any more and that are older than
// media.OrphanBlobAge: those whose deletion failed after their row was
// deleted. Insert one into the queue to sweep now.
type SweepOrphanBlobsArgs struct{}

// Kind names the job.
func (SweepOrphanBlobsArgs) Kind() string { return "media.sweep_orphan_blobs" }

type sweepOrphanBlobsWorker struct {
	jobs.WorkerDefaults[SweepOrphanBlobsArgs]
	media *media.Service
	log   *slog.Logger
}

func (w *sweepOrphanBlobsWorker) Work(ctx context.Context, _ *jobs.Job[SweepOrphanBlobsArgs]) error {
	n, err := w.media.SweepOrphanBlobs(ctx, time.Now().Add(-media.OrphanBlobAge))
	if n > 0 {
		w.log.InfoContext(ctx, "deleted orphan blobs", "count", n)
	}
	return err
}
