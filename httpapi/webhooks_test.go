package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tonegrid/app"
	"tonegrid/app/apptest"
	"tonegrid/sqlstore/sqltest"
	"tonegrid/webhook"
)

// webhookData is the JSON of a subscription.
type webhookData struct {
	UUID           string   `json:"uuid"`
	Name           string   `json:"name"`
	URL            string   `json:"url"`
	Events         []string `json:"events"`
	IsActive       bool     `json:"is_active"`
	DisabledReason string   `json:"disabled_reason"`
	Secret         string   `json:"secret"`
}

// deliveryData is the JSON of a delivery.
type deliveryData struct {
	UUID          string     `json:"uuid"`
	EventID       string     `json:"event_id"`
	EventType     string     `json:"event_type"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	ResponseCode  *int       `json:"response_code"`
	DurationMS    *int       `json:"duration_ms"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
}

// allowPrivate lets webhooks reach the test's local receivers, and
// dispatches the outbox often.
var allowPrivate = apptest.WithConfig(func(c *app.Config) {
	c.WebhooksAllowPrivate = true
	c.WebhookDispatchInterval = 100 * time.Millisecond
})

// received is one request a receiver got.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is a local webhook endpoint answering status.
type receiver struct {
	*httptest.Server
	status atomic.Int32
	mu     sync.Mutex
	got    []received
}

func newReceiver(t *testing.T, status int) *receiver {
	rc := &receiver{}
	rc.status.Store(int32(status))
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), body: body, at: time.Now()})
		rc.mu.Unlock()
		w.WriteHeader(int(rc.status.Load()))
	}))
	t.Cleanup(rc.Close)
	return rc
}

// wait returns the requests received once there are at least n.
func (rc *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		rc.mu.Lock()
		got := append([]received(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %d requests, want %d", len(got), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitDelivery polls a subscription's newest delivery until cond holds.
func waitDelivery(t *testing.T, srv *apptest.Server, token, hook string, cond func(deliveryData) bool) deliveryData {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var list []deliveryData
		srv.Get("/api/webhooks/"+hook+"/deliveries", token).Data(t, http.StatusOK, &list)
		if len(list) > 0 && cond(list[0]) {
			return list[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries = %+v", list)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestWebhookCRUD(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Hooks Label")
		other := srv.Label(t, "Other Hooks Label")
		var w webhookData
		srv.Post("/api/webhooks", label.Token, map[string]any{"name": "CRM", "url": "http://127.0.0.1:9/hook",
			"events": []string{"release.*", "release.dsp.*.*", "ingestion.*"}, "description": "sync"}).Data(t, http.StatusCreated, &w)
		if !strings.HasPrefix(w.Secret, "whsec_") || !webhook.ValidSecret(w.Secret) || !w.IsActive || len(w.Events) != 3 {
			t.Fatalf("created = %+v", w)
		}
		// The secret is sealed at rest, never stored in clear.
		var sealed string
		if err := srv.DB.WriteDB().QueryRow(`SELECT secret_sealed FROM webhooks WHERE uuid = $1`, w.UUID).Scan(&sealed); err != nil ||
			strings.Contains(sealed, strings.TrimPrefix(w.Secret, "whsec_")) {
			t.Errorf("stored secret %q, %v", sealed, err)
		}
		var got webhookData
		srv.Get("/api/webhooks/"+w.UUID, label.Token).Data(t, http.StatusOK, &got)
		if got.Secret != "" || got.URL != w.URL {
			t.Errorf("read = %+v", got)
		}
		var list []webhookData
		srv.Get("/api/webhooks", label.Token).Data(t, http.StatusOK, &list)
		if len(list) != 1 || list[0].Secret != "" {
			t.Errorf("list = %+v", list)
		}
		srv.Patch("/api/webhooks/"+w.UUID, label.Token, map[string]any{"events": []string{"*"}, "name": "All"}).Data(t, http.StatusOK, &got)
		if got.Name != "All" || strings.Join(got.Events, ",") != "*" {
			t.Errorf("patched = %+v", got)
		}
		var rotated webhookData
		srv.Post("/api/webhooks/"+w.UUID+"/rotate-secret", label.Token, nil).Data(t, http.StatusOK, &rotated)
		if !webhook.ValidSecret(rotated.Secret) || rotated.Secret == w.Secret {
			t.Errorf("rotated secret %q", rotated.Secret)
		}

		// Validation.
		e := srv.Post("/api/webhooks", label.Token, map[string]any{"url": "http://127.0.0.1:9/", "events": []string{"foo.*", "release.created", "release.created"}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["events.0"]) != 1 || len(e.Errors["events.2"]) != 1 {
			t.Errorf("errors = %v", e.Errors)
		}
		e = srv.Post("/api/webhooks", label.Token, map[string]any{"url": "ftp://example.com/x", "events": []string{"*"}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["url"]) != 1 {
			t.Errorf("errors = %v", e.Errors)
		}
		e = srv.Post("/api/webhooks", label.Token, map[string]any{}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["url"]) != 1 || len(e.Errors["events"]) != 1 {
			t.Errorf("errors = %v", e.Errors)
		}
		srv.Post("/api/webhooks", label.Token, `{"url":`).ExpectError(t, http.StatusBadRequest, "bad_request", "Malformed JSON body.")

		// Another workspace's subscription does not exist for the caller.
		const notFound = "Webhook not found."
		srv.Get("/api/webhooks/"+w.UUID, other.Token).ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)
		srv.Patch("/api/webhooks/"+w.UUID, other.Token, map[string]any{"name": "x"}).ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)
		srv.Delete("/api/webhooks/"+w.UUID, other.Token).ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)
		srv.Post("/api/webhooks/"+w.UUID+"/rotate-secret", other.Token, nil).ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)
		srv.Post("/api/webhooks/"+w.UUID+"/test", other.Token, nil).ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)
		srv.Get("/api/webhooks/"+w.UUID+"/deliveries", other.Token).ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)
		srv.Post("/api/webhooks/"+w.UUID+"/deliveries/0190a0b0-0000-7000-8000-000000000000/redeliver", other.Token, nil).
			ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)
		srv.Post("/api/webhooks/"+w.UUID+"/deliveries/0190a0b0-0000-7000-8000-000000000000/redeliver", label.Token, nil).
			ExpectError(t, http.StatusNotFound, "webhook_delivery_not_found", "Webhook delivery not found.")
		srv.Get("/api/webhooks/not-a-uuid", label.Token).ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)

		srv.Delete("/api/webhooks/"+w.UUID, label.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/webhooks/"+w.UUID, label.Token).ExpectError(t, http.StatusNotFound, "webhook_not_found", notFound)
	}, allowPrivate)
}

