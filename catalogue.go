package tonegrid

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
)

// CatalogueEntry is one row of the public error catalogue: what a client
// sees (status, code, message) and what the documentation page explains.
type CatalogueEntry struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	When    string `json:"when"`
	Fix     string `json:"how_to_fix"`
}

var catalogue []CatalogueEntry

// register adds an entry to the catalogue and returns the error value code
// paths return. It is the only place an Error is built from scratch.
func register(status int, code, message, when, fix string) *Error {
	catalogue = append(catalogue, CatalogueEntry{Status: status, Code: code, Message: message, When: when, Fix: fix})
	return &Error{Status: status, Code: code, Message: message, template: message}
}

// Catalogue returns every error the API can answer with, ordered by status
// then code.
func Catalogue() []CatalogueEntry {
	out := append([]CatalogueEntry(nil), catalogue...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Status != out[j].Status {
			return out[i].Status < out[j].Status
		}
		return out[i].Code < out[j].Code
	})
	return out
}

// Catalogued reports whether e is one of the catalogue's errors: its status,
// code and template are registered, and its message is the template with
// every <placeholder> filled.
func Catalogued(e *Error) bool {
	for _, c := range catalogue {
		if c.Code == e.Code && c.Status == e.Status && c.Message == e.template {
			return matchesTemplate(e.Message, e.template)
		}
	}
	return false
}

// placeholder matches a <placeholder> of a catalogue message.
var placeholder = regexp.MustCompile(`<[^<>]+>`)

// matchesTemplate reports whether msg is tmpl with each <placeholder>
// replaced by some text other than the placeholder itself.
func matchesTemplate(msg, tmpl string) bool {
	holes := placeholder.FindAllString(tmpl, -1)
	if len(holes) == 0 {
		return msg == tmpl
	}
	literals := placeholder.Split(tmpl, -1)
	var pattern strings.Builder
	pattern.WriteString("^")
	for i, lit := range literals {
		if i > 0 {
			pattern.WriteString("(.+)")
		}
		pattern.WriteString(regexp.QuoteMeta(lit))
	}
	pattern.WriteString("$")
	m := regexp.MustCompile(pattern.String()).FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	for i, hole := range holes {
		if m[i+1] == hole {
			return false
		}
	}
	return true
}

// Errors of the request pipeline.
var (
	ErrIdempotencyKeyTooLong = register(http.StatusBadRequest, "idempotency_key_too_long",
		"Idempotency-Key must be ≤255 chars.",
		"The Idempotency-Key header is longer than 255 characters.",
		"Use a shorter key, for example a UUID.")
	ErrIdempotencyKeyReused = register(http.StatusBadRequest, "idempotency_key_reused",
		"Idempotency-Key was previously used with a different request body.",
		"A key already used in the last 24 hours is sent again with a different body.",
		"Generate a new key for every distinct request; reuse a key only to retry the exact same request.")
	ErrMalformedJSON = register(http.StatusBadRequest, "bad_request",
		"Malformed JSON body.",
		"The body is not valid JSON, or a field has the wrong JSON type for the route.",
		"Send a UTF-8 JSON object whose fields have the types documented for the route.")
	ErrIdempotencyInProgress = register(http.StatusConflict, "idempotency_in_progress",
		"A request with this Idempotency-Key is already in progress.",
		"A request with the same key is still running.",
		"Wait for the first request to finish, then retry: the stored response will be replayed.")
	ErrBodyTooLarge = register(http.StatusRequestEntityTooLarge, "body_too_large",
		"Request body exceeds the maximum allowed size of <N> MB.",
		"A JSON request body is larger than the route accepts.",
		"Send less data per request; use the upload routes for files and bulk ingestion for many releases.")
	ErrValidation = register(http.StatusUnprocessableEntity, "validation_failed",
		"Validation failed",
		"One or more fields are missing or invalid; `errors` maps each field path to its messages.",
		"Correct the fields listed in `errors` and send the request again.")
	ErrRateLimited = register(http.StatusTooManyRequests, "rate_limited",
		"Too many requests. Please slow down.",
		"The caller exceeded the rate limit of its class (auth, standard or bulk), or five wrong logins for one email in 60 s.",
		"Wait the number of seconds in Retry-After before the next request.")
	ErrInternal = register(http.StatusInternalServerError, "internal",
		"Internal server error.",
		"An unexpected failure on the server. Nothing internal is disclosed; the request id is logged.",
		"Retry later; if it persists, contact support with the request_id.")
	ErrUnavailable = register(http.StatusServiceUnavailable, "unavailable",
		"Service temporarily unavailable.",
		"The database cannot be reached.",
		"Retry with backoff; check /status for the state of each component.")
	ErrRouteNotFound = register(http.StatusNotFound, "route_not_found",
		"Endpoint not found.",
		"No route matches the method and path, or the route is reserved to platform staff.",
		"Check the method and path against the API reference at /docs (paths start with /api, no trailing slash).")
)

