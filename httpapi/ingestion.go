package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"tonegrid"
	"tonegrid/i18n"
)

// IngestService is bulk ingestion and webhook subscriptions.
type IngestService interface {
	tonegrid.IngestionService
	tonegrid.WebhookService
}

// bulkBodyLimit bounds a bulk ingestion body: 200 releases with their
// tracks.
const bulkBodyLimit = 16 << 20

// bulkReleaseBody is one release of a bulk call: the single-release body
// with its tracks and stores.
type bulkReleaseBody struct {
	releaseBody
	Tracks []bulkTrackBody `json:"tracks"`
	DSPs   []string        `json:"dsps"`
}

// bulkTrackBody is a track of a bulk release with its writers and splits.
type bulkTrackBody struct {
	trackBody
	Writers []writerCreditBody `json:"writers"`
	Splits  []splitBody        `json:"splits"`
}

// maxBulkTracks bounds the tracks of one bulk release.
const maxBulkTracks = 500

// check validates a bulk release with the checks of the single routes
// (release, track, writers, splits, stores); field paths of tracks are
// under tracks.N.
func (b *bulkReleaseBody) check() (tonegrid.BulkRelease, error) {
	c := checker{artistNames: true}
	out := tonegrid.BulkRelease{Release: releaseInputOf(b.releaseBody.check(&c, true))}
	if len(b.Tracks) > maxBulkTracks {
		c.add("tracks", "too_many", "max", maxBulkTracks)
		return out, c.err()
	}
	for i, t := range b.Tracks {
		tc := checker{artistNames: true}
		upd := t.trackBody.check(&tc, true)
		bt := tonegrid.BulkTrack{Track: trackInputOf(upd)}
		if t.Writers != nil {
			bt.Writers = tc.trackWriters("writers", t.Writers)
		}
		if t.Splits != nil {
			bt.Splits = tc.splits("splits", t.Splits)
		}
		c.v.Merge("tracks."+strconv.Itoa(i), tc.v)
		out.Tracks = append(out.Tracks, bt)
	}
	c.dspSlugs("dsps", b.DSPs, false)
	out.DSPs = b.DSPs
	return out, c.err()
}

// decodeBulk reads {"releases": […]} as a stream, counting the releases: a
// 201st is refused with 413 before anything is done.
func decodeBulk(r *http.Request) ([]bulkReleaseBody, error) {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if t, err := dec.Token(); err != nil {
		return nil, decodeError(err)
	} else if d, ok := t.(json.Delim); !ok || d != '{' {
		return nil, tonegrid.ErrMalformedJSON
	}
	var out []bulkReleaseBody
	seen := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, decodeError(err)
		}
		if key, _ := t.(string); key != "releases" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, decodeError(err)
			}
			continue
		}
		seen = true
		if t, err := dec.Token(); err != nil {
			return nil, decodeError(err)
		} else if d, ok := t.(json.Delim); !ok || d != '[' {
			return nil, tonegrid.ErrMalformedJSON
		}
		for dec.More() {
			if len(out) == tonegrid.MaxBulkReleases {
				return nil, tonegrid.ErrBulkTooLarge
			}
			var b bulkReleaseBody
			if err := dec.Decode(&b); err != nil {
				return nil, decodeError(err)
			}
			out = append(out, b)
		}
		if _, err := dec.Token(); err != nil {
			return nil, decodeError(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, tonegrid.ErrMalformedJSON
	}
	if !seen || len(out) == 0 {
		var c checker
		c.add("releases", "required")
		return nil, c.err()
	}
	return out, nil
}