func TestWebhookLimit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Hook Limit Label")
		// The free plan allows one subscription.
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": "http://127.0.0.1:9/free", "events": []string{"*"}}).
			ExpectStatus(t, http.StatusCreated)
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": "http://127.0.0.1:9/free2", "events": []string{"*"}}).
			ExpectError(t, http.StatusUnprocessableEntity, "plan_limit_reached", "Your plan allows 1 webhook subscription. Upgrade your plan to add more.")
		var list []webhookData
		srv.Get("/api/webhooks", label.Token).Data(t, http.StatusOK, &list)
		srv.Delete("/api/webhooks/"+list[0].UUID, label.Token).ExpectStatus(t, http.StatusOK)
		srv.SetPlan(t, label.TenantUUID, "label")
		var first webhookData
		for i := range 25 {
			var w webhookData
			srv.Post("/api/webhooks", label.Token, map[string]any{"url": fmt.Sprintf("http://127.0.0.1:9/h%d", i), "events": []string{"*"}}).
				Data(t, http.StatusCreated, &w)
			if i == 0 {
				first = w
			}
		}
		const limit = "Webhook subscription limit (25) reached."
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": "http://127.0.0.1:9/x", "events": []string{"*"}}).
			ExpectError(t, http.StatusUnprocessableEntity, "webhook_limit", limit)
		// A disabled subscription does not count; re-enabling it does.
		srv.Patch("/api/webhooks/"+first.UUID, label.Token, map[string]any{"is_active": false}).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": "http://127.0.0.1:9/y", "events": []string{"*"}}).
			ExpectStatus(t, http.StatusCreated)
		srv.Patch("/api/webhooks/"+first.UUID, label.Token, map[string]any{"is_active": true}).
			ExpectError(t, http.StatusUnprocessableEntity, "webhook_limit", limit)
	}, allowPrivate)
}

func TestWebhookRefusesPrivateAddresses(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "SSRF Label")
		for _, u := range []string{"http://127.0.0.1/hook", "http://10.1.2.3/hook", "http://[::1]:8080/", "http://169.254.169.254/latest",
			"http://100.64.0.1/", "http://198.18.0.1/", "http://[64:ff9b::a00:1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
			"http://224.0.0.1/", "http://localhost:8080/", "http://2130706433/"} {
			e := srv.Post("/api/webhooks", label.Token, map[string]any{"url": u, "events": []string{"*"}}).
				ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
			if len(e.Errors["url"]) != 1 {
				t.Errorf("%s: errors = %v", u, e.Errors)
			}
		}
		// A public address is accepted (no connection is made at creation).
		var w webhookData
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": "https://93.184.215.14/hook", "events": []string{"*"}}).
			Data(t, http.StatusCreated, &w)
		srv.Patch("/api/webhooks/"+w.UUID, label.Token, map[string]any{"url": "http://192.168.1.1/"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
	})
}