// Errors of authentication, tenancy and permissions.
var (
	ErrTokenMissing = register(http.StatusUnauthorized, "token_missing",
		"Authentication token is missing.",
		"An authenticated route is called without an Authorization header.",
		"Send `Authorization: Bearer <access token or API key>`.")
	ErrTokenInvalid = register(http.StatusUnauthorized, "token_invalid",
		"Invalid or expired token. Please log in again.",
		"The access token is malformed, expired or revoked, or the API key is revoked, expired or unknown.",
		"Refresh the access token with POST /auth/refresh, log in again, or use a valid API key.")
	ErrInvalidCredentials = register(http.StatusUnauthorized, "invalid_credentials",
		"Invalid email or password.",
		"Login with an unknown email, a wrong password, or a deleted account.",
		"Check the email and password, or reset the password with POST /auth/forgot-password.")
	ErrForbidden = register(http.StatusForbidden, "forbidden",
		"You do not have permission to perform this action.",
		"The user's role or the API key's scopes do not include the permission the route needs, or an API key is used outside its allowed IPs.",
		"Ask a label admin for a role that allows it, or mint an API key with the needed scope.")
	ErrTenantSuspended = register(http.StatusForbidden, "tenant_suspended",
		"This workspace is suspended.",
		"The workspace, or a workspace above it, has status suspended.",
		"Contact the distributor or platform that manages the workspace.")
	ErrUserSuspended = register(http.StatusForbidden, "user_suspended",
		"This account has been suspended. Contact support.",
		"The user's status is suspended.",
		"Ask a label admin of the workspace to reactivate the account.")
	ErrNotDescendant = register(http.StatusForbidden, "not_descendant",
		"Not a descendant of your tenant.",
		"login-as targets a workspace that is not below the caller's.",
		"Use login-as only on client workspaces of your own workspace.")
	ErrEmailUnverified = register(http.StatusForbidden, "email_unverified",
		"Please verify your email address first.",
		"Submitting a release or requesting a payout before the email's OTP was verified.",
		"Verify the email with POST /auth/verify-otp (request a new code with POST /auth/resend-otp).")
	ErrOTPInvalid = register(http.StatusUnprocessableEntity, "otp_invalid",
		"Invalid or expired OTP.",
		"The one-time code is wrong, already used, or older than 10 minutes.",
		"Request a new code with POST /auth/resend-otp.")
	ErrResetTokenInvalid = register(http.StatusUnprocessableEntity, "reset_token_invalid",
		"Invalid or expired reset token.",
		"The reset or invitation token is unknown, already used, or expired.",
		"Request a new link with POST /auth/forgot-password, or ask for a new invitation.")
	ErrCurrentPasswordIncorrect = register(http.StatusUnprocessableEntity, "current_password_incorrect",
		"Current password is incorrect.",
		"Changing the password or email without the right current password.",
		"Send the account's current password in `current_password`.")
	ErrTenantUnresolved = register(http.StatusUnprocessableEntity, "tenant_unresolved",
		"Unable to resolve tenant. Check your domain configuration.",
		"An unauthenticated request comes from a domain (X-Tenant-Domain or Host) that no workspace claims.",
		"Call the API on the platform host or on a domain configured in PATCH /tenants/me.")
	ErrCannotDeleteSelf = register(http.StatusConflict, "cannot_delete_self",
		"You cannot delete your own account.",
		"A user tries to delete their own account.",
		"Ask another label admin to delete the account.")
	ErrUserNotFound = register(http.StatusNotFound, "user_not_found",
		"User not found.",
		"No user with this uuid in the caller's workspace.",
		"List users with GET /users to find the uuid.")
	ErrClientNotFound = register(http.StatusNotFound, "client_not_found",
		"Client not found.",
		"No client workspace with this uuid below the caller's workspace.",
		"List clients with GET /tenants/clients to find the uuid.")
	ErrAPIKeyNotFound = register(http.StatusNotFound, "api_key_not_found",
		"API key not found.",
		"No API key with this uuid in the caller's workspace.",
		"List keys with GET /api-keys to find the uuid.")
)

