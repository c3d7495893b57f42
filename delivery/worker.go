package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"tonegrid"
	"tonegrid/ddex"
	"tonegrid/delivery/transport"
	"tonegrid/jobs"
)

// Worker sends deliveries: it is the worker of tonegrid.DeliveryJob.
type Worker struct {
	jobs.WorkerDefaults[tonegrid.DeliveryJob]
	Service *Service
}

// maxErrorLength bounds the last_error kept for a delivery.
const maxErrorLength = 1000

// Work runs one attempt of a delivery, once the earlier deliveries of the
// release to the store settled (it snoozes until then). A failed attempt is recorded and
// the job fails so that the queue retries it after NextRetry; the last
// attempt, or a failure no retry can fix (a message that cannot be built,
// a missing file), leaves the delivery failed and the job done.
func (w *Worker) Work(ctx context.Context, job *jobs.Job[tonegrid.DeliveryJob]) error {
	s := w.Service
	work, err := s.store.StartDeliveryAttempt(ctx, job.Args.DeliveryID)
	if errors.Is(err, tonegrid.ErrDeliveryWaiting) {
		return jobs.Snooze(s.cfg.RetryBase)
	}
	if err != nil || work == nil {
		return err
	}
	d := work.Delivery
	res, sendErr := s.attempt(ctx, work)
	if sendErr != nil {
		res.Err = truncate(sendErr.Error(), maxErrorLength)
		res.Final = d.Attempts >= s.cfg.MaxAttempts || permanent(sendErr)
		s.log.WarnContext(ctx, "delivery attempt failed", "delivery", d.UUID, "dsp", d.DSP, "attempt", d.Attempts,
			"final", res.Final, "error", res.Err)
	}
	if err := s.store.FinishDeliveryAttempt(context.WithoutCancel(ctx), d.ID, d.Attempts, res); err != nil {
		return err
	}
	if sendErr != nil && !res.Final {
		return sendErr
	}
	return nil
}

// Timeout bounds one attempt: a batch of a long album's lossless audio
// takes a while over a slow link; stalls are the transport's IOTimeout.
func (w *Worker) Timeout(*jobs.Job[tonegrid.DeliveryJob]) time.Duration { return 2 * time.Hour }

// NextRetry waits RetryBase before the second attempt and doubles the wait
// for each further one, up to an hour.
func (w *Worker) NextRetry(job *jobs.Job[tonegrid.DeliveryJob]) time.Time {
	return time.Now().Add(w.Service.backoff(job.Attempt))
}

// backoff is the wait after the attempt-th attempt failed.
func (s *Service) backoff(attempt int) time.Duration {
	wait := s.cfg.RetryBase
	for i := 1; i < attempt && wait < time.Hour; i++ {
		wait *= 2
	}
	return min(wait, time.Hour)
}

// permanentError is a failure that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) bool {
	var p *permanentError
	var inv *invalidError
	return errors.As(err, &p) || errors.As(err, &inv) || errors.Is(err, transport.ErrInvalidConfig) ||
		errors.Is(err, transport.ErrInvalidBatch)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// attempt builds the delivery's message, keeps it, and uploads the batch.
func (s *Service) attempt(ctx context.Context, w *tonegrid.DeliveryWork) (tonegrid.AttemptResult, error) {
	var res tonegrid.AttemptResult
	d := w.Delivery
	b, err := s.build(messageInput{
		kind: d.Kind, messageID: d.MessageID, createdAt: d.CreatedAt, dsp: w.DSP,
		release: w.Release, rights: w.Rights, store: w.Store,
	})
	if err != nil {
		return res, err
	}
	key := messageKey(w.TenantUUID, d.UUID)
	if _, err := s.blobs.Put(ctx, key, bytes.NewReader(b.xml), int64(len(b.xml)), "application/xml"); err != nil {
		return res, fmt.Errorf("keep message: %w", err)
	}
	res.MessageKey, res.MessageSize = key, int64(len(b.xml))

	priority := ddex.PriorityNone
	if d.Kind == tonegrid.DeliveryTakedown || d.Kind == tonegrid.DeliveryPurge {
		priority = ddex.PriorityAll
	}
	manifest, err := ddex.BatchManifest(ddex.Batch{
		ID: d.BatchID, Priority: priority, Sender: s.cfg.Sender,
		Recipient: ddex.Party{DPID: w.DSP.DDEXPartyID, Name: w.DSP.Name},
		CreatedAt: d.CreatedAt, Messages: []ddex.BatchEntry{b.entry},
	})
	if err != nil {
		return res, invalid(err)
	}
	rel := transport.Release{ID: ddex.ReleaseFolder(b.icpn), Message: bytesFile(b.xml)}
	for _, f := range b.files {
		m, err := s.store.MediaByUUID(ctx, d.TenantID, f.MediaUUID)
		if err != nil {
			if errors.Is(err, tonegrid.ErrMediaNotFound) {
				return res, &permanentError{fmt.Errorf("%s: media %s is gone", f.Name, f.MediaUUID)}
			}
			return res, err
		}
		blobKey := m.BlobKey
		rel.Resources = append(rel.Resources, transport.Resource{Name: f.Name, File: transport.File{
			Size: m.Size,
			Open: func() (io.ReadCloser, error) {
				rc, _, err := s.blobs.Open(ctx, blobKey)
				return rc, err
			},
		}})
	}
	batch := transport.Batch{ID: d.BatchID, Priority: string(priority), Releases: []transport.Release{rel}, Manifest: bytesFile(manifest)}

	t, err := transport.Dial(ctx, s.transportConfig(w.DSP, w.Endpoint))
	if err != nil {
		return res, fmt.Errorf("connect to %s: %w", w.DSP.Slug, err)
	}
	defer t.Close()
	report, err := transport.SendBatch(ctx, t, batch)
	res.BytesSent = report.BytesSent
	if err != nil {
		return res, fmt.Errorf("send batch %s to %s: %w", batch.Folder(), w.DSP.Slug, err)
	}
	return res, nil
}