func TestWebhookDeliverySignedTwice(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Signed Label")
		rc := newReceiver(t, http.StatusOK)
		var w webhookData
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": rc.URL + "/hook", "events": []string{"release.created", "webhook.test"}}).
			Data(t, http.StatusCreated, &w)
		artist := srv.Artist(t, label.Token, "Nina Blue")
		rel := srv.Release(t, label.Token, artist, nil)

		got := rc.wait(t, 1)[0]
		now := time.Now()
		if err := webhook.VerifyToneGrid(w.Secret, got.header, got.body, now); err != nil {
			t.Errorf("X-ToneGrid-Signature: %v (%v)", err, got.header)
		}
		if err := webhook.VerifyStandard(w.Secret, got.header, got.body, now); err != nil {
			t.Errorf("webhook-signature: %v", err)
		}
		ev, err := webhook.DecodeEvent(got.body)
		if err != nil || ev.Type != "release.created" || ev.TenantUUID != label.TenantUUID || !strings.Contains(string(ev.Data), rel.UUID) ||
			got.header.Get("webhook-id") != ev.ID {
			t.Errorf("event = %+v, %v; webhook-id %q", ev, err, got.header.Get("webhook-id"))
		}
		d := waitDelivery(t, srv, label.Token, w.UUID, func(d deliveryData) bool { return d.Status == "delivered" })
		if d.Attempts != 1 || d.ResponseCode == nil || *d.ResponseCode != 200 || d.DurationMS == nil || d.EventID != ev.ID {
			t.Errorf("delivery = %+v", d)
		}

		// Manual redelivery sends the same body with the same webhook-id.
		var again deliveryData
		srv.Post("/api/webhooks/"+w.UUID+"/deliveries/"+d.UUID+"/redeliver", label.Token, nil).Data(t, http.StatusAccepted, &again)
		second := rc.wait(t, 2)[1]
		if string(second.body) != string(got.body) || second.header.Get("webhook-id") != ev.ID {
			t.Errorf("redelivery: %s, id %q", second.body, second.header.Get("webhook-id"))
		}

		// A test event goes to this subscription.
		var test deliveryData
		srv.Post("/api/webhooks/"+w.UUID+"/test", label.Token, nil).Data(t, http.StatusAccepted, &test)
		third := rc.wait(t, 3)[2]
		if tev, err := webhook.DecodeEvent(third.body); err != nil || tev.Type != "webhook.test" || test.EventType != "webhook.test" {
			t.Errorf("test event = %+v, %v", tev, err)
		}

		// Events the subscription does not select are not sent.
		srv.Delete("/api/releases/"+rel.UUID, label.Token).ExpectStatus(t, http.StatusOK)
		time.Sleep(500 * time.Millisecond)
		if n := len(rc.wait(t, 3)); n != 3 {
			t.Errorf("receiver got %d requests, want 3", n)
		}
	}, allowPrivate)
}

func TestWebhookGoneDisables(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Gone Label")
		rc := newReceiver(t, http.StatusGone)
		var w webhookData
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": rc.URL, "events": []string{"*"}}).Data(t, http.StatusCreated, &w)
		srv.Post("/api/webhooks/"+w.UUID+"/test", label.Token, nil).ExpectStatus(t, http.StatusAccepted)
		d := waitDelivery(t, srv, label.Token, w.UUID, func(d deliveryData) bool { return d.Status == "failed" })
		if d.Attempts != 1 || *d.ResponseCode != 410 {
			t.Errorf("delivery = %+v", d)
		}
		var got webhookData
		srv.Get("/api/webhooks/"+w.UUID, label.Token).Data(t, http.StatusOK, &got)
		if got.IsActive || got.DisabledReason == "" {
			t.Errorf("subscription after 410 = %+v", got)
		}
	}, allowPrivate)
}

// fakeClock is a delivery clock the test moves.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time  { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) set(t time.Time) { c.ns.Store(t.UnixNano()) }
func (c *fakeClock) option() apptest.Option {
	return apptest.WithConfig(func(cfg *app.Config) { cfg.WebhookClock = c.now })
}

func TestWebhookRetriesForThreeDaysThenDisables(t *testing.T) {
	for _, d := range sqltest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{}
			clock.set(time.Now())
			retryScenario(t, apptest.New(t, d, allowPrivate, clock.option()), clock)
		})
	}
}