// Errors of the catalog: artists, releases, tracks, payees and DSP attachment.
var (
	ErrReleaseNotFound = register(http.StatusNotFound, "release_not_found",
		"Release not found.",
		"No release with this uuid in the caller's workspace.",
		"List releases with GET /releases to find the uuid.")
	ErrTrackNotFound = register(http.StatusNotFound, "track_not_found",
		"Track not found.",
		"No track with this uuid in the caller's workspace.",
		"List a release's tracks with GET /releases/:uuid/tracks.")
	ErrArtistNotFound = register(http.StatusNotFound, "artist_not_found",
		"Artist not found.",
		"No artist with this uuid in the caller's workspace.",
		"List artists with GET /artists to find the uuid.")
	ErrPayeeNotFound = register(http.StatusNotFound, "payee_not_found",
		"Payee not found.",
		"No payee with this uuid in the caller's workspace.",
		"List payees with GET /payees to find the uuid.")
	ErrDSPNotFound = register(http.StatusNotFound, "dsp_not_found",
		"DSP '<slug>' not found or inactive.",
		"The DSP slug is unknown or the store is not active.",
		"Use a slug from GET /dsps.")
	ErrReleaseNotDeletable = register(http.StatusConflict, "release_not_deletable",
		"Only draft or rejected releases can be deleted.",
		"Deleting a release that is in review, approved or delivered.",
		"Take a delivered release down with POST /releases/:uuid/takedown instead.")
	ErrReleaseNotSubmittable = register(http.StatusConflict, "release_not_submittable",
		"Only draft or rejected releases can be submitted.",
		"Submitting a release that is already in review or past it.",
		"Wait for the review; a rejected release can be edited and submitted again.")
	ErrReleaseStale = register(http.StatusConflict, "release_stale",
		"This release was modified by another user. Please reload and try again.",
		"The row_version (If-Match, body row_version or updated_at) is older than the stored one.",
		"GET the object again, reapply the change and send it with the new row_version.")
	ErrSlugTaken = register(http.StatusConflict, "slug_taken",
		"Artist slug already taken.",
		"Another artist of the workspace has this slug.",
		"Choose another slug, or omit it to derive a free one from the name.")
	ErrSplitsSum = register(http.StatusUnprocessableEntity, "splits_sum",
		"Split percentages must sum to 100.",
		"The split percentages of a track do not add up to 100 (tolerance 0.01).",
		"Adjust the percentages so that they sum to exactly 100.")
	ErrReleaseNoTracks = register(http.StatusUnprocessableEntity, "release_no_tracks",
		"Please add at least one track before submitting.",
		"Submitting a release without tracks.",
		"Add tracks with POST /releases/:uuid/tracks.")
	ErrReleaseNoDSPs = register(http.StatusUnprocessableEntity, "release_no_dsps",
		"Please select at least one store before submitting.",
		"Submitting a release with no DSP attached.",
		"Attach stores with POST /releases/:uuid/dsps.")
	ErrReleaseNoDate = register(http.StatusUnprocessableEntity, "release_no_date",
		"Please set a release date before submitting.",
		"Submitting a release without release_date.",
		"Set release_date with PATCH /releases/:uuid.")
	ErrWriterNotFound = register(http.StatusNotFound, "writer_not_found",
		"Writer not found.",
		"No songwriter with this uuid in the caller's workspace.",
		"List writers with GET /writers to find the uuid.")
	ErrReleaseDSPNotAttached = register(http.StatusNotFound, "release_dsp_not_attached",
		"DSP '<slug>' is not attached to this release.",
		"Removing a store that the release is not attached to.",
		"List the release's stores with GET /releases/:uuid/dsps.")
	ErrReleaseNotEditable = register(http.StatusConflict, "release_not_editable",
		"Only draft or rejected releases can be edited.",
		"Changing a release (its fields, tracks, track writers or rights) while it is in review, approved or delivered.",
		"Wait for the review; a rejected release can be edited again. Delivered releases change through a takedown and a new release.")
	ErrReleaseNotPending = register(http.StatusConflict, "release_not_pending",
		"Only releases pending review can be approved or rejected.",
		"Approving or rejecting a release that is not in status pending_review.",
		"Review only releases that were submitted with POST /releases/:uuid/submit and not reviewed yet.")
	ErrArtistInUse = register(http.StatusConflict, "artist_in_use",
		"This artist is credited on releases or tracks and cannot be deleted.",
		"Deleting an artist that a release or a track still credits.",
		"Remove the artist from those releases and tracks first, or keep the artist.")
	ErrISRCTaken = register(http.StatusConflict, "isrc_taken",
		"ISRC <isrc> is already used by another track of this workspace.",
		"Creating or changing a track with an ISRC that another track of the workspace has: an ISRC identifies one recording.",
		"Check the ISRC for a typo; find the track that has it with GET /releases?q= or remove it from that track first.")
	ErrUPCTaken = register(http.StatusConflict, "upc_taken",
		"UPC <upc> is already used by another release of this workspace.",
		"Creating or changing a release with a UPC/EAN that another release of the workspace has.",
		"Use the product's own UPC, or leave it empty to get one from the UPC pool at approval.")
	ErrReleaseDateTooSoon = register(http.StatusUnprocessableEntity, "release_date_too_soon",
		"The release date must be at least 7 days from today.",
		"Submitting a release whose release_date is less than 7 days after today (UTC): review and store ingestion need the lead time.",
		"Move release_date at least 7 days ahead with PATCH /releases/:uuid.")
	ErrTrackAudioMissing = register(http.StatusUnprocessableEntity, "track_audio_missing",
		"Every track needs an audio file before submitting.",
		"Submitting a release with a track that has no audio.",
		"Upload each track's audio with POST /tracks/:uuid/audio.")
	ErrArtworkMissing = register(http.StatusUnprocessableEntity, "artwork_missing",
		"Please add artwork before submitting.",
		"Submitting a release without cover artwork.",
		"Upload the cover with POST /releases/:uuid/artwork.")
	ErrReleaseInvalid = register(http.StatusUnprocessableEntity, "release_invalid",
		"This release has blocking validation issues. See GET /releases/:uuid/validation.",
		"Submitting a release that fails a blocking rule of an attached store (artwork size, audio format, titles, credits, identifiers).",
		"Fix each item with severity blocking listed by GET /releases/:uuid/validation, then submit again.")
	ErrUPCPoolEmpty = register(http.StatusUnprocessableEntity, "upc_pool_empty",
		"The UPC pool has no free code left. Add codes with POST /upc-pool.",
		"Approving a release without a UPC while its workspace has a UPC pool with no free code.",
		"The workspace adds codes with POST /upc-pool (or sets the release's upc), then the release is approved again.")
)

