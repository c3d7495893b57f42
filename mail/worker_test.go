package mail

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"tonegrid/jobs"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// recordingSender keeps what it is asked to send and answers with err.
type recordingSender struct {
	mu   sync.Mutex
	sent []Message
	err  error
}

func (s *recordingSender) Send(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.sent = append(s.sent, m)
	return nil
}

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// jobOf wraps args in a job row created at created.
func jobOf(args SendArgs, created time.Time) *jobs.Job[SendArgs] {
	return &jobs.Job[SendArgs]{JobRow: &rivertype.JobRow{ID: 42, Attempt: 1, CreatedAt: created, Kind: args.Kind()}, Args: args}
}

func isCancel(err error) bool {
	var cancel *rivertype.JobCancelError
	return errors.As(err, &cancel)
}

func TestWorkerSendsTheRenderedMail(t *testing.T) {
	key := testKey(7)
	args, err := NewJob(key, "Ana <ana@example.es>", OTP, "es", map[string]string{"code": "305118", "name": "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingSender{}
	w := &Worker{Key: key, Sender: rec, Log: quietLog}
	if err := w.Work(context.Background(), jobOf(args, time.Now())); err != nil {
		t.Fatalf("Work: %v", err)
	}
	want, err := Render("es", OTP, map[string]string{"code": "305118", "name": "Ana"})
	if err != nil {
		t.Fatal(err)
	}
	want.To = "Ana <ana@example.es>"
	if len(rec.sent) != 1 || rec.sent[0] != want {
		t.Fatalf("sent %+v, want %+v", rec.sent, want)
	}
}

func TestWorkerOutcomes(t *testing.T) {
	key := testKey(7)
	otp, err := NewJob(key, "bob@example.com", OTP, "en", map[string]string{"code": "123456"})
	if err != nil {
		t.Fatal(err)
	}
	reset, err := NewJob(key, "bob@example.com", PasswordReset, "en", map[string]string{"link": "https://x.example/reset-password?token=t"})
	if err != nil {
		t.Fatal(err)
	}
	webhook, err := NewJob(key, "admin@example.com", WebhookDisabled, "de", map[string]string{"url": "https://h.example", "reason": "HTTP 500", "tenant": "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	tampered := otp
	tampered.Sealed = bytes.Clone(otp.Sealed)
	tampered.Sealed[len(tampered.Sealed)-1] ^= 1
	now := time.Now()

	for _, tc := range []struct {
		name       string
		key        []byte
		args       SendArgs
		created    time.Time
		sendErr    error
		wantSent   bool
		wantErr    bool
		wantCancel bool
	}{
		{name: "fresh OTP", args: otp, created: now.Add(-9 * time.Minute), wantSent: true},
		{name: "expired OTP", args: otp, created: now.Add(-11 * time.Minute), wantErr: true, wantCancel: true},
		{name: "reset link after an hour", args: reset, created: now.Add(-time.Hour), wantSent: true},
		{name: "expired reset link", args: reset, created: now.Add(-25 * time.Hour), wantErr: true, wantCancel: true},
		{name: "webhook notice after a month", args: webhook, created: now.Add(-30 * 24 * time.Hour), wantSent: true},
		{name: "tampered payload", args: tampered, created: now, wantErr: true, wantCancel: true},
		{name: "other key", key: testKey(8), args: otp, created: now, wantErr: true, wantCancel: true},
		{name: "misconfigured key", key: testKey(7)[:31], args: otp, created: now, wantErr: true},
		{name: "send fails", args: otp, created: now, sendErr: errors.New("451 try later"), wantErr: true},
		{name: "message invalid", args: otp, created: now, sendErr: ErrInvalidMessage, wantErr: true, wantCancel: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingSender{err: tc.sendErr}
			w := &Worker{Key: key, Sender: rec, Log: quietLog}
			if tc.key != nil {
				w.Key = tc.key
			}
			err := w.Work(context.Background(), jobOf(tc.args, tc.created))
			if (err != nil) != tc.wantErr || isCancel(err) != tc.wantCancel {
				t.Errorf("Work = %v (cancel %v), want error %v, cancel %v", err, isCancel(err), tc.wantErr, tc.wantCancel)
			}
			if got := len(rec.sent) == 1; got != tc.wantSent {
				t.Errorf("sent %d messages, want sent=%v", len(rec.sent), tc.wantSent)
			}
		})
	}
}

// TestWorkerHidesTheRecipientInErrors sends to an SMTP server that quotes
// the recipient in its refusal: River stores the error text with the job.
func TestWorkerHidesTheRecipientInErrors(t *testing.T) {
	srv := startSMTP(t, &smtpServer{fail: map[string]string{"RCPT": "550 5.1.1 <carol@example.org>: mailbox unavailable"}})
	key := testKey(3)
	args, err := NewJob(key, "Carol <carol@example.org>", OTP, "en", map[string]string{"code": "111222"})
	if err != nil {
		t.Fatal(err)
	}
	w := &Worker{Key: key, Sender: srv.sender(t, "", nil), Log: quietLog}
	err = w.Work(context.Background(), jobOf(args, time.Now()))
	if err == nil || isCancel(err) {
		t.Fatalf("Work = %v, want a retryable error", err)
	}
	if strings.Contains(err.Error(), "carol@") || !strings.Contains(err.Error(), "550") {
		t.Errorf("error %q: want the 550 reply without the recipient", err)
	}
}

// TestWorkerEndToEnd runs a real queue on a real database: a sealed job goes
// through River to the dir backend, and the job table never holds the code
// or the recipient in clear; a tampered job is cancelled, not retried.
func TestWorkerEndToEnd(t *testing.T) {
	for _, d := range sqltest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, sqltest.URL(t, d), sqlstore.Options{MaxOpenConns: 4})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			q, err := jobs.New(db.WriteDB(), string(d), jobs.Options{Workers: 2, PollInterval: 100 * time.Millisecond, Logger: quietLog})
			if err != nil {
				t.Fatal(err)
			}
			outbox := filepath.Join(t.TempDir(), "outbox")
			sender, err := Open("dir:"+outbox, testFrom, quietLog)
			if err != nil {
				t.Fatal(err)
			}
			key := testKey(9)
			jobs.Register(q, jobs.Worker[SendArgs](&Worker{Key: key, Sender: sender, Log: quietLog}))
			if err := q.Open(); err != nil {
				t.Fatal(err)
			}

			const code, to = "918273", "Dana <dana@example.de>"
			args, err := NewJob(key, to, OTP, "de", map[string]string{"code": code, "name": "Dana"})
			if err != nil {
				t.Fatal(err)
			}
			tx, err := db.WriteDB().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := q.InsertTx(ctx, tx, args); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			tampered := args
			tampered.Sealed = bytes.Clone(args.Sealed)
			tampered.Sealed[20] ^= 0xff
			if err := q.Insert(ctx, tampered); err != nil {
				t.Fatal(err)
			}

			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer q.Stop(ctx)
			waitForStates(t, db.WriteDB(), "cancelled", "completed")

			raw := readOneEML(t, outbox)
			got := parseMail(t, raw)
			want, err := Render("de", OTP, map[string]string{"code": code, "name": "Dana"})
			if err != nil {
				t.Fatal(err)
			}
			if rcpt := got.header.Get("To"); !strings.Contains(rcpt, "dana@example.de") {
				t.Errorf("To = %q, want dana@example.de", rcpt)
			}
			if got.subject != want.Subject || got.text != want.Text || got.html != want.HTML {
				t.Errorf("mail subject %q text %q, want %q %q", got.subject, got.text, want.Subject, want.Text)
			}

			rows, err := db.WriteDB().QueryContext(ctx, `SELECT CAST(args AS TEXT) FROM river_job WHERE kind = 'mail.send'`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var stored string
				if err := rows.Scan(&stored); err != nil {
					t.Fatal(err)
				}
				n++
				for _, secret := range []string{code, "dana@", "Dana"} {
					if strings.Contains(stored, secret) {
						t.Errorf("river_job.args holds %q in clear: %s", secret, stored)
					}
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Errorf("%d mail.send jobs in river_job, want 2", n)
			}
		})
	}
}

// waitForStates waits until the mail.send jobs are in exactly states
// (sorted), or fails the test after a generous limit.
func waitForStates(t *testing.T, db *sql.DB, states ...string) {
	t.Helper()
	want := strings.Join(states, ",")
	var got string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		got = jobStates(t, db)
		if got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("mail.send job states %q, want %q", got, want)
}

func jobStates(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT state FROM river_job WHERE kind = 'mail.send' ORDER BY state`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var states []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		states = append(states, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(states, ",")
}
