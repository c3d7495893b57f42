package tonegrid

import (
	"context"
	"encoding/json"
	"io"
	"time"
)

// Events of finance, emitted in the transaction that makes the change.
const (
	EventStatementApproved      = "statement.approved"
	EventPayeeStatementApproved = "payee_statement.approved"
	EventPayoutPaid             = "payout.paid"
)

// Period is an accounting period of a tenant: sales reports are imported
// into it and statements computed for it.
type Period struct {
	ID        int64     `json:"-"`
	UUID      string    `json:"uuid"`
	Code      string    `json:"code"`
	StartsOn  string    `json:"starts_on"`
	EndsOn    string    `json:"ends_on"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PeriodInput is a new period; dates are YYYY-MM-DD.
type PeriodInput struct {
	Code     string
	StartsOn string
	EndsOn   string
}

// Import statuses.
const (
	ImportQueued     = "queued"
	ImportProcessing = "processing"
	ImportCompleted  = "completed"
	ImportFailed     = "failed"
)

// SalesImport is one uploaded sales report and what importing it found.
type SalesImport struct {
	ID         int64  `json:"-"`
	TenantID   int64  `json:"-"`
	PeriodID   int64  `json:"-"`
	BlobKey    string `json:"-"`
	UUID       string `json:"uuid"`
	PeriodUUID string `json:"period_uuid"`
	DSP        string `json:"dsp"`
	Format     string `json:"format"`
	FileName   string `json:"file_name"`
	Size       int64  `json:"size"`
	SHA256     string `json:"sha256"`
	Status     string `json:"status"`
	// LinesTotal counts the sales lines read; LinesInvalid the records
	// skipped as malformed (not part of the total).
	LinesTotal     int64 `json:"lines_total"`
	LinesMatched   int64 `json:"lines_matched"`
	LinesUnmatched int64 `json:"lines_unmatched"`
	LinesInvalid   int64 `json:"lines_invalid"`
	// Currency is the report's currency (the first one when it holds
	// several) and Gross the exact sum of its lines in that currency;
	// GrossByCurrency has every currency.
	Currency        string            `json:"currency"`
	Gross           string            `json:"gross"`
	GrossByCurrency map[string]string `json:"gross_by_currency"`
	Error           string            `json:"error,omitempty"`
	// Reconciliation compares a DSR file's own summaries and counters with
	// what was read; null for CSV files and before completion.
	Reconciliation json.RawMessage `json:"reconciliation"`
	CompletedAt    *time.Time      `json:"completed_at"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// ImportInput is the form of an import request.
type ImportInput struct {
	PeriodUUID string
	DSP        string
	Format     string
	FileName   string
}

// StagedFile is an uploaded report stored in blob storage, before its import
// row exists.
type StagedFile struct {
	Key    string
	Size   int64
	SHA256 string
}

// UnmatchedLine is a sales line that matched no track or release.
type UnmatchedLine struct {
	LineNo    int64  `json:"line_no"`
	DSP       string `json:"dsp"`
	Territory string `json:"territory"`
	ISRC      string `json:"isrc"`
	UPC       string `json:"upc"`
	UsageType string `json:"usage_type"`
	Units     int64  `json:"units"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
}

// Statement statuses (payee statements share them).
const (
	StatementDraft    = "draft"
	StatementApproved = "approved"
	StatementLocked   = "locked"
	StatementPaid     = "paid"
)

// Statement is a tenant's earnings of one period in one currency.
type Statement struct {
	ID         int64  `json:"-"`
	UUID       string `json:"uuid"`
	PeriodUUID string `json:"period_uuid"`
	Status     string `json:"status"`
	Currency   string `json:"currency"`
	// Gross is the sum of the matched lines rounded once (half-even) to the
	// currency's minor unit; Fee the parent distributor's share; Net the rest.
	Gross        string          `json:"gross"`
	Fee          string          `json:"fee"`
	Net          string          `json:"net"`
	SharePercent string          `json:"share_percent"`
	Lines        []StatementLine `json:"lines,omitempty"`
	ApprovedAt   *time.Time      `json:"approved_at"`
	LockedAt     *time.Time      `json:"locked_at"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
}

// StatementLine is the exact revenue of one release or track at one DSP in
// one territory.
type StatementLine struct {
	ReleaseUUID  string `json:"release_uuid"`
	ReleaseTitle string `json:"release_title"`
	TrackUUID    string `json:"track_uuid,omitempty"`
	TrackTitle   string `json:"track_title,omitempty"`
	ISRC         string `json:"isrc,omitempty"`
	DSP          string `json:"dsp"`
	Territory    string `json:"territory"`
	Units        int64  `json:"units"`
	Amount       string `json:"amount"`
}

// PayeeStatement is one payee's part of a statement's net.
type PayeeStatement struct {
	ID            int64                `json:"-"`
	UUID          string               `json:"uuid"`
	StatementUUID string               `json:"statement_uuid"`
	PayeeUUID     string               `json:"payee_uuid"`
	PayeeName     string               `json:"payee_name"`
	Amount        string               `json:"amount"`
	Currency      string               `json:"currency"`
	Status        string               `json:"status"`
	Lines         []PayeeStatementLine `json:"lines,omitempty"`
	ApprovedAt    *time.Time           `json:"approved_at"`
	CreatedAt     time.Time            `json:"created_at"`
	UpdatedAt     time.Time            `json:"updated_at"`
}

// PayeeStatementLine is a payee's percentage of one track's (or release's)
// exact gross in the statement.
type PayeeStatementLine struct {
	ReleaseUUID string `json:"release_uuid"`
	TrackUUID   string `json:"track_uuid,omitempty"`
	ISRC        string `json:"isrc,omitempty"`
	Title       string `json:"title"`
	Percentage  string `json:"percentage"`
	Gross       string `json:"gross"`
	Share       string `json:"share"`
}

// Payout statuses.
const (
	PayoutRequested = "requested"
	PayoutPaid      = "paid"
)

// Payout is the payment of an approved payee statement.
type Payout struct {
	ID                 int64      `json:"-"`
	UUID               string     `json:"uuid"`
	PayeeStatementUUID string     `json:"payee_statement_uuid"`
	PayeeUUID          string     `json:"payee_uuid"`
	Amount             string     `json:"amount"`
	Currency           string     `json:"currency"`
	Status             string     `json:"status"`
	Reference          string     `json:"reference"`
	PaidAt             *time.Time `json:"paid_at"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// AnalyticsFilter narrows analytics to periods overlapping From…To
// (YYYY-MM-DD, either may be empty) and to one release.
type AnalyticsFilter struct {
	From, To    string
	ReleaseUUID string
}

// AnalyticsRow is the units and exact revenue of one group in one currency.
type AnalyticsRow struct {
	ReleaseUUID  string `json:"release_uuid,omitempty"`
	ReleaseTitle string `json:"release_title,omitempty"`
	Territory    string `json:"territory,omitempty"`
	DSP          string `json:"dsp,omitempty"`
	Currency     string `json:"currency"`
	Units        int64  `json:"units"`
	Revenue      string `json:"revenue"`
	Lines        int64  `json:"lines"`
}

// Analytics groupings.
const (
	ByRelease   = "releases"
	ByTerritory = "territories"
	ByDSP       = "dsps"
)

// Export is a rendered statement export.
type Export struct {
	ContentType string
	FileName    string
	Body        []byte
}

// FinanceService runs periods, imports, statements, payee statements,
// payouts and analytics, always inside the principal's tenant.
type FinanceService interface {
	ListPeriods(ctx context.Context, p *Principal, page Page) ([]*Period, int, error)
	CreatePeriod(ctx context.Context, p *Principal, in PeriodInput) (*Period, error)
	FindPeriod(ctx context.Context, p *Principal, uuid string) (*Period, error)

	// StageImport streams an uploaded report to blob storage, hashing it.
	StageImport(ctx context.Context, p *Principal, r io.Reader) (*StagedFile, error)
	// DiscardStaged removes a staged file whose import was refused.
	DiscardStaged(ctx context.Context, f *StagedFile)
	// CreateImport records the import of a staged file and queues its job.
	CreateImport(ctx context.Context, p *Principal, in ImportInput, f *StagedFile) (*SalesImport, error)
	FindImport(ctx context.Context, p *Principal, uuid string) (*SalesImport, error)
	ListUnmatched(ctx context.Context, p *Principal, importUUID string, page Page) ([]UnmatchedLine, int, error)

	// ComputeStatement (re)computes the drafts of a period, one per
	// currency, and returns the one of currency (or the first).
	ComputeStatement(ctx context.Context, p *Principal, periodUUID, currency string) (*Statement, error)
	ListStatements(ctx context.Context, p *Principal, page Page) ([]*Statement, int, error)
	FindStatement(ctx context.Context, p *Principal, uuid string) (*Statement, error)
	ApproveStatement(ctx context.Context, p *Principal, uuid string) (*Statement, error)
	LockStatement(ctx context.Context, p *Principal, uuid string) (*Statement, error)
	ExportStatement(ctx context.Context, p *Principal, uuid, format string) (*Export, error)

	ListPayeeStatements(ctx context.Context, p *Principal, statementUUID string, page Page) ([]*PayeeStatement, int, error)
	FindPayeeStatement(ctx context.Context, p *Principal, uuid string) (*PayeeStatement, error)
	ApprovePayeeStatement(ctx context.Context, p *Principal, uuid string) (*PayeeStatement, error)
	LockPayeeStatement(ctx context.Context, p *Principal, uuid string) (*PayeeStatement, error)

	ListPayouts(ctx context.Context, p *Principal, page Page) ([]*Payout, int, error)
	CreatePayout(ctx context.Context, p *Principal, payeeStatementUUID string) (*Payout, error)
	FindPayout(ctx context.Context, p *Principal, uuid string) (*Payout, error)
	MarkPayoutPaid(ctx context.Context, p *Principal, uuid, reference string) (*Payout, error)

	Analytics(ctx context.Context, p *Principal, by string, f AnalyticsFilter) ([]AnalyticsRow, error)
}