// Errors of media uploads.
var (
	ErrFileTooLarge = register(http.StatusRequestEntityTooLarge, "file_too_large",
		"File exceeds the maximum allowed size of <N> MB.",
		"An upload is larger than its kind allows: audio 1024 MB, image 50 MB, video 5120 MB.",
		"Compress or trim the file; above 100 MB use the resumable uploads (POST /uploads).")
	ErrAnimatedArtworkTooLarge = register(http.StatusRequestEntityTooLarge, "animated_artwork_too_large",
		"Animated artwork must be ≤50 MB.",
		"An animated artwork video is larger than 50 MB.",
		"Shorten or re-encode the video.")
	ErrUnsupportedMediaType = register(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"File type '<mime>' is not allowed for <type> uploads.",
		"The type sniffed from the file's first bytes is not allowed for this kind of upload (the client's Content-Type and file name are not trusted).",
		"Audio: WAV, FLAC, AIFF, MP3, AAC/M4A. Images: JPEG, PNG, TIFF, WebP. Video: MP4, MOV.")
	ErrAudioMissing = register(http.StatusUnprocessableEntity, "audio_missing",
		"No audio file provided.",
		"The multipart body has no `audio` part and no upload_id was given.",
		"Send the file in a multipart field named `audio`, or `{upload_id}` of a completed upload.")
	ErrUploadIncomplete = register(http.StatusBadRequest, "upload_incomplete",
		"The upload ended before the file was complete.",
		"The request body of a file upload stopped early (the client disconnected or sent a truncated multipart body); nothing was stored.",
		"Send the upload again; for big files over unreliable links use the resumable uploads (POST /uploads).")
	ErrMediaNotFound = register(http.StatusNotFound, "media_not_found",
		"Media not found.",
		"No stored file with this uuid in the caller's workspace.",
		"Use the media_uuid of a track's audio or a release's artwork.")
	ErrUploadNotFound = register(http.StatusNotFound, "upload_not_found",
		"Upload not found.",
		"No resumable upload with this id in the caller's workspace, or it expired.",
		"Start a new upload with POST /uploads.")
)