// AckPollJob is the periodic job that reads the stores' acknowledgements.
type AckPollJob struct{}

// Kind names the job's worker.
func (AckPollJob) Kind() string { return "ddex.poll_acks" }

// AckWorker reads acknowledgements: the worker of AckPollJob.
type AckWorker struct {
	jobs.WorkerDefaults[AckPollJob]
	Service *Service
}

// Work polls every store that has deliveries waiting for an
// acknowledgement. A store that cannot be reached is logged and polled
// again next time.
func (w *AckWorker) Work(ctx context.Context, _ *jobs.Job[AckPollJob]) error {
	s := w.Service
	ids, err := s.store.DSPsAwaitingAcks(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.PollAcks(ctx, id); err != nil {
			s.log.WarnContext(ctx, "poll acknowledgements", "dsp_id", id, "error", err)
		}
	}
	return nil
}

// AckFolder is where a store drops its acknowledgements, relative to its
// delivery root: acks/ for a local directory, acknowledgements/ on SFTP
// and S3 as the DDEX choreography names it.
func AckFolder(protocol string) string {
	if protocol == transport.ProtocolSFTP || protocol == transport.ProtocolS3 {
		return "acknowledgements"
	}
	return "acks"
}

// PollAcks reads the new acknowledgement files of one store and applies
// them.
func (s *Service) PollAcks(ctx context.Context, dspID int64) error {
	dsp, ep, err := s.store.DSPEndpoint(ctx, dspID)
	if err != nil {
		return err
	}
	t, err := transport.Dial(ctx, s.transportConfig(dsp, ep))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", dsp.Slug, err)
	}
	defer t.Close()
	acks, pollErr := transport.PollAcks(ctx, t, AckFolder(ep.Protocol), func(name string) bool {
		seen, err := s.store.AckSeen(ctx, dspID, name)
		return err == nil && seen
	})
	for _, a := range acks {
		results, err := ackResults(a)
		if err != nil {
			s.log.WarnContext(ctx, "unreadable acknowledgement", "dsp", dsp.Slug, "file", a.Name, "error", err)
		}
		if err := s.store.ApplyAck(ctx, dspID, a.Name, results); err != nil {
			return err
		}
	}
	return pollErr
}

// ackResults reads the verdicts of one acknowledgement file.
func ackResults(a transport.Ack) ([]tonegrid.AckResult, error) {
	if a.Err != nil {
		return nil, a.Err
	}
	ack, err := ddex.ParseAcknowledgement(bytes.NewReader(a.Body))
	if err != nil {
		return nil, err
	}
	var out []tonegrid.AckResult
	for _, r := range ack.Releases {
		if r.Outcome == ddex.OutcomePending {
			continue
		}
		res := tonegrid.AckResult{ICPN: r.ICPN, Live: r.Outcome == ddex.OutcomeLive, Reason: truncate(r.Reason, maxErrorLength)}
		for _, m := range r.Messages {
			if m.MessageID != "" {
				res.MessageIDs = append(res.MessageIDs, m.MessageID)
			}
		}
		out = append(out, res)
	}
	for _, m := range ack.Messages {
		if m.MessageID == "" || len(m.Statuses) == 0 {
			continue
		}
		res := tonegrid.AckResult{MessageIDs: []string{m.MessageID}, Live: true}
		for _, st := range m.Statuses {
			if st != "FileOK" {
				res.Live = false
			}
		}
		if !res.Live {
			res.Reason = truncate(strings.Join(append(append([]string(nil), m.Statuses...), m.Information...), "; "), maxErrorLength)
		}
		out = append(out, res)
	}
	return out, nil
}
