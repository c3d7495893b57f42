package mail

import (
	"context"
	"log/slog"
)

// logSender writes each message to the log instead of sending it. It logs
// the text body, one-time codes included, so it is for development only.
type logSender struct {
	from string
	log  *slog.Logger
}

// Send logs m as one structured line.
func (s *logSender) Send(ctx context.Context, m Message) error {
	if err := checkMessage(m); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "mail (log backend, not sent)",
		"from", s.from, "to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}