// Errors of DSP delivery.
var (
	ErrDSPBlocked = register(http.StatusConflict, "dsp_blocked",
		"Delivery to <DSP name> is blocked via per-DSP override (is_blocked=true).",
		"Delivering to one DSP whose per-release override blocks it.",
		"Clear the block with PUT /releases/:uuid/dsps/:dsp_slug {\"is_blocked\": false}.")
	ErrReleaseNoDSPsAttached = register(http.StatusUnprocessableEntity, "release_no_dsps_attached",
		"No DSPs attached to this release. Add DSPs via POST /releases/:uuid/dsps first.",
		"Deliver, redeliver or purge on a release with no DSP attached.",
		"Attach stores with POST /releases/:uuid/dsps.")
	ErrReleaseNotDeliverable = register(http.StatusConflict, "release_not_deliverable",
		"Only approved releases can be delivered.",
		"Delivering or redelivering a release that is not approved yet (draft, pending review or rejected).",
		"Submit the release and wait for its approval; then deliver it.")
	ErrReleaseNotDelivered = register(http.StatusConflict, "release_not_delivered",
		"Only delivered releases can be taken down or purged.",
		"A takedown or purge of a release that was never delivered to a store.",
		"Nothing to take down: detach the stores or leave the release undelivered.")
	ErrDeliveryNotFound = register(http.StatusNotFound, "delivery_not_found",
		"Delivery not found.",
		"No delivery with this uuid for this release in the caller's workspace, or its message is not built yet (first attempt pending).",
		"List the release's deliveries with GET /releases/:uuid/ddex/deliveries.")
	ErrDSPTaken = register(http.StatusConflict, "dsp_taken",
		"DSP '<slug>' already exists.",
		"POST /dsps/:slug with the slug of an existing store.",
		"Change the store with PATCH /dsps/:slug.")
)

// Errors of bulk ingestion and webhooks.
var (
	ErrBulkTooLarge = register(http.StatusRequestEntityTooLarge, "bulk_too_large",
		"Bulk batch limited to 200 releases. Split into multiple requests.",
		"POST /ingestion/bulk with more than 200 releases.",
		"Send at most 200 releases per request.")
	ErrWebhookNotFound = register(http.StatusNotFound, "webhook_not_found",
		"Webhook not found.",
		"No webhook subscription with this uuid in the caller's workspace.",
		"List subscriptions with GET /webhooks.")
	ErrWebhookLimit = register(http.StatusUnprocessableEntity, "webhook_limit",
		"Webhook subscription limit (25) reached.",
		"Creating a 26th active webhook subscription.",
		"Delete or disable a subscription, or subscribe one endpoint to several events with wildcards.")
	ErrIngestionJobNotFound = register(http.StatusNotFound, "ingestion_job_not_found",
		"Ingestion job not found.",
		"No asynchronous bulk ingestion job with this uuid in the caller's workspace.",
		"Use the uuid returned by POST /ingestion/bulk?async=true.")
	ErrWebhookDeliveryNotFound = register(http.StatusNotFound, "webhook_delivery_not_found",
		"Webhook delivery not found.",
		"No delivery with this uuid for the webhook subscription.",
		"List the subscription's deliveries with GET /webhooks/:uuid/deliveries.")
)

