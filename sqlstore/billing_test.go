package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// discardMail accepts mails without sending them: these tests are about
// billing rows, not mail.
type discardMail struct{}

func (discardMail) InsertMailTx(context.Context, *sql.Tx, tonegrid.Mail) error { return nil }

// billingTenant signs up a label with its own tenant and returns its admin
// as a principal.
func billingTenant(t *testing.T, db *sqlstore.DB, email string) *tonegrid.Principal {
	t.Helper()
	ctx := context.Background()
	db.SetMailQueue(discardMail{})
	root, err := db.RootTenant(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, tenant, err := db.CreateAccount(ctx, tonegrid.NewAccount{Parent: root, TenantName: "Billing " + email, Email: email,
		OTPHash: "x", OTPExpires: time.Now().Add(time.Hour), Refresh: tonegrid.RefreshRecord{Hash: "rh-" + email, Family: "f-" + email, ExpiresAt: time.Now().Add(time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	return &tonegrid.Principal{User: u, Tenant: tenant, Role: u.Role}
}

// paidCheckout stores a pending checkout of plan and settles it as paid.
func paidCheckout(t *testing.T, db *sqlstore.DB, p *tonegrid.Principal, slug, ref string) *tonegrid.Subscription {
	t.Helper()
	ctx := context.Background()
	plan, err := db.PlanBySlug(ctx, slug)
	if err != nil || plan == nil {
		t.Fatalf("plan %s: %v", slug, err)
	}
	c := &tonegrid.Checkout{Plan: plan, Provider: tonegrid.ProviderStripe, Reference: ref, ProviderRef: "cs_" + ref,
		AmountMinor: 1999, Currency: "USD", AuthorizationURL: "https://checkout.example/" + ref}
	if err := db.CreateCheckout(ctx, p, c); err != nil {
		t.Fatal(err)
	}
	sub, err := db.SettleCheckout(ctx, nil, tonegrid.PaymentReport{Provider: tonegrid.ProviderStripe, EventID: "evt_" + ref,
		EventType: "checkout.session.completed", Reference: ref, Status: tonegrid.PaymentPaid, AmountMinor: 1999, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func TestPlansAreSeeded(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		plans, err := db.ListPlans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, p := range plans {
			slugs = append(slugs, p.Slug+" "+p.Price+" "+p.Currency)
		}
		want := []string{"free 0.00 USD", "pro 19.99 USD", "pro-ngn 25000.00 NGN", "label 990.00 USD"}
		if len(slugs) != len(want) {
			t.Fatalf("plans %v, want %v", slugs, want)
		}
		for i := range want {
			if slugs[i] != want[i] {
				t.Errorf("plan %d = %q, want %q", i, slugs[i], want[i])
			}
		}
		if p, err := db.PlanBySlug(ctx, "platinum"); p != nil || err != nil {
			t.Errorf("unknown plan = %v, %v", p, err)
		}
	})
}

// TestPaidPeriodLapsesToFree moves the clock past a paid period: the tenant
// is back on the free plan (and its limits), and paying again starts a new
// period from now.
func TestPaidPeriodLapsesToFree(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		start := time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return start }
		p := billingTenant(t, db, "lapse@example.com")
		sub := paidCheckout(t, db, p, "pro", "tgp-lapse1")
		if sub.Plan.Slug != "pro" || !sub.StartedAt.Equal(start) || !sub.CurrentPeriodEnd.Equal(start.AddDate(0, 1, 0)) {
			t.Fatalf("paid subscription = %+v", sub)
		}
		end := *sub.CurrentPeriodEnd

		db.Now = func() time.Time { return end.Add(-time.Second) }
		if s, _ := db.CurrentSubscription(ctx, p); s.Plan.Slug != "pro" {
			t.Errorf("a second before the end: %s", s.Plan.Slug)
		}
		db.Now = func() time.Time { return end }
		s, err := db.CurrentSubscription(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if s.Plan.Slug != "free" || s.Provider != "" || s.CurrentPeriodEnd != nil || s.StartedAt == nil || !s.StartedAt.Equal(end) {
			t.Errorf("after the period: %+v", s)
		}
		// Free limits apply again: one webhook subscription.
		one := `SELECT COUNT(*) FROM users WHERE tenant_id = $1`
		err = db.EnforcePlanLimit(ctx, p.Tenant.ID, tonegrid.LimitWebhooks, 1, one, p.Tenant.ID)
		if !errors.Is(err, tonegrid.ErrPlanLimitReached) {
			t.Fatalf("limit after lapse: %v", err)
		}
		if e, _ := tonegrid.ErrorOf(err); e.Message != "Your plan allows 1 webhook subscription. Upgrade your plan to add more." {
			t.Errorf("message %q", e.Message)
		}

		later := end.Add(72 * time.Hour)
		db.Now = func() time.Time { return later }
		again := paidCheckout(t, db, p, "pro", "tgp-lapse2")
		if !again.StartedAt.Equal(later) || !again.CurrentPeriodEnd.Equal(later.AddDate(0, 1, 0)) {
			t.Errorf("renewal after a lapse = %v → %v, want a new period from %v", again.StartedAt, again.CurrentPeriodEnd, later)
		}
	})
}

func TestEnforcePlanLimit(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p := billingTenant(t, db, "limits@example.com")
		count := func(n int) string {
			// One row per user, n users' worth: the tenant has one user.
			return `SELECT COUNT(*) * ` + strconv.Itoa(n) + ` FROM users WHERE tenant_id = $1`
		}
		for _, tt := range []struct {
			kind    tonegrid.PlanLimit
			have    int
			adding  int
			wantErr string
		}{
			{tonegrid.LimitReleasesPerYear, 9, 3, ""},
			{tonegrid.LimitReleasesPerYear, 10, 3, "Your plan allows 12 releases per year. Upgrade your plan to add more."},
			{tonegrid.LimitDSPs, 4, 0, ""},
			{tonegrid.LimitDSPs, 2, 3, "Your plan allows 4 stores per release. Upgrade your plan to add more."},
			{tonegrid.LimitTeamSeats, 5, 1, "Your plan allows 5 team seats. Upgrade your plan to add more."},
			{tonegrid.LimitWebhooks, 0, 1, ""},
		} {
			err := db.EnforcePlanLimit(ctx, p.Tenant.ID, tt.kind, tt.adding, count(tt.have), p.Tenant.ID)
			e, _ := tonegrid.ErrorOf(err)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("%s with %d+%d: %v", tt.kind, tt.have, tt.adding, err)
			case tt.wantErr != "" && (e == nil || e.Code != "plan_limit_reached" || e.Message != tt.wantErr):
				t.Errorf("%s with %d+%d: %v, want %q", tt.kind, tt.have, tt.adding, err, tt.wantErr)
			}
		}
		// Limits a plan does not set are unlimited.
		paidCheckout(t, db, p, "pro", "tgp-limits")
		if err := db.EnforcePlanLimit(ctx, p.Tenant.ID, tonegrid.LimitDSPs, 9, count(9), p.Tenant.ID); err != nil {
			t.Errorf("pro has no store limit: %v", err)
		}
		// The platform's root tenant has none at all.
		root, _ := db.RootTenant(ctx)
		if err := db.EnforcePlanLimit(ctx, root.ID, tonegrid.LimitWebhooks, 9, `SELECT 99`); err != nil {
			t.Errorf("root tenant limited: %v", err)
		}
		// A count that fails is an error, not a pass.
		if err := db.EnforcePlanLimit(ctx, p.Tenant.ID, tonegrid.LimitTeamSeats, 1, `SELECT COUNT(*) FROM no_such_table`); err == nil {
			t.Error("a failing count query passed")
		}
	})
}

// TestSettleCheckoutOnce applies the same paid event twice and a second
// event about the same checkout: one activation, and the event ids are
// remembered.
func TestSettleCheckoutOnce(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		p := billingTenant(t, db, "once@example.com")
		first := paidCheckout(t, db, p, "pro", "tgp-once")
		report := tonegrid.PaymentReport{Provider: tonegrid.ProviderStripe, EventID: "evt_tgp-once", EventType: "checkout.session.completed",
			Reference: "tgp-once", Status: tonegrid.PaymentPaid, AmountMinor: 1999, Currency: "USD"}
		if sub, err := db.SettleCheckout(ctx, nil, report); sub != nil || err != nil {
			t.Errorf("replayed event = %+v, %v; want nil, nil", sub, err)
		}
		report.EventID = "evt_other"
		sub, err := db.SettleCheckout(ctx, nil, report)
		if err != nil || !sub.CurrentPeriodEnd.Equal(*first.CurrentPeriodEnd) {
			t.Errorf("second event about a paid checkout = %+v, %v", sub, err)
		}
		// A verification by another tenant does not see the checkout.
		other := billingTenant(t, db, "other@example.com")
		report.EventID = ""
		if _, err := db.SettleCheckout(ctx, other, report); !errors.Is(err, tonegrid.ErrPaymentFailed) {
			t.Errorf("another tenant's settlement: %v", err)
		}
		if _, err := db.FindCheckout(ctx, other, "tgp-once"); !errors.Is(err, tonegrid.ErrPaymentFailed) {
			t.Errorf("another tenant's lookup: %v", err)
		}
		entries, _, err := db.ListAudit(ctx, p, tonegrid.AuditFilter{Action: "billing.plan_activated", Page: tonegrid.Page{Page: 1, PerPage: 10}})
		if err != nil || len(entries) != 1 {
			t.Errorf("activations = %d (%v), want 1", len(entries), err)
		}
	})
}
