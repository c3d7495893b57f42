package auth

import (
	"context"

	"tonegrid/jobs"
)

// ResetWorker does the password-reset job queued by ForgotPassword.
type ResetWorker struct {
	jobs.WorkerDefaults[PasswordResetArgs]
	Service *Service
}

// Work mails the reset link when the account exists.
func (w *ResetWorker) Work(ctx context.Context, j *jobs.Job[PasswordResetArgs]) error {
	return w.Service.SendPasswordReset(ctx, j.Args)
}
