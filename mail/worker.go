package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tonegrid/jobs"
)

// Worker works "mail.send" jobs: it opens the sealed payload with Key,
// renders the template and sends the message with Sender. A payload that
// does not open, mail whose content has expired (an OTP after 10 minutes)
// and a message that can never be sent cancel the job; a failed send
// returns its error, so that the job is retried with back-off.
type Worker struct {
	jobs.WorkerDefaults[SendArgs]
	// Key is the KeySize-byte key the payloads were sealed with.
	Key []byte
	// Sender delivers the rendered messages.
	Sender Sender
	// Log receives a line per message sent or dropped; nil means slog.Default().
	Log *slog.Logger
}

// workTimeout bounds one attempt; the SMTP session has its own, shorter limits.
const workTimeout = 2 * time.Minute

// Timeout bounds one attempt at sending a mail.
func (w *Worker) Timeout(*jobs.Job[SendArgs]) time.Duration { return workTimeout }

// Work sends the mail of one job.
func (w *Worker) Work(ctx context.Context, job *jobs.Job[SendArgs]) error {
	log := w.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("job_id", job.ID, "template", job.Args.Template, "locale", job.Args.Locale, "attempt", job.Attempt)

	p, err := job.Args.open(w.Key)
	if errors.Is(err, ErrKeySize) {
		return fmt.Errorf("open mail payload: %w", err) // configuration: retry once it is fixed
	}
	if err != nil {
		return river.JobCancel(fmt.Errorf("open mail payload: %w", err))
	}
	if spec, ok := specs[job.Args.Template]; ok && spec.validFor > 0 && time.Since(job.CreatedAt) > spec.validFor {
		log.WarnContext(ctx, "mail dropped: its content has expired", "queued_at", job.CreatedAt)
		return river.JobCancel(fmt.Errorf("mail %s queued at %s expired after %s", job.Args.Template, job.CreatedAt.Format(time.RFC3339), spec.validFor))
	}
	msg, err := Render(job.Args.Locale, job.Args.Template, p.Data)
	if err != nil {
		return river.JobCancel(err)
	}
	msg.To = p.To
	if err := w.Sender.Send(ctx, msg); err != nil {
		err = hideRecipient(fmt.Errorf("send mail %s: %w", job.Args.Template, err), p.To)
		if errors.Is(err, ErrInvalidMessage) {
			return river.JobCancel(err)
		}
		return err
	}
	log.InfoContext(ctx, "mail sent")
	return nil
}

// hideRecipient replaces the address to in err's text (SMTP servers quote
// it in their replies) so that River does not store it in clear with the
// job's errors.
func hideRecipient(err error, to string) error {
	text := err.Error()
	hidden := strings.ReplaceAll(text, to, "<recipient>")
	if addr, perr := netmail.ParseAddress(to); perr == nil {
		hidden = strings.ReplaceAll(hidden, addr.Address, "<recipient>")
	}
	if hidden == text {
		return err
	}
	return &redactedError{text: hidden, err: err}
}

// redactedError is an error whose text was edited; it still unwraps to the
// original.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }
