package app

import (
	"context"
	"log/slog"
	"time"

	"tonegrid/jobs"
	"tonegrid/media"
)

// expireUploadsArgs is the hourly job that removes abandoned resumable
// uploads: their parts, assembled files and rows.
type expireUploadsArgs struct{}

func (expireUploadsArgs) Kind() string { return "uploads.expire" }

type expireUploadsWorker struct {
	jobs.WorkerDefaults[expireUploadsArgs]
	media *media.Service
	log   *slog.Logger
}

func (w *expireUploadsWorker) Work(ctx context.Context, _ *jobs.Job[expireUploadsArgs]) error {
	n, err := w.media.ExpireUploads(ctx, time.Now())
	if n > 0 {
		w.log.InfoContext(ctx, "expired abandoned uploads", "count", n)
	}
	return err
}
