// Package finance runs ToneGrid's money side on top of sqlstore and blob
// storage: sales-report imports (staged to blob storage while hashed, then
// parsed by a background job that matches lines to the catalog), statement
// exports (CSV and PDF) and the FinanceService the HTTP API calls.
package finance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/blob"
	"tonegrid/sqlstore"
)

// Service implements tonegrid.FinanceService: storage calls go to the
// database, report files to blob storage.
type Service struct {
	*sqlstore.DB
	Blobs blob.Store
	Log   *slog.Logger
}

var _ tonegrid.FinanceService = (*Service)(nil)

// New returns the finance service.
func New(db *sqlstore.DB, blobs blob.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{DB: db, Blobs: blobs, Log: log}
}

// hashingReader hashes and counts what passes through it.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		h.h.Write(p[:n])
		h.n += int64(n)
	}
	return n, err
}

// Stage streams r to blob storage under a new key of the tenant, computing
// its SHA-256 on the way; nothing is held in memory beyond the store's
// buffers.
func Stage(ctx context.Context, blobs blob.Store, tenantUUID string, r io.Reader) (*tonegrid.StagedFile, error) {
	key := "sales-reports/" + tenantUUID + "/" + uuid.Must(uuid.NewV7()).String()
	hr := &hashingReader{r: r, h: sha256.New()}
	info, err := blobs.Put(ctx, key, hr, -1, "application/octet-stream")
	if err != nil {
		return nil, fmt.Errorf("store sales report: %w", err)
	}
	return &tonegrid.StagedFile{Key: key, Size: info.Size, SHA256: hex.EncodeToString(hr.h.Sum(nil))}, nil
}

// StageImport streams an uploaded report to blob storage.
func (s *Service) StageImport(ctx context.Context, p *tonegrid.Principal, r io.Reader) (*tonegrid.StagedFile, error) {
	return Stage(ctx, s.Blobs, p.Tenant.UUID, r)
}

// DiscardStaged removes a staged file.
func (s *Service) DiscardStaged(ctx context.Context, f *tonegrid.StagedFile) {
	if f == nil {
		return
	}
	if err := s.Blobs.Delete(context.WithoutCancel(ctx), f.Key); err != nil {
		s.Log.Warn("discard staged sales report", "key", f.Key, "err", err)
	}
}

// CreateImport records the import and queues its job; the staged file is
// removed when the import is refused.
func (s *Service) CreateImport(ctx context.Context, p *tonegrid.Principal, in tonegrid.ImportInput, f *tonegrid.StagedFile) (*tonegrid.SalesImport, error) {
	m, err := s.DB.CreateImport(ctx, p, p.Tenant.ID, in, f, true)
	if err != nil {
		s.DiscardStaged(ctx, f)
		return nil, err
	}
	return m, nil
}

// ExportStatement renders a statement as CSV or PDF.
func (s *Service) ExportStatement(ctx context.Context, p *tonegrid.Principal, uuid, format string) (*tonegrid.Export, error) {
	d, err := s.DB.StatementExport(ctx, p, uuid)
	if err != nil {
		return nil, err
	}
	name := "statement-" + safeName(d.Period.Code) + "-" + d.Statement.Currency
	switch format {
	case "pdf":
		return &tonegrid.Export{ContentType: "application/pdf", FileName: name + ".pdf", Body: StatementPDF(d)}, nil
	default:
		body, err := StatementCSV(d)
		if err != nil {
			return nil, err
		}
		return &tonegrid.Export{ContentType: "text/csv; charset=utf-8", FileName: name + ".csv", Body: body}, nil
	}
}

// safeName keeps the characters of s that are safe in a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}
