package httpapi

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"tonegrid"
	"tonegrid/blob"
	"tonegrid/money"
)

// importBodyLimit bounds a sales-report upload: DDEX caps a DSR file at
// 4 GB uncompressed (DSR Part 1 6.6.13); the rest is room for the form.
const importBodyLimit = 4<<30 + 1<<20

// periodCode is what a period code may hold.
var periodCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$`)

type periodBody struct {
	Code     string `json:"code"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

func (s *Server) handlePeriodList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	out, total, err := s.deps.Finance.ListPeriods(r.Context(), principalOf(r), page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(out), metaOf(page, total))
	return nil
}

func (s *Server) handlePeriodCreate(w http.ResponseWriter, r *http.Request) error {
	var b periodBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var c checker
	code := c.text("code", b.Code, true, 50)
	if code != "" && !periodCode.MatchString(code) {
		c.add("code", "invalid_characters")
	}
	start, end := c.date("starts_on", b.StartsOn), c.date("ends_on", b.EndsOn)
	if start != nil && end != nil && end.String() < start.String() {
		c.add("ends_on", "out_of_range", "min", start.String(), "max", "9999-12-31")
	}
	if err := c.err(); err != nil {
		return err
	}
	f, err := s.deps.Finance.CreatePeriod(r.Context(), principalOf(r), tonegrid.PeriodInput{Code: code, StartsOn: start.String(), EndsOn: end.String()})
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, f)
	return nil
}

func (s *Server) handlePeriodGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrPeriodNotFound)
	if err != nil {
		return err
	}
	f, err := s.deps.Finance.FindPeriod(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, f)
	return nil
}

// handleImportCreate streams the multipart upload's file part to blob
// storage (hashing it on the way) and reads the small form fields around
// it, in whatever order they come; the import is recorded once everything
// is read and valid, and a refused file is deleted again.
func (s *Server) handleImportCreate(w http.ResponseWriter, r *http.Request) error {
	ctype, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ctype != "multipart/form-data" {
		var c checker
		c.add("file", "required")
		return c.err()
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return tonegrid.ErrMalformedJSON
	}
	p := principalOf(r)
	var staged *tonegrid.StagedFile
	discard := func() { s.deps.Finance.DiscardStaged(r.Context(), staged) }
	fields := map[string]string{}
	var in tonegrid.ImportInput
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			discard()
			return uploadError(err)
		}
		name := part.FormName()
		switch {
		case name == "file" && staged == nil:
			in.FileName = part.FileName()
			if staged, err = s.deps.Finance.StageImport(r.Context(), p, part); err != nil {
				return uploadError(err)
			}
		case name == "dsp" || name == "period_uuid" || name == "format":
			b, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				discard()
				return uploadError(err)
			}
			fields[name] = string(b)
		}
		part.Close()
	}
	var c checker
	if staged == nil {
		c.add("file", "required")
	}
	in.DSP = c.text("dsp", fields["dsp"], true, 100)
	in.Format = strings.TrimSpace(fields["format"])
	if in.Format == "" {
		in.Format = "csv"
	}
	c.oneOf("format", in.Format, true, "csv", "ddex-dsr")
	pu := strings.TrimSpace(fields["period_uuid"])
	if pu == "" {
		c.add("period_uuid", "required")
	} else if u, err := uuid.Parse(pu); err != nil || len(pu) != 36 {
		c.add("period_uuid", "invalid_uuid")
	} else {
		in.PeriodUUID = u.String()
	}
	if len(in.FileName) > 255 {
		in.FileName = in.FileName[:255]
	}
	if err := c.err(); err != nil {
		discard()
		return err
	}
	m, err := s.deps.Finance.CreateImport(r.Context(), p, in, staged)
	if err != nil {
		return err
	}
	writeData(w, http.StatusAccepted, m)
	return nil
}

// uploadError turns a failed upload read into its catalogue error.
func uploadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return decodeError(err)
	}
	if errors.Is(err, blob.ErrInvalidKey) {
		return err
	}
	return errors.Join(tonegrid.ErrMalformedJSON, err)
}

func (s *Server) handleImportGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrImportNotFound)
	if err != nil {
		return err
	}
	m, err := s.deps.Finance.FindImport(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, m)
	return nil
}

func (s *Server) handleImportUnmatched(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrImportNotFound)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	out, total, err := s.deps.Finance.ListUnmatched(r.Context(), principalOf(r), id, page)
	if err != nil {
		return err
	}
	writeList(w, out, metaOf(page, total))
	return nil
}

type statementBody struct {
	PeriodUUID string `json:"period_uuid"`
	Currency   string `json:"currency"`
}

func (s *Server) handleStatementCompute(w http.ResponseWriter, r *http.Request) error {
	var b statementBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var c checker
	pu := strings.TrimSpace(b.PeriodUUID)
	if pu == "" {
		c.add("period_uuid", "required")
	} else if u, err := uuid.Parse(pu); err != nil || len(pu) != 36 {
		c.add("period_uuid", "invalid_uuid")
	} else {
		pu = u.String()
	}
	cur := strings.ToUpper(strings.TrimSpace(b.Currency))
	if cur != "" && !money.ValidCurrency(cur) {
		c.add("currency", "invalid_currency")
	}
	if err := c.err(); err != nil {
		return err
	}
	st, err := s.deps.Finance.ComputeStatement(r.Context(), principalOf(r), pu, cur)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, st)
	return nil
}

