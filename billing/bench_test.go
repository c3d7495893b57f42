package billing_test

import (
	"testing"
	"time"

	"tonegrid/billing"
)

// stripeEventBody is a Stripe checkout.session.completed event of a usual
// size (about 1 KB).
var stripeEventBody = []byte(`{"id":"evt_1PbenchAbcdefghijklmn","object":"event","api_version":"2024-06-20","created":1750000000,` +
	`"livemode":false,"pending_webhooks":1,"type":"checkout.session.completed","data":{"object":{"id":"cs_test_a1b2c3d4e5f6g7h8i9j0",` +
	`"object":"checkout.session","amount_subtotal":1999,"amount_total":1999,"currency":"usd","client_reference_id":"tgp-0123456789abcdefABCDEF0123456789",` +
	`"customer_email":"payer@example.com","metadata":{"plan":"pro","reference":"tgp-0123456789abcdefABCDEF0123456789","tenant_uuid":"0193f7d0-0000-7000-8000-000000000000"},` +
	`"mode":"payment","payment_status":"paid","status":"complete","success_url":"https://app.example.com/billing/return?reference=tgp-0123456789abcdefABCDEF0123456789",` +
	`"url":null,"created":1750000000,"expires_at":1750086400,"custom_fields":[],"payment_method_types":["card"],"locale":null,` +
	`"customer_details":{"email":"payer@example.com","name":"Ada Lovelace","phone":null,"tax_exempt":"none","tax_ids":[],` +
	`"address":{"city":"London","country":"GB","line1":"1 Example Street","line2":null,"postal_code":"N1 9GU","state":null}}}}}`)

func BenchmarkVerifyStripe(b *testing.B) {
	now := time.Unix(1_750_000_000, 0)
	header := billing.SignStripe(whsec, now, stripeEventBody)
	b.SetBytes(int64(len(stripeEventBody)))
	b.ReportAllocs()
	for b.Loop() {
		if err := billing.VerifyStripe(header, stripeEventBody, whsec, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPaystack(b *testing.B) {
	header := billing.SignPaystack(paystackKey, stripeEventBody)
	b.SetBytes(int64(len(stripeEventBody)))
	b.ReportAllocs()
	for b.Loop() {
		if err := billing.VerifyPaystack(header, stripeEventBody, paystackKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseStripeEvent(b *testing.B) {
	b.SetBytes(int64(len(stripeEventBody)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := billing.ParseStripeEvent(stripeEventBody); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
