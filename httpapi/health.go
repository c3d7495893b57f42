package httpapi

import (
	"context"
	"net/http"
	"time"

	"tonegrid"
)

// healthReport is the body of /health and the model of /status.
type healthReport struct {
	Status string       `json:"status"`
	Checks healthChecks `json:"checks"`
}

type healthChecks struct {
	DB   componentCheck  `json:"db"`
	Jobs *componentCheck `json:"jobs,omitempty"`
}

// componentCheck is whether one component answers, and how fast.
type componentCheck struct {
	OK        bool           `json:"ok"`
	LatencyMS int64          `json:"latency_ms"`
	Counts    map[string]int `json:"counts,omitempty"`
}

// checkHealth pings the database and, for the status page, reads the job
// queue, each with a short timeout. /health only pings: load balancers call
// it often.
func (s *Server) checkHealth(ctx context.Context, withJobs bool) healthReport {
	rep := healthReport{Status: "ok"}
	if s.deps.Health == nil {
		return rep
	}
	rep.Checks.DB = s.pingDB(ctx)
	if !rep.Checks.DB.OK {
		rep.Status = "unavailable"
	}
	if !withJobs {
		return rep
	}
	jctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	start := time.Now()
	counts, err := s.deps.Health.JobStats(jctx)
	cancel()
	rep.Checks.Jobs = &componentCheck{OK: err == nil, LatencyMS: time.Since(start).Milliseconds(), Counts: counts}
	if err != nil && rep.Status == "ok" {
		rep.Status = "degraded"
	}
	return rep
}

// pingDB checks the database. Concurrent checks share one ping: a burst of
// health requests costs the database one query, and each answer comes from a
// ping that was still running when the request arrived (never a cached one).
func (s *Server) pingDB(ctx context.Context) componentCheck {
	v, _, _ := s.pings.Do("db", func() (any, error) {
		start := time.Now()
		err := s.deps.Health.PingDB(context.WithoutCancel(ctx))
		return componentCheck{OK: err == nil, LatencyMS: time.Since(start).Milliseconds()}, nil
	})
	return v.(componentCheck)
}

// handleHealth answers 200 with the checks, or 503 when the database does
// not answer.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	rep := s.checkHealth(r.Context(), false)
	if !rep.Checks.DB.OK {
		s.writeErrorBody(w, r, tonegrid.ErrUnavailable, rep)
		return nil
	}
	writeData(w, http.StatusOK, rep)
	return nil
}