// Errors of finance.
var (
	ErrStatementNotFound = register(http.StatusNotFound, "statement_not_found",
		"Statement not found.",
		"No statement with this uuid in the caller's workspace.",
		"List statements with GET /finance/statements.")
	ErrPayeeStatementNotFound = register(http.StatusNotFound, "payee_statement_not_found",
		"Payee statement not found.",
		"No payee statement with this uuid in the caller's workspace.",
		"List them with GET /finance/payee-statements?statement_uuid=.")
	ErrPayoutNotFound = register(http.StatusNotFound, "payout_not_found",
		"Payout not found.",
		"No payout with this uuid in the caller's workspace.",
		"List payouts with GET /finance/payouts.")
	ErrPeriodNotFound = register(http.StatusNotFound, "period_not_found",
		"Period not found.",
		"No accounting period with this uuid in the caller's workspace.",
		"List periods with GET /finance/periods.")
	ErrStatementNotDraft = register(http.StatusConflict, "statement_not_draft",
		"Only draft statements can be approved.",
		"Approving (or recomputing) a statement that is already approved, locked or paid.",
		"Nothing to do: an approved statement is final.")
	ErrPayeeStatementNotDraft = register(http.StatusConflict, "payee_statement_not_draft",
		"Only draft payee statements can be approved.",
		"Approving a payee statement that is already approved, locked or paid.",
		"Nothing to do: an approved payee statement is final.")
	ErrPeriodCodeTaken = register(http.StatusConflict, "period_code_taken",
		"Period code already exists.",
		"Creating a period whose code the workspace already uses.",
		"Use another code, or GET the existing period.")
	ErrImportNotFound = register(http.StatusNotFound, "import_not_found",
		"Import not found.",
		"No sales-report import with this uuid in the caller's workspace.",
		"Use the uuid POST /finance/imports answered with.")
	ErrImportDuplicate = register(http.StatusConflict, "import_duplicate",
		"This file was already imported for this period and DSP.",
		"A sales report with the same SHA-256 was already imported (or is being imported) for the same period and DSP.",
		"Nothing to do; to replace a report, import it for another period or DSP, or fix the file (a changed file is a new import).")
	ErrStatementNotApproved = register(http.StatusConflict, "statement_not_approved",
		"Only approved statements can be locked.",
		"Locking a statement that is still a draft, or already locked or paid.",
		"Approve the statement first with POST /finance/statements/:uuid/approve.")
	ErrPayeeStatementNotApproved = register(http.StatusConflict, "payee_statement_not_approved",
		"Only approved payee statements can be locked or paid out.",
		"Locking, or requesting a payout of, a payee statement that is still a draft, or already locked (lock) or paid.",
		"Approve the payee statement first with POST /finance/payee-statements/:uuid/approve.")
	ErrPayoutExists = register(http.StatusConflict, "payout_exists",
		"A payout already exists for this payee statement.",
		"Requesting a second payout of the same payee statement.",
		"GET /finance/payouts lists the existing payout; mark it paid with POST /finance/payouts/:uuid/mark-paid.")
)

// Errors of billing.
var (
	ErrPaymentFailed = register(http.StatusPaymentRequired, "payment_failed",
		"Payment verification failed.",
		"The payment provider reports the transaction as failed, abandoned or unknown.",
		"Start a new checkout with POST /billing/checkout.")
	ErrPlanFree = register(http.StatusUnprocessableEntity, "plan_free",
		"This plan is free — no payment required.",
		"Checkout of a free plan: the plan is activated at once, no payment is taken.",
		"Nothing to do: the free plan is now active.")
	ErrPaymentInitFailed = register(http.StatusBadGateway, "payment_init_failed",
		"Payment initialization failed.",
		"The payment provider failed, timed out or is not configured when the checkout starts.",
		"Retry later; the provider's answer is in the audit log for the workspace's admins.")
	ErrPaymentProviderUnavailable = register(http.StatusBadGateway, "payment_provider_unavailable",
		"Payment provider unavailable. Please try again later.",
		"Verifying a payment while the provider fails, times out, answers something unreadable or is not configured; nothing changed.",
		"Retry the verification later; the provider's answer is in the audit log for the workspace's admins.")
	ErrPlanLimitReached = register(http.StatusUnprocessableEntity, "plan_limit_reached",
		"Your plan allows <limit>. Upgrade your plan to add more.",
		"Adding a user, client, release, store or webhook beyond what the workspace's plan allows.",
		"Compare plans with GET /billing/plans and upgrade with POST /billing/checkout, or remove something first.")
	ErrWebhookSignatureInvalid = register(http.StatusBadRequest, "webhook_signature_invalid",
		"Invalid webhook signature.",
		"A payment provider webhook arrives without a signature header, with a malformed one, or with one that does not match the body.",
		"Providers only: sign the exact body with the configured secret (Stripe-Signature, x-paystack-signature).")
	ErrWebhookSignatureStale = register(http.StatusBadRequest, "webhook_signature_stale",
		"Webhook signature timestamp is outside the 300-second tolerance.",
		"A Stripe webhook is correctly signed but its t= timestamp is more than 300 seconds away from the server's clock (a replay, or a wrong clock).",
		"Providers only: send events when they happen; check the sender's and the server's clocks.")
)
