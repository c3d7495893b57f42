// Package webhook owns the parts of ToneGrid's outgoing webhooks that need no
// database: subscription secrets and the two signature schemes every delivery
// carries (ToneGrid's X-ToneGrid-Signature and Standard Webhooks), the event
// types and the wildcard patterns subscriptions choose them with, the event
// body and its one encoding, the SSRF checks of target URLs together with the
// HTTP client that repeats them at connect time, a single delivery attempt and
// the retry schedule.
//
// It imports only the standard library and no other ToneGrid package, the
// domain included: subscriptions, their storage, the outbox fan-out and the
// delivery jobs live elsewhere and call this package.
package webhook