// retryScenario fails every attempt, moving the clock to each next attempt,
// until the 3-day window closes.
func retryScenario(t *testing.T, srv *apptest.Server, clock *fakeClock) {
	label := srv.Label(t, "Retry Label")
	rc := newReceiver(t, http.StatusInternalServerError)
	var w webhookData
	srv.Post("/api/webhooks", label.Token, map[string]any{"url": rc.URL, "events": []string{"webhook.test"}}).Data(t, http.StatusCreated, &w)
	start := clock.now()
	srv.Post("/api/webhooks/"+w.UUID+"/test", label.Token, nil).ExpectStatus(t, http.StatusAccepted)
	attempts := 0
	var last time.Time
	for {
		d := waitDelivery(t, srv, label.Token, w.UUID, func(d deliveryData) bool {
			return d.Attempts > attempts && (d.NextAttemptAt != nil || d.Status == "failed")
		})
		attempts = d.Attempts
		if d.Status == "failed" {
			break
		}
		next := *d.NextAttemptAt
		if gap := next.Sub(clock.now()); gap < webhook.MinRetryDelay || gap > webhook.MaxRetryDelay {
			t.Errorf("attempt %d: next attempt in %v", attempts, gap)
		}
		if next.Before(last) {
			t.Errorf("attempt %d scheduled before the previous one", attempts)
		}
		last = next
		clock.set(next)
		if attempts > 60 {
			t.Fatalf("still retrying after %d attempts", attempts)
		}
	}
	if elapsed := clock.now().Sub(start); elapsed < webhook.RetryWindow-time.Minute || elapsed > webhook.RetryWindow+time.Minute {
		t.Errorf("gave up after %v, want 72h", elapsed)
	}
	got := rc.wait(t, attempts)
	ids := map[string]bool{}
	for _, g := range got {
		ids[g.header.Get("webhook-id")] = true
	}
	if len(got) != attempts || len(ids) != 1 {
		t.Errorf("%d requests for %d attempts, %d distinct webhook-ids", len(got), attempts, len(ids))
	}
	var after webhookData
	srv.Get("/api/webhooks/"+w.UUID, label.Token).Data(t, http.StatusOK, &after)
	if after.IsActive || after.DisabledReason == "" {
		t.Errorf("subscription = %+v", after)
	}
	m := srv.WaitMail(t, label.Email, func(m apptest.Mail) bool { return strings.Contains(m.Text, rc.URL) })
	if m.To == "" {
		t.Error("no mail to the admin")
	}
}

// TestWebhookDispatchExactlyOnce runs the outbox dispatcher from several
// goroutines at once beside the periodic one: each event gets exactly one
// delivery per matching subscription, and none for the others.
func TestWebhookDispatchExactlyOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Once Label")
		srv.SetPlan(t, label.TenantUUID, "label")
		rc := newReceiver(t, http.StatusNoContent)
		other := newReceiver(t, http.StatusNoContent)
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": rc.URL, "events": []string{"release.created"}}).ExpectStatus(t, http.StatusCreated)
		srv.Post("/api/webhooks", label.Token, map[string]any{"url": other.URL, "events": []string{"ingestion.*"}}).ExpectStatus(t, http.StatusCreated)
		artist := srv.Artist(t, label.Token, "Nina Blue")
		releases := make([]any, 30)
		for i := range releases {
			releases[i] = withoutNil(bulkRelease(artist, false, 1))
		}
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for after := 0; after < 5; {
					select {
					case <-stop:
						after++
					default:
					}
					if _, err := srv.DB.DispatchEvents(t.Context(), 7); err != nil {
						t.Errorf("dispatch: %v", err)
						return
					}
				}
			}()
		}
		srv.Post("/api/ingestion/bulk", label.Token, map[string]any{"releases": releases}).ExpectStatus(t, http.StatusOK)
		close(stop)
		wg.Wait()
		got := rc.wait(t, 30)
		time.Sleep(500 * time.Millisecond)
		got = rc.wait(t, 30)
		ids := map[string]bool{}
		for _, g := range got {
			ids[g.header.Get("webhook-id")] = true
		}
		if len(got) != 30 || len(ids) != 30 {
			t.Errorf("%d deliveries, %d distinct events; want 30", len(got), len(ids))
		}
		var n int
		if err := srv.DB.WriteDB().QueryRow(`SELECT COUNT(*) FROM webhook_deliveries`).Scan(&n); err != nil || n != 30 {
			t.Errorf("%d delivery rows, %v", n, err)
		}
		other.mu.Lock()
		if len(other.got) != 0 {
			t.Errorf("the ingestion.* subscription got %d deliveries", len(other.got))
		}
		other.mu.Unlock()
	}, allowPrivate)
}
