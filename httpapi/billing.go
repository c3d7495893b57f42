package httpapi

import (
	"io"
	"net/http"

	"tonegrid"
)

// webhookBodyLimit bounds a payment provider's webhook body, read whole to
// check its signature; their events are a few kilobytes.
const webhookBodyLimit = 1 << 20

func (s *Server) handlePlanList(w http.ResponseWriter, r *http.Request) error {
	plans, err := s.deps.Billing.ListPlans(r.Context())
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, nonNil(plans))
	return nil
}

func (s *Server) handleSubscription(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.deps.Billing.CurrentSubscription(r.Context(), principalOf(r))
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, sub)
	return nil
}

func (s *Server) handleCheckout(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Plan     string `json:"plan"`
		Provider string `json:"provider"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Plan = c.text("plan", in.Plan, true, 50)
	c.oneOf("provider", in.Provider, false, tonegrid.Providers...)
	if err := c.err(); err != nil {
		return err
	}
	start, err := s.deps.Billing.Checkout(r.Context(), principalOf(r), in.Plan, in.Provider)
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, start)
	return nil
}

func (s *Server) handleVerifyPayment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reference string `json:"reference"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Reference = c.text("reference", in.Reference, true, 100)
	if err := c.err(); err != nil {
		return err
	}
	sub, err := s.deps.Billing.VerifyPayment(r.Context(), principalOf(r), in.Reference)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, sub)
	return nil
}

func (s *Server) handleStripeWebhook(w http.ResponseWriter, r *http.Request) error {
	return s.providerWebhook(w, r, tonegrid.ProviderStripe, r.Header.Get("Stripe-Signature"))
}

func (s *Server) handlePaystackWebhook(w http.ResponseWriter, r *http.Request) error {
	return s.providerWebhook(w, r, tonegrid.ProviderPaystack, r.Header.Get("X-Paystack-Signature"))
}

// receivedBody is the answer to a provider's webhook.
type receivedBody struct {
	Received bool `json:"received"`
}

// providerWebhook reads the raw body once (bounded by the route) and hands
// it with its signature to the billing service, which checks the signature
// over these exact bytes.
func (s *Server) providerWebhook(w http.ResponseWriter, r *http.Request, provider, signature string) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return decodeError(err)
	}
	if err := s.deps.Billing.HandleWebhook(r.Context(), provider, signature, body); err != nil {
		return err
	}
	writeData(w, http.StatusOK, receivedBody{Received: true})
	return nil
}
