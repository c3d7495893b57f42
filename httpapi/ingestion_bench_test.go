package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"tonegrid/app"
	"tonegrid/app/apptest"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
	"tonegrid/webhook"
)

// bulkBatch is 200 releases of 2 tracks each, every one with a fresh UPC
// and ISRCs.
func bulkBatch(artist string, round int) map[string]any {
	releases := make([]any, 200)
	for i := range releases {
		releases[i] = map[string]any{"title": "Bench " + strconv.Itoa(round) + "/" + strconv.Itoa(i), "type": "ep",
			"genre": "Pop", "language": "en", "upc": apptest.UniqueUPC(), "artists": []map[string]string{{"artist_uuid": artist}},
			"tracks": []map[string]any{{"title": "One", "isrc": apptest.UniqueISRC()}, {"title": "Two", "isrc": apptest.UniqueISRC()}}}
	}
	return map[string]any{"releases": releases}
}

// BenchmarkBulkIngestion is one POST /api/ingestion/bulk of 200 releases ×
// 2 tracks over loopback, each release in its own transaction, per dialect.
func BenchmarkBulkIngestion(b *testing.B) {
	for _, d := range sqltest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			srv := apptest.New(b, d)
			label := srv.Label(b, "Bulk Bench")
			srv.SetPlan(b, label.TenantUUID, "label")
			artist := srv.Artist(b, label.Token, "Bench Artist")
			round := 0
			for b.Loop() {
				b.StopTimer()
				body := bulkBatch(artist, round)
				round++
				b.StartTimer()
				resp := srv.Post("/api/ingestion/bulk", label.Token, body)
				if resp.Status != http.StatusOK {
					b.Fatalf("bulk: %d %.500s", resp.Status, resp.Body)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/batch")
		})
	}
}

// BenchmarkWebhookFanOut measures delivery of the outbox to a local
// receiver with the production defaults (dispatch every second, 20
// workers, 200 ms polling): each iteration creates 200 releases in one bulk
// call (200 release.created events) with 2 subscriptions listening, and
// waits until the receiver has all 400 deliveries. It reports deliveries/s
// and the p50/p99 lag from the event's creation to its arrival.
func BenchmarkWebhookFanOut(b *testing.B) {
	for _, d := range sqltest.Dialects(b) {
		b.Run(string(d), func(b *testing.B) {
			fanOut(b, d)
		})
	}
}

func fanOut(b *testing.B, d sqlstore.Dialect) {
	srv := apptest.New(b, d, apptest.WithConfig(func(c *app.Config) {
		c.WebhooksAllowPrivate = true
		c.JobWorkers, c.JobPollInterval, c.WebhookDispatchInterval = 20, 200*time.Millisecond, time.Second
	}))
	label := srv.Label(b, "Fan-out Bench")
	srv.SetPlan(b, label.TenantUUID, "label")
	artist := srv.Artist(b, label.Token, "Bench Artist")
	var count atomic.Int64
	lags := make(chan time.Duration, 1<<16)
	rc := newReceiverFunc(b, func(body []byte) {
		ev, err := webhook.DecodeEvent(body)
		if err == nil {
			lags <- time.Since(ev.CreatedAt)
		}
		count.Add(1)
	})
	const subs = 2
	for range subs {
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": rc, "events": []string{"release.created"}}).
			ExpectStatus(b, http.StatusCreated)
	}
	var all []time.Duration
	var busy time.Duration
	round := 0
	for b.Loop() {
		b.StopTimer()
		body := bulkBatch(artist, round)
		round++
		want := count.Load() + 200*subs
		b.StartTimer()
		start := time.Now()
		srv.Post("/api/ingestion/bulk", label.Token, body).ExpectStatus(b, http.StatusOK)
		deadline := time.Now().Add(2 * time.Minute)
		for count.Load() < want {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d deliveries after 2 minutes", count.Load(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
		busy += time.Since(start)
	drain:
		for {
			select {
			case l := <-lags:
				all = append(all, l)
			default:
				break drain
			}
		}
	}
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/busy.Seconds(), "deliveries/s")
		b.ReportMetric(float64(all[len(all)/2].Milliseconds()), "p50-lag-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Milliseconds()), "p99-lag-ms")
	}
}

// newReceiverFunc starts a receiver answering 204 that passes each body to
// got, and returns its URL.
func newReceiverFunc(b *testing.B, got func([]byte)) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got(body)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}