// bulkResultView is one item of a bulk response.
type bulkResultView struct {
	Index   int                 `json:"index"`
	Success bool                `json:"success"`
	UUID    string              `json:"uuid,omitempty"`
	Code    string              `json:"code,omitempty"`
	Error   string              `json:"error,omitempty"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

// viewResults renders results with field messages in locale.
func viewResults(results []tonegrid.BulkResult, locale string) []bulkResultView {
	out := make([]bulkResultView, len(results))
	for i, res := range results {
		v := bulkResultView{Index: res.Index, Success: res.Success, UUID: res.UUID, Code: res.Code, Error: res.Message}
		if len(res.Fields) > 0 {
			v.Errors = make(map[string][]string, len(res.Fields))
			for path, fes := range res.Fields {
				for _, fe := range fes {
					v.Errors[path] = append(v.Errors[path], i18n.Message(locale, fe.Code, fe.Params))
				}
			}
		}
		out[i] = v
	}
	return out
}

// handleBulk creates up to 200 releases, each in its own transaction, or
// with ?async=true queues them as an ingestion job. Under an
// Idempotency-Key each item is recorded with a key derived from it and its
// index, so a retry after a crash creates only what is missing.
func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request) error {
	var c checker
	async := r.URL.Query().Get("async")
	c.oneOf("async", async, false, "true", "false")
	if err := c.err(); err != nil {
		return err
	}
	bodies, err := decodeBulk(r)
	if err != nil {
		return err
	}
	p := principalOf(r)
	items := make([]*tonegrid.BulkRelease, len(bodies))
	var results []tonegrid.BulkResult
	for i := range bodies {
		in, err := bodies[i].check()
		if err != nil {
			e, _ := tonegrid.ErrorOf(err)
			results = append(results, tonegrid.FailedResult(i, e))
			continue
		}
		items[i] = &in
	}
	if async == "true" {
		job, err := s.deps.Ingest.CreateIngestionJob(r.Context(), p, items, results)
		if err != nil {
			return err
		}
		writeData(w, http.StatusAccepted, viewJob(job, localeOf(r)))
		return nil
	}
	var base string
	if key := r.Header.Get("Idempotency-Key"); key != "" {
		h := sha256.Sum256([]byte(p.Tenant.UUID + "\x00" + s.principalKey(r, p) + "\x00" + key))
		base = "idem:" + hex.EncodeToString(h[:]) + ":"
	}
	failed := len(results)
	for i, in := range items {
		if in == nil {
			continue
		}
		itemKey := ""
		if base != "" {
			itemKey = base + strconv.Itoa(i)
		}
		uuid, err := s.deps.Ingest.IngestRelease(r.Context(), p, itemKey, *in)
		if e, ok := tonegrid.ErrorOf(err); ok && e.Status < 500 {
			results = append(results, tonegrid.FailedResult(i, e))
			failed++
			continue
		}
		if err != nil {
			return err
		}
		results = append(results, tonegrid.BulkResult{Index: i, Success: true, UUID: uuid})
	}
	sortResults(results)
	status := http.StatusOK
	if failed > 0 {
		status = http.StatusMultiStatus
	}
	writeData(w, status, map[string]any{"results": viewResults(results, localeOf(r))})
	return nil
}

// sortResults orders results by index.
func sortResults(results []tonegrid.BulkResult) {
	for i := 1; i < len(results); i++ {
		for j := i; j > 0 && results[j].Index < results[j-1].Index; j-- {
			results[j], results[j-1] = results[j-1], results[j]
		}
	}
}

// jobView is an ingestion job in a response.
type jobView struct {
	UUID       string           `json:"uuid"`
	Status     string           `json:"status"`
	Total      int              `json:"total"`
	Processed  int              `json:"processed"`
	Succeeded  int              `json:"succeeded"`
	Failed     int              `json:"failed"`
	Results    []bulkResultView `json:"results"`
	CreatedAt  time.Time        `json:"created_at"`
	UpdatedAt  time.Time        `json:"updated_at"`
	FinishedAt *time.Time       `json:"finished_at"`
}

func viewJob(j *tonegrid.IngestionJob, locale string) jobView {
	return jobView{UUID: j.UUID, Status: j.Status, Total: j.Total, Processed: j.Processed, Succeeded: j.Succeeded, Failed: j.Failed,
		Results: viewResults(j.Results, locale), CreatedAt: j.CreatedAt.UTC(), UpdatedAt: j.UpdatedAt.UTC(), FinishedAt: j.FinishedAt}
}

func (s *Server) handleIngestionJob(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrIngestionJobNotFound)
	if err != nil {
		return err
	}
	job, err := s.deps.Ingest.FindIngestionJob(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, viewJob(job, localeOf(r)))
	return nil
}
