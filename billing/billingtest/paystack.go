package billingtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Paystack is a fake of Paystack's transactions API: POST
// /transaction/initialize (JSON, bearer secret key, amount in the minor
// unit) and GET /transaction/verify/{reference}.
type Paystack struct {
	fake
	// Key is the secret key the fake accepts.
	Key          string
	transactions map[string]map[string]any
	nextID       int64
}

// NewPaystack starts a fake Paystack that accepts key; it stops when t ends.
func NewPaystack(t testing.TB, key string) *Paystack {
	t.Helper()
	p := &Paystack{Key: key, transactions: map[string]map[string]any{}, nextID: 4099260516}
	p.start(t, p.serve)
	return p
}

// paystackReference is what Paystack accepts as a reference.
var paystackReference = regexp.MustCompile(`^[A-Za-z0-9.=-]{1,100}$`)

// paystackError answers Paystack's error shape.
func paystackError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"status": false, "message": message, "code": code, "type": "api_error"})
}

func (p *Paystack) serve(w http.ResponseWriter, r *http.Request, req Request, mode Mode) {
	switch mode {
	case Decline:
		paystackError(w, http.StatusBadRequest, "invalid_params", "Currency not supported by merchant")
		return
	case ServerError:
		paystackError(w, http.StatusInternalServerError, "unknown", "An error occurred")
		return
	case Malformed:
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+p.Key {
		paystackError(w, http.StatusUnauthorized, "invalid_key", "Invalid key")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/transaction/initialize":
		p.initialize(w, r, req)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/transaction/verify/"):
		ref := strings.TrimPrefix(r.URL.Path, "/transaction/verify/")
		p.mu.Lock()
		tx, ok := p.transactions[ref]
		var b []byte
		if ok {
			b, _ = json.Marshal(map[string]any{"status": true, "message": "Verification successful", "data": tx})
		}
		p.mu.Unlock()
		if !ok {
			paystackError(w, http.StatusNotFound, "transaction_not_found", "Transaction reference not found")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	default:
		paystackError(w, http.StatusNotFound, "not_found", "Route not found")
	}
}

// initialize checks an initialize request as Paystack would and stores the
// transaction, abandoned until paid.
func (p *Paystack) initialize(w http.ResponseWriter, r *http.Request, req Request) {
	if r.Header.Get("Content-Type") != "application/json" || req.JSON == nil {
		paystackError(w, http.StatusBadRequest, "invalid_params", "Invalid JSON body")
		return
	}
	email, _ := req.JSON["email"].(string)
	ref, _ := req.JSON["reference"].(string)
	currency, _ := req.JSON["currency"].(string)
	var amount int64
	var err error
	switch a := req.JSON["amount"].(type) {
	case string:
		amount, err = strconv.ParseInt(a, 10, 64)
	case float64:
		amount = int64(a)
		if float64(amount) != a {
			err = fmt.Errorf("amount %v is not an integer", a)
		}
	default:
		err = fmt.Errorf("amount missing")
	}
	switch {
	case email == "" || !strings.Contains(email, "@"):
		paystackError(w, http.StatusBadRequest, "invalid_params", "Invalid Email Address Passed")
		return
	case err != nil || amount <= 0:
		paystackError(w, http.StatusBadRequest, "invalid_params", "Invalid Amount Sent")
		return
	case !paystackReference.MatchString(ref):
		paystackError(w, http.StatusBadRequest, "invalid_params", "Invalid transaction reference")
		return
	}
	if currency == "" {
		currency = "NGN"
	}
	p.mu.Lock()
	if _, dup := p.transactions[ref]; dup {
		p.mu.Unlock()
		paystackError(w, http.StatusBadRequest, "duplicate_reference", "Duplicate Transaction Reference")
		return
	}
	p.nextID++
	code := fmt.Sprintf("ac%012d", p.nextID)
	p.transactions[ref] = map[string]any{
		"id": p.nextID, "domain": "test", "status": "abandoned", "reference": ref, "amount": amount,
		"currency": currency, "gateway_response": "The transaction was not completed", "paid_at": nil,
		"created_at": time.Now().UTC().Format(time.RFC3339), "channel": "card", "metadata": req.JSON["metadata"],
		"customer": map[string]any{"email": email}, "requested_amount": amount,
	}
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"status": true, "message": "Authorization URL created", "data": map[string]any{
		"authorization_url": "https://checkout.paystack.test/" + code, "access_code": code, "reference": ref,
	}})
}

// update changes a transaction's fields.
func (p *Paystack) update(ref string, fields map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, v := range fields {
		p.transactions[ref][k] = v
	}
}

// Pay completes the transaction with ref.
func (p *Paystack) Pay(ref string) {
	p.update(ref, map[string]any{"status": "success", "gateway_response": "Successful", "paid_at": time.Now().UTC().Format(time.RFC3339)})
}

// Fail makes the transaction with ref fail.
func (p *Paystack) Fail(ref string) {
	p.update(ref, map[string]any{"status": "failed", "gateway_response": "Declined"})
}

// Tamper changes what the transaction with ref says was charged.
func (p *Paystack) Tamper(ref string, amount int64, currency string) {
	p.update(ref, map[string]any{"amount": amount, "currency": currency})
}

// Event returns the body of a Paystack charge.success event about the
// transaction with ref, as Paystack would post it.
func (p *Paystack) Event(ref string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, _ := json.Marshal(map[string]any{"event": "charge.success", "data": p.transactions[ref]})
	return b
}
