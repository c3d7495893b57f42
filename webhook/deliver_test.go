package webhook_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"tonegrid/webhook"
)

// received is one request a test receiver saw.
type received struct {
	header http.Header
	body   []byte
}

// recorder is a receiver that keeps what it is sent and answers with a
// fixed status and body.
type recorder struct {
	mu       sync.Mutex
	requests []received
	status   int
	reply    string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.requests = append(rec.requests, received{r.Header.Clone(), body})
	rec.mu.Unlock()
	w.WriteHeader(rec.status)
	io.WriteString(w, rec.reply)
}

// seen returns the requests received so far.
func (rec *recorder) seen() []received {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]received(nil), rec.requests...)
}

// newReceiver starts a receiver answering status and reply.
func newReceiver(t *testing.T, status int, reply string) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{status: status, reply: reply}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return srv, rec
}

// testBody encodes testEvent, the bytes deliveries send.
func testBody(t *testing.T) []byte {
	t.Helper()
	body, err := testEvent().Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return body
}

// localClient is a delivery client allowed to reach httptest's loopback
// receivers.
func localClient() *http.Client {
	return webhook.NewClient(webhook.Options{AllowPrivate: true})
}

func TestDeliverReceiverVerifiesBothSignatures(t *testing.T) {
	srv, rec := newReceiver(t, http.StatusNoContent, "")
	secret := webhook.NewSecret()
	body := testBody(t)
	id := testEvent().ID
	first := time.Now().Add(-time.Minute)
	second := time.Now()

	for _, ts := range []time.Time{first, second} {
		res := webhook.Deliver(context.Background(), localClient(), srv.URL+"/hooks", secret, id, ts, body)
		if res.Err != nil || res.StatusCode != http.StatusNoContent || res.Outcome() != webhook.OutcomeDelivered {
			t.Fatalf("Deliver = %+v (outcome %v), want 204 delivered", res, res.Outcome())
		}
	}

	reqs := rec.seen()
	if len(reqs) != 2 {
		t.Fatalf("receiver saw %d requests, want 2", len(reqs))
	}
	for i, req := range reqs {
		ts := []time.Time{first, second}[i]
		if string(req.body) != string(body) {
			t.Errorf("attempt %d: body %q, want the encoded event %q", i, req.body, body)
		}
		if err := webhook.VerifyToneGrid(secret, req.header, req.body, ts); err != nil {
			t.Errorf("attempt %d: X-ToneGrid-Signature: %v", i, err)
		}
		if err := webhook.VerifyStandard(secret, req.header, req.body, ts); err != nil {
			t.Errorf("attempt %d: webhook-signature: %v", i, err)
		}
		if got := req.header.Get("webhook-id"); got != id {
			t.Errorf("attempt %d: webhook-id %q, want %q on every attempt", i, got, id)
		}
		if got := req.header.Get("Content-Type"); got != "application/json" {
			t.Errorf("attempt %d: Content-Type %q", i, got)
		}
		if err := webhook.VerifyStandard(webhook.NewSecret(), req.header, req.body, ts); !errors.Is(err, webhook.ErrSignatureMismatch) {
			t.Errorf("attempt %d: verifying with another secret = %v, want ErrSignatureMismatch", i, err)
		}
	}
	if reqs[0].header.Get("webhook-timestamp") == reqs[1].header.Get("webhook-timestamp") {
		t.Errorf("both attempts carry timestamp %s; each attempt signs its own time", reqs[0].header.Get("webhook-timestamp"))
	}
}

func TestDeliverOutcomes(t *testing.T) {
	for _, tc := range []struct {
		status int
		reply  string
		want   webhook.Outcome
	}{
		{http.StatusOK, "ok", webhook.OutcomeDelivered},
		{http.StatusAccepted, "", webhook.OutcomeDelivered},
		{http.StatusGone, "unsubscribed", webhook.OutcomeDisable},
		{http.StatusNotFound, "no such hook", webhook.OutcomeRetry},
		{http.StatusTooManyRequests, "slow down", webhook.OutcomeRetry},
		{http.StatusInternalServerError, "boom", webhook.OutcomeRetry},
		{http.StatusNotModified, "", webhook.OutcomeRetry},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv, _ := newReceiver(t, tc.status, tc.reply)
			res := webhook.Deliver(context.Background(), localClient(), srv.URL, webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
			if res.Err != nil || res.StatusCode != tc.status || res.Outcome() != tc.want {
				t.Errorf("Deliver = %+v (outcome %v), want status %d, outcome %v", res, res.Outcome(), tc.status, tc.want)
			}
			if res.ResponseSnippet != tc.reply {
				t.Errorf("snippet %q, want %q", res.ResponseSnippet, tc.reply)
			}
		})
	}
}

func TestDeliverBoundsResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, strings.Repeat("é", 1<<20)) // 2 MiB, two bytes a character
	}))
	t.Cleanup(srv.Close)
	res := webhook.Deliver(context.Background(), localClient(), srv.URL, webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("Deliver = %+v, want status 500", res)
	}
	if want := strings.Repeat("é", webhook.SnippetLength/2); res.ResponseSnippet != want {
		t.Errorf("snippet is %d bytes (%q…), want %d bytes of é", len(res.ResponseSnippet), res.ResponseSnippet[:8], len(want))
	}
}

func TestDeliverDoesNotFollowRedirects(t *testing.T) {
	target, targetRec := newReceiver(t, http.StatusOK, "")
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusFound)
	}))
	t.Cleanup(redirect.Close)

	res := webhook.Deliver(context.Background(), localClient(), redirect.URL, webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
	if res.Err != nil || res.StatusCode != http.StatusFound || res.Outcome() != webhook.OutcomeRetry {
		t.Errorf("Deliver = %+v (outcome %v), want 302 and retry", res, res.Outcome())
	}
	if n := len(targetRec.seen()); n != 0 {
		t.Errorf("redirect target received %d requests, want 0", n)
	}
}

func TestDeliverTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	client := webhook.NewClient(webhook.Options{AllowPrivate: true, Timeout: 50 * time.Millisecond})
	res := webhook.Deliver(context.Background(), client, srv.URL, webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
	var netErr net.Error
	if !errors.As(res.Err, &netErr) || !netErr.Timeout() {
		t.Errorf("Deliver to a silent receiver = %+v, want a timeout error", res)
	}
	if res.StatusCode != 0 || res.Outcome() != webhook.OutcomeRetry {
		t.Errorf("Deliver = %+v (outcome %v), want no status and retry", res, res.Outcome())
	}
}

func TestDeliverConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	res := webhook.Deliver(context.Background(), localClient(), "http://"+addr+"/", webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
	if res.Err == nil || res.StatusCode != 0 || res.Outcome() != webhook.OutcomeRetry {
		t.Errorf("Deliver to a closed port = %+v (outcome %v), want an error and retry", res, res.Outcome())
	}
}

func TestDeliverBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, url, secret, id string
		want                  error
	}{
		{"bad secret", "http://127.0.0.1:1/", "whsec_short", "evt_1", webhook.ErrInvalidSecret},
		{"bad id", "http://127.0.0.1:1/", webhook.NewSecret(), "evt.1", webhook.ErrInvalidMessageID},
		{"bad url", "http://[::1/", webhook.NewSecret(), "evt_1", webhook.ErrInvalidURL},
		{"user info", "http://user:pw@127.0.0.1:1/", webhook.NewSecret(), "evt_1", webhook.ErrInvalidURL},
		{"not http", "ftp://127.0.0.1:1/", webhook.NewSecret(), "evt_1", webhook.ErrInvalidURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := webhook.Deliver(context.Background(), localClient(), tc.url, tc.secret, tc.id, time.Now(), []byte("{}"))
			if !errors.Is(res.Err, tc.want) || res.Outcome() != webhook.OutcomeRetry {
				t.Errorf("Deliver = %+v, want error %v", res, tc.want)
			}
		})
	}
}

