package billing

import (
	"encoding/json"
	"errors"

	"tonegrid"
)

// errMalformedEvent means a signed webhook body is not the provider's event
// JSON.
var errMalformedEvent = errors.New("malformed webhook event")

// ParseStripeEvent reads a Stripe event and reports what it says about a
// ToneGrid checkout. ok is false for events ToneGrid ignores: other types,
// sessions without a ToneGrid reference, and completed sessions whose
// payment is still processing (their async_payment_* event follows).
func ParseStripeEvent(body []byte) (r tonegrid.PaymentReport, ok bool, err error) {
	var ev struct {
		ID     string `json:"id"`
		Object string `json:"object"`
		Type   string `json:"type"`
		Data   struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return r, false, errors.Join(errMalformedEvent, err)
	}
	if ev.ID == "" || ev.Type == "" {
		return r, false, errMalformedEvent
	}
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded",
		"checkout.session.async_payment_failed", "checkout.session.expired":
	default:
		return r, false, nil
	}
	var sess stripeSession
	if err := json.Unmarshal(ev.Data.Object, &sess); err != nil {
		return r, false, errors.Join(errMalformedEvent, err)
	}
	pay := sess.payment()
	if pay.Reference == "" || sess.ID == "" {
		return r, false, nil
	}
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		if pay.Status != tonegrid.PaymentPaid {
			return r, false, nil
		}
	case "checkout.session.async_payment_failed", "checkout.session.expired":
		pay.Status = tonegrid.PaymentFailed
	}
	return tonegrid.PaymentReport{
		Provider: tonegrid.ProviderStripe, EventID: ev.ID, EventType: ev.Type, Reference: pay.Reference,
		Status: pay.Status, AmountMinor: pay.AmountMinor, Currency: pay.Currency, Detail: pay.Detail,
	}, true, nil
}

// ParsePaystackEvent reads a Paystack event and reports what it says about
// a ToneGrid checkout. Only charge.success matters; ok is false for every
// other event. Paystack events carry no id of their own, so the event is
// identified by its type and the transaction's id.
func ParsePaystackEvent(body []byte) (r tonegrid.PaymentReport, ok bool, err error) {
	var ev struct {
		Event string          `json:"event"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return r, false, errors.Join(errMalformedEvent, err)
	}
	if ev.Event == "" {
		return r, false, errMalformedEvent
	}
	if ev.Event != "charge.success" {
		return r, false, nil
	}
	var tx paystackTransaction
	if err := json.Unmarshal(ev.Data, &tx); err != nil {
		return r, false, errors.Join(errMalformedEvent, err)
	}
	if tx.Reference == "" || tx.Amount == nil {
		return r, false, errMalformedEvent
	}
	id := tx.ID.String()
	if id == "" {
		id = "ref:" + tx.Reference
	}
	pay := tx.payment()
	return tonegrid.PaymentReport{
		Provider: tonegrid.ProviderPaystack, EventID: ev.Event + ":" + id, EventType: ev.Event, Reference: pay.Reference,
		Status: pay.Status, AmountMinor: pay.AmountMinor, Currency: pay.Currency, Detail: pay.Detail,
	}, true, nil
}