func (s *Server) handleStatementList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	out, total, err := s.deps.Finance.ListStatements(r.Context(), principalOf(r), page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(out), metaOf(page, total))
	return nil
}

func (s *Server) handleStatementGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrStatementNotFound)
	if err != nil {
		return err
	}
	st, err := s.deps.Finance.FindStatement(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, st)
	return nil
}

func (s *Server) handleStatementApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrStatementNotFound)
	if err != nil {
		return err
	}
	st, err := s.deps.Finance.ApproveStatement(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, st)
	return nil
}

func (s *Server) handleStatementLock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrStatementNotFound)
	if err != nil {
		return err
	}
	st, err := s.deps.Finance.LockStatement(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, st)
	return nil
}

func (s *Server) handleStatementExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrStatementNotFound)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	var c checker
	c.oneOf("format", format, true, "csv", "pdf")
	if err := c.err(); err != nil {
		return err
	}
	ex, err := s.deps.Finance.ExportStatement(r.Context(), principalOf(r), id, format)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ex.ContentType)
	w.Header().Set("Content-Disposition", blob.ContentDisposition(ex.FileName))
	w.Header().Set("Content-Length", strconv.Itoa(len(ex.Body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ex.Body)
	return nil
}

func (s *Server) handlePayeeStatementList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	su := r.URL.Query().Get("statement_uuid")
	if su != "" {
		u, err := uuid.Parse(su)
		if err != nil || len(su) != 36 {
			var c checker
			c.add("statement_uuid", "invalid_uuid")
			return c.err()
		}
		su = u.String()
	}
	out, total, err := s.deps.Finance.ListPayeeStatements(r.Context(), principalOf(r), su, page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(out), metaOf(page, total))
	return nil
}

func (s *Server) handlePayeeStatementGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrPayeeStatementNotFound)
	if err != nil {
		return err
	}
	ps, err := s.deps.Finance.FindPayeeStatement(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, ps)
	return nil
}

func (s *Server) handlePayeeStatementApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrPayeeStatementNotFound)
	if err != nil {
		return err
	}
	ps, err := s.deps.Finance.ApprovePayeeStatement(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, ps)
	return nil
}

func (s *Server) handlePayeeStatementLock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrPayeeStatementNotFound)
	if err != nil {
		return err
	}
	ps, err := s.deps.Finance.LockPayeeStatement(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, ps)
	return nil
}

func (s *Server) handlePayoutList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	out, total, err := s.deps.Finance.ListPayouts(r.Context(), principalOf(r), page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(out), metaOf(page, total))
	return nil
}

func (s *Server) handlePayoutCreate(w http.ResponseWriter, r *http.Request) error {
	var b struct {
		PayeeStatementUUID string `json:"payee_statement_uuid"`
	}
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var c checker
	pu := strings.TrimSpace(b.PayeeStatementUUID)
	if pu == "" {
		c.add("payee_statement_uuid", "required")
	} else if u, err := uuid.Parse(pu); err != nil || len(pu) != 36 {
		c.add("payee_statement_uuid", "invalid_uuid")
	} else {
		pu = u.String()
	}
	if err := c.err(); err != nil {
		return err
	}
	o, err := s.deps.Finance.CreatePayout(r.Context(), principalOf(r), pu)
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, o)
	return nil
}

func (s *Server) handlePayoutGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrPayoutNotFound)
	if err != nil {
		return err
	}
	o, err := s.deps.Finance.FindPayout(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, o)
	return nil
}

func (s *Server) handlePayoutMarkPaid(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrPayoutNotFound)
	if err != nil {
		return err
	}
	var b struct {
		Reference string `json:"reference"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
	}
	var c checker
	ref := c.text("reference", b.Reference, false, 200)
	if err := c.err(); err != nil {
		return err
	}
	o, err := s.deps.Finance.MarkPayoutPaid(r.Context(), principalOf(r), id, ref)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, o)
	return nil
}

// analyticsHandler answers one analytics grouping.
func (s *Server) analyticsHandler(by string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		var c checker
		var f tonegrid.AnalyticsFilter
		if v := q.Get("from"); v != "" {
			if d := c.date("from", v); d != nil {
				f.From = d.String()
			}
		}
		if v := q.Get("to"); v != "" {
			if d := c.date("to", v); d != nil {
				f.To = d.String()
			}
		}
		if v := q.Get("release_uuid"); v != "" {
			if u, err := uuid.Parse(v); err != nil || len(v) != 36 {
				c.add("release_uuid", "invalid_uuid")
			} else {
				f.ReleaseUUID = u.String()
			}
		}
		if err := c.err(); err != nil {
			return err
		}
		rows, err := s.deps.Finance.Analytics(r.Context(), principalOf(r), by, f)
		if err != nil {
			return err
		}
		writeData(w, http.StatusOK, rows)
		return nil
	}
}
