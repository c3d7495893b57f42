package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tonegrid"
)

// Paystack talks to Paystack's API: transaction initialize and verify, with
// JSON bodies and the secret key as bearer token. Amounts are integers in
// the currency's minor unit (kobo, pesewas, cents).
type Paystack struct {
	base   string
	key    string
	client *http.Client
}

// NewPaystack returns a client of the API at base ("https://api.paystack.co")
// with secretKey; an empty key makes every call fail with ErrNotConfigured.
// timeout bounds each call (0 means DefaultTimeout).
func NewPaystack(base, secretKey string, timeout time.Duration) *Paystack {
	return &Paystack{base: strings.TrimRight(base, "/"), key: secretKey, client: newClient(timeout)}
}

// Name implements Provider.
func (p *Paystack) Name() string { return tonegrid.ProviderPaystack }

// paystackEnvelope is the shape of every Paystack answer.
type paystackEnvelope struct {
	Status  bool            `json:"status"`
	Message string          `json:"message"`
	Code    string          `json:"code"`
	Data    json.RawMessage `json:"data"`
}

// paystackTransaction is the part of a transaction ToneGrid reads, in
// verify answers and charge events alike.
type paystackTransaction struct {
	ID        json.Number `json:"id"`
	Status    string      `json:"status"`
	Reference string      `json:"reference"`
	Amount    *int64      `json:"amount"`
	Currency  string      `json:"currency"`
}

// payment is what the transaction says about its payment. Only "success"
// is paid; "failed" and "reversed" are failures; "abandoned" (the status
// of a transaction nobody has paid yet), "ongoing", "pending" and the rest
// are pending.
func (t *paystackTransaction) payment() Payment {
	p := Payment{Reference: t.Reference, Currency: strings.ToUpper(t.Currency), Status: tonegrid.PaymentPending, Detail: t.Status}
	if t.Amount != nil {
		p.AmountMinor = *t.Amount
	}
	switch t.Status {
	case "success":
		p.Status = tonegrid.PaymentPaid
	case "failed", "reversed":
		p.Status = tonegrid.PaymentFailed
	}
	return p
}

// Initialize starts a transaction with ToneGrid's reference, so that the
// provider's reference is ours.
func (p *Paystack) Initialize(ctx context.Context, req InitRequest) (InitResult, error) {
	c := p.call("initialize", http.MethodPost, "/transaction/initialize")
	if p.key == "" {
		return InitResult{}, c.fail(0, "", ErrNotConfigured)
	}
	meta := map[string]string{}
	for k, v := range req.Metadata {
		meta[k] = v
	}
	if req.CancelURL != "" {
		meta["cancel_action"] = req.CancelURL
	}
	body, err := json.Marshal(struct {
		Email       string            `json:"email"`
		Amount      string            `json:"amount"`
		Currency    string            `json:"currency"`
		Reference   string            `json:"reference"`
		CallbackURL string            `json:"callback_url,omitempty"`
		Metadata    map[string]string `json:"metadata,omitempty"`
	}{req.Email, strconv.FormatInt(req.AmountMinor, 10), req.Currency, req.Reference, req.ReturnURL, meta})
	if err != nil {
		return InitResult{}, c.fail(0, "", fmt.Errorf("encode request: %w", err))
	}
	c.contentType = "application/json"
	c.body = body
	var data struct {
		AuthorizationURL string `json:"authorization_url"`
		AccessCode       string `json:"access_code"`
		Reference        string `json:"reference"`
	}
	if err := p.exchange(ctx, c, &data); err != nil {
		return InitResult{}, err
	}
	if data.Reference != req.Reference || !isHTTPURL(data.AuthorizationURL) {
		return InitResult{}, c.fail(http.StatusOK, fmt.Sprintf("reference %q, authorization_url %q", data.Reference, data.AuthorizationURL), ErrMalformedAnswer)
	}
	return InitResult{AuthorizationURL: data.AuthorizationURL, ProviderRef: data.Reference}, nil
}

// Lookup verifies the transaction with reference.
func (p *Paystack) Lookup(ctx context.Context, reference string) (Payment, error) {
	c := p.call("lookup", http.MethodGet, "/transaction/verify/"+url.PathEscape(reference))
	if p.key == "" {
		return Payment{}, c.fail(0, "", ErrNotConfigured)
	}
	var tx paystackTransaction
	if err := p.exchange(ctx, c, &tx); err != nil {
		return Payment{}, err
	}
	if tx.Reference != reference || tx.Amount == nil {
		return Payment{}, c.fail(http.StatusOK, fmt.Sprintf("asked for %q, got reference %q", reference, tx.Reference), ErrMalformedAnswer)
	}
	return tx.payment(), nil
}

// call prepares a request to path.
func (p *Paystack) call(op, method, path string) call {
	return call{provider: tonegrid.ProviderPaystack, op: op, method: method, url: p.base + path, auth: "Bearer " + p.key}
}

// exchange runs c and decodes the data of a successful answer into v. An
// answer with status false, or a non-2xx status, is a *ProviderError; a
// transaction Paystack does not know (404, or code transaction_not_found)
// wraps ErrUnknownPayment.
func (p *Paystack) exchange(ctx context.Context, c call, v any) error {
	status, body, err := c.do(ctx, p.client)
	if err != nil {
		return err
	}
	var env paystackEnvelope
	jsonErr := json.Unmarshal(body, &env)
	if status < 200 || status > 299 || (jsonErr == nil && !env.Status) {
		if jsonErr == nil && (env.Code == "transaction_not_found" || status == http.StatusNotFound && !env.Status) {
			return c.fail(status, string(body), ErrUnknownPayment)
		}
		return c.fail(status, string(body), fmt.Errorf("paystack error: %s", clip(env.Message, 200)))
	}
	if jsonErr != nil {
		return c.fail(status, string(body), fmt.Errorf("%w: %v", ErrMalformedAnswer, jsonErr))
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		return c.fail(status, string(body), fmt.Errorf("%w: data: %v", ErrMalformedAnswer, err))
	}
	return nil
}
