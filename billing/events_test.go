package billing_test

import (
	"testing"

	"tonegrid"
	"tonegrid/billing"
)

func TestParseStripeEvent(t *testing.T) {
	session := func(status, paymentStatus string) string {
		return `{"id":"cs_test_1","object":"checkout.session","client_reference_id":"tgp-1","amount_total":1999,"currency":"usd",` +
			`"status":"` + status + `","payment_status":"` + paymentStatus + `","metadata":{"reference":"tgp-1"}}`
	}
	event := func(typ, object string) string {
		return `{"id":"evt_1","object":"event","type":"` + typ + `","data":{"object":` + object + `}}`
	}
	for _, tt := range []struct {
		name   string
		body   string
		ok     bool
		status tonegrid.PaymentStatus
		err    bool
	}{
		{"completed and paid", event("checkout.session.completed", session("complete", "paid")), true, tonegrid.PaymentPaid, false},
		{"completed, payment processing", event("checkout.session.completed", session("complete", "unpaid")), false, "", false},
		{"async succeeded", event("checkout.session.async_payment_succeeded", session("complete", "paid")), true, tonegrid.PaymentPaid, false},
		{"async failed", event("checkout.session.async_payment_failed", session("complete", "unpaid")), true, tonegrid.PaymentFailed, false},
		{"expired", event("checkout.session.expired", session("expired", "unpaid")), true, tonegrid.PaymentFailed, false},
		{"other type", event("invoice.paid", `{"id":"in_1"}`), false, "", false},
		{"reference in metadata only", event("checkout.session.completed",
			`{"id":"cs_test_1","amount_total":1999,"currency":"usd","payment_status":"paid","metadata":{"reference":"tgp-1"}}`), true, tonegrid.PaymentPaid, false},
		{"not ours", event("checkout.session.completed", `{"id":"cs_test_1","amount_total":1,"currency":"usd","payment_status":"paid"}`), false, "", false},
		{"no event id", `{"type":"checkout.session.completed","data":{"object":{}}}`, false, "", true},
		{"not JSON", `{"id":`, false, "", true},
		{"object of the wrong shape", event("checkout.session.completed", `[1,2]`), false, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, ok, err := billing.ParseStripeEvent([]byte(tt.body))
			if (err != nil) != tt.err || ok != tt.ok {
				t.Fatalf("ok=%v err=%v, want ok=%v err=%v", ok, err, tt.ok, tt.err)
			}
			if !ok {
				return
			}
			want := tonegrid.PaymentReport{Provider: "stripe", EventID: "evt_1", Reference: "tgp-1", Status: tt.status, AmountMinor: 1999, Currency: "USD"}
			if r.Provider != want.Provider || r.EventID != want.EventID || r.Reference != want.Reference || r.Status != want.Status ||
				r.AmountMinor != want.AmountMinor || r.Currency != want.Currency || r.EventType == "" {
				t.Errorf("report = %+v, want %+v", r, want)
			}
		})
	}
}

func TestParsePaystackEvent(t *testing.T) {
	for _, tt := range []struct {
		name    string
		body    string
		ok      bool
		eventID string
		status  tonegrid.PaymentStatus
		err     bool
	}{
		{"charge.success", `{"event":"charge.success","data":{"id":4099260516,"status":"success","reference":"tgp-2","amount":2500000,"currency":"NGN"}}`,
			true, "charge.success:4099260516", tonegrid.PaymentPaid, false},
		{"without a transaction id", `{"event":"charge.success","data":{"status":"success","reference":"tgp-2","amount":2500000,"currency":"NGN"}}`,
			true, "charge.success:ref:tgp-2", tonegrid.PaymentPaid, false},
		{"other event", `{"event":"transfer.success","data":{"reference":"x"}}`, false, "", "", false},
		{"no reference", `{"event":"charge.success","data":{"id":1,"amount":1}}`, false, "", "", true},
		{"no amount", `{"event":"charge.success","data":{"id":1,"reference":"tgp-2"}}`, false, "", "", true},
		{"amount as text", `{"event":"charge.success","data":{"id":1,"reference":"tgp-2","amount":"100"}}`, false, "", "", true},
		{"no event", `{"data":{}}`, false, "", "", true},
		{"not JSON", `<xml/>`, false, "", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, ok, err := billing.ParsePaystackEvent([]byte(tt.body))
			if (err != nil) != tt.err || ok != tt.ok {
				t.Fatalf("ok=%v err=%v, want ok=%v err=%v", ok, err, tt.ok, tt.err)
			}
			if ok && (r.EventID != tt.eventID || r.Status != tt.status || r.Reference != "tgp-2" || r.AmountMinor != 2500000 || r.Currency != "NGN") {
				t.Errorf("report = %+v", r)
			}
		})
	}
}

// FuzzParseStripeEvent feeds arbitrary signed bodies to the parser: it must
// not panic, and a relevant event must name an id, a reference and a final
// status.
func FuzzParseStripeEvent(f *testing.F) {
	f.Add([]byte(`{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"id":"cs_1","client_reference_id":"tgp-1","amount_total":1999,"currency":"usd","payment_status":"paid"}}}`))
	f.Add([]byte(`{"id":"evt_2","type":"checkout.session.expired","data":{"object":{"id":"cs_1","metadata":{"reference":"tgp-1"},"status":"expired"}}}`))
	f.Add([]byte(`{"id":"evt_3","type":"checkout.session.completed","data":{"object":null}}`))
	f.Add([]byte(`{"id":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, ok, err := billing.ParseStripeEvent(body)
		if ok && (err != nil || r.EventID == "" || r.Reference == "" || r.Status == tonegrid.PaymentPending) {
			t.Fatalf("relevant event %+v (err %v) from %q", r, err, body)
		}
	})
}

// FuzzParsePaystackEvent is FuzzParseStripeEvent for Paystack.
func FuzzParsePaystackEvent(f *testing.F) {
	f.Add([]byte(`{"event":"charge.success","data":{"id":4099260516,"status":"success","reference":"tgp-2","amount":2500000,"currency":"NGN"}}`))
	f.Add([]byte(`{"event":"charge.success","data":{"id":"12","reference":"r","amount":-1}}`))
	f.Add([]byte(`{"event":"charge.success","data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, ok, err := billing.ParsePaystackEvent(body)
		if ok && (err != nil || r.EventID == "" || r.Reference == "") {
			t.Fatalf("relevant event %+v (err %v) from %q", r, err, body)
		}
	})
}