// receiverPort returns the port of a httptest server.
func receiverPort(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

// The client resolves names itself, through the configured resolver, and
// connects to the addresses it got.
func TestClientUsesResolver(t *testing.T) {
	srv, rec := newReceiver(t, http.StatusOK, "")
	resolver := newFakeResolver(map[string][][]string{"receiver.test": {{"127.0.0.1"}}})
	client := webhook.NewClient(webhook.Options{AllowPrivate: true, Resolver: resolver})
	res := webhook.Deliver(context.Background(), client, "http://receiver.test:"+receiverPort(t, srv)+"/", webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
	if res.Err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("Deliver = %+v, want 200", res)
	}
	if len(rec.seen()) != 1 || resolver.lookups("receiver.test") != 1 {
		t.Errorf("receiver saw %d requests after %d lookups, want 1 and 1", len(rec.seen()), resolver.lookups("receiver.test"))
	}
}

// A name that is public when the subscription is saved and loopback when
// the delivery connects (DNS rebinding) is refused at dial time.
func TestClientRefusesDNSRebinding(t *testing.T) {
	srv, rec := newReceiver(t, http.StatusOK, "")
	resolver := newFakeResolver(map[string][][]string{
		"rebind.example.com": {{"93.184.215.14"}, {"127.0.0.1"}},
	})
	opts := webhook.Options{Resolver: resolver}
	target := "http://rebind.example.com:" + receiverPort(t, srv) + "/hook"

	if err := webhook.CheckURL(context.Background(), target, opts); err != nil {
		t.Fatalf("CheckURL while the name is public = %v, want nil", err)
	}
	res := webhook.Deliver(context.Background(), webhook.NewClient(opts), target, webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
	if !errors.Is(res.Err, webhook.ErrBlockedAddress) || res.Outcome() != webhook.OutcomeRetry {
		t.Errorf("Deliver after rebinding = %+v, want ErrBlockedAddress and retry", res)
	}
	if n := len(rec.seen()); n != 0 {
		t.Errorf("the loopback receiver got %d requests, want 0", n)
	}
	if n := resolver.lookups("rebind.example.com"); n != 2 {
		t.Errorf("name looked up %d times, want 2 (creation and dial)", n)
	}
}

// Without AllowPrivate the client refuses every non-public target, literal
// or resolved, before any byte is sent.
func TestClientRefusesPrivateTargets(t *testing.T) {
	srv, rec := newReceiver(t, http.StatusOK, "")
	port := receiverPort(t, srv)
	resolver := newFakeResolver(map[string][][]string{
		"loopback.example.com": {{"127.0.0.1"}},
		"mixed.example.com":    {{"93.184.215.14", "127.0.0.1"}},
	})
	client := webhook.NewClient(webhook.Options{Resolver: resolver})
	for _, target := range []string{
		srv.URL,
		"http://localhost:" + port + "/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://loopback.example.com:" + port + "/",
		"http://mixed.example.com:" + port + "/",
	} {
		res := webhook.Deliver(context.Background(), client, target, webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
		if !errors.Is(res.Err, webhook.ErrBlockedAddress) {
			t.Errorf("Deliver(%s) = %+v, want ErrBlockedAddress", target, res)
		}
	}
	if n := len(rec.seen()); n != 0 {
		t.Errorf("the loopback receiver got %d requests, want 0", n)
	}
}

// A proxy would connect on the client's behalf, past the address checks, so
// the client uses none, whatever HTTP_PROXY says.
func TestClientUsesNoProxy(t *testing.T) {
	for _, allowPrivate := range []bool{false, true} {
		transport, ok := webhook.NewClient(webhook.Options{AllowPrivate: allowPrivate}).Transport.(*http.Transport)
		if !ok || transport.Proxy != nil {
			t.Errorf("NewClient(AllowPrivate: %v) transport %T with a proxy function, want *http.Transport without", allowPrivate, transport)
		}
	}
}

func TestResultOutcome(t *testing.T) {
	for _, tc := range []struct {
		res  webhook.Result
		want webhook.Outcome
	}{
		{webhook.Result{StatusCode: 200}, webhook.OutcomeDelivered},
		{webhook.Result{StatusCode: 299}, webhook.OutcomeDelivered},
		{webhook.Result{StatusCode: 410}, webhook.OutcomeDisable},
		{webhook.Result{StatusCode: 199}, webhook.OutcomeRetry},
		{webhook.Result{StatusCode: 300}, webhook.OutcomeRetry},
		{webhook.Result{StatusCode: 301}, webhook.OutcomeRetry},
		{webhook.Result{StatusCode: 308}, webhook.OutcomeRetry},
		{webhook.Result{StatusCode: 400}, webhook.OutcomeRetry},
		{webhook.Result{StatusCode: 404}, webhook.OutcomeRetry},
		{webhook.Result{StatusCode: 503}, webhook.OutcomeRetry},
		{webhook.Result{}, webhook.OutcomeRetry},
		{webhook.Result{Err: errors.New("refused")}, webhook.OutcomeRetry},
	} {
		if got := tc.res.Outcome(); got != tc.want {
			t.Errorf("%+v.Outcome() = %v, want %v", tc.res, got, tc.want)
		}
	}
}

func TestDeliverSnippetIsValidUTF8(t *testing.T) {
	srv, _ := newReceiver(t, http.StatusBadRequest, "bad \xff\xfe input")
	res := webhook.Deliver(context.Background(), localClient(), srv.URL, webhook.NewSecret(), "evt_1", time.Now(), testBody(t))
	if want := "bad \uFFFD input"; res.ResponseSnippet != want {
		t.Errorf("snippet %q, want %q", res.ResponseSnippet, want)
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[webhook.Outcome]string{
		webhook.OutcomeDelivered: "delivered",
		webhook.OutcomeRetry:     "retry",
		webhook.OutcomeDisable:   "disable",
		webhook.Outcome(9):       "Outcome(9)",
	} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", int(o), got, want)
		}
	}
}
