package httpapi

import "tonegrid"

// Shorthands for the route table.
const (
	public       = tonegrid.Permission("")
	self         = tonegrid.PermSelf
	usersManage  = tonegrid.PermUsersManage
	keysManage   = tonegrid.PermAPIKeysManage
	tenantsAdmin = tonegrid.PermTenantsManage
	auditRead    = tonegrid.PermAuditRead
	billingAdmin = tonegrid.PermBillingManage
	catalogRead  = tonegrid.PermCatalogRead
	catalogWrite = tonegrid.PermCatalogWrite
	platform     = tonegrid.PermPlatform
)

// routeTable is every route the server answers, in one place. Each route
// declares the permission it needs and its rate class; openapi.yaml
// describes exactly these routes (a test keeps the two in step).
func (s *Server) routeTable() []route {
	return []route{
		// Health, documentation and the error catalogue.
		{method: "GET", path: "/health", handle: s.handleHealth, class: classNone},
		{method: "GET", path: "/api/health", handle: s.handleHealth, class: classNone},
		{method: "GET", path: "/status", handle: s.handleStatusPage},
		{method: "GET", path: "/errors", handle: s.handleErrorsPage},
		{method: "GET", path: "/errors.json", handle: s.handleErrorsJSON},
		{method: "GET", path: "/api/errors", handle: s.handleErrorsJSON},
		{method: "GET", path: "/docs", handle: s.handleDocs},
		{method: "GET", path: "/api/openapi.json", handle: s.handleOpenAPI},

		// Authentication.
		{method: "POST", path: "/api/auth/signup", handle: s.handleSignup, class: classAuth},
		{method: "POST", path: "/api/auth/verify-otp", handle: s.handleVerifyOTP, class: classAuth},
		{method: "POST", path: "/api/auth/resend-otp", handle: s.handleResendOTP, class: classAuth},
		{method: "POST", path: "/api/auth/login", handle: s.handleLogin, class: classAuth},
		{method: "POST", path: "/api/auth/refresh", handle: s.handleRefresh, class: classAuth},
		{method: "POST", path: "/api/auth/logout", handle: s.handleLogout, perm: self, class: classAuth},
		{method: "POST", path: "/api/auth/forgot-password", handle: s.handleForgotPassword, class: classAuth},
		{method: "POST", path: "/api/auth/reset-password", handle: s.handleResetPassword, class: classAuth},

		// Users and API keys.
		{method: "GET", path: "/api/users/me", handle: s.handleMe, perm: self},
		{method: "PATCH", path: "/api/users/me", handle: s.handleUpdateMe, perm: self},
		{method: "GET", path: "/api/users", handle: s.handleUserList, perm: usersManage},
		{method: "POST", path: "/api/users", handle: s.handleUserInvite, perm: usersManage},
		{method: "GET", path: "/api/users/{uuid}", handle: s.handleUserGet, perm: usersManage},
		{method: "PATCH", path: "/api/users/{uuid}", handle: s.handleUserUpdate, perm: usersManage},
		{method: "DELETE", path: "/api/users/{uuid}", handle: s.handleUserDelete, perm: usersManage},
		{method: "GET", path: "/api/api-keys", handle: s.handleAPIKeyList, perm: keysManage},
		{method: "POST", path: "/api/api-keys", handle: s.handleAPIKeyCreate, perm: keysManage},
		{method: "POST", path: "/api/api-keys/{uuid}/rotate", handle: s.handleAPIKeyRotate, perm: keysManage},
		{method: "DELETE", path: "/api/api-keys/{uuid}", handle: s.handleAPIKeyRevoke, perm: keysManage},

		// Tenants.
		{method: "GET", path: "/api/tenants/me", handle: s.handleTenantMe, perm: self},
		{method: "PATCH", path: "/api/tenants/me", handle: s.handleTenantUpdateMe, perm: tenantsAdmin},
		{method: "GET", path: "/api/tenants/clients", handle: s.handleClientList, perm: tenantsAdmin},
		{method: "POST", path: "/api/tenants/clients", handle: s.handleClientCreate, perm: tenantsAdmin},
		{method: "GET", path: "/api/tenants/clients/{uuid}", handle: s.handleClientGet, perm: tenantsAdmin},
		{method: "PATCH", path: "/api/tenants/clients/{uuid}", handle: s.handleClientUpdate, perm: tenantsAdmin},
		{method: "POST", path: "/api/tenants/clients/{uuid}/login-as", handle: s.handleLoginAs, perm: tenantsAdmin},
		{method: "GET", path: "/api/audit-log", handle: s.handleAuditList, perm: auditRead},

		// Billing. Plans are public (pricing pages); the provider webhooks are
		// public and authenticated by their signatures.
		{method: "GET", path: "/api/billing/plans", handle: s.handlePlanList},
		{method: "GET", path: "/billing/return", handle: s.handleBillingReturn},
		{method: "GET", path: "/api/billing/subscription", handle: s.handleSubscription, perm: self},
		{method: "POST", path: "/api/billing/checkout", handle: s.handleCheckout, perm: billingAdmin},
		{method: "POST", path: "/api/billing/verify", handle: s.handleVerifyPayment, perm: billingAdmin},
		{method: "POST", path: "/api/billing/webhooks/stripe", handle: s.handleStripeWebhook, maxBody: webhookBodyLimit, class: classNone},
		{method: "POST", path: "/api/billing/webhooks/paystack", handle: s.handlePaystackWebhook, maxBody: webhookBodyLimit, class: classNone},
		// Catalog: artists, writers, payees.
		{method: "GET", path: "/api/artists", handle: s.handleArtistList, perm: catalogRead},
		{method: "POST", path: "/api/artists", handle: s.handleArtistCreate, perm: catalogWrite},
		{method: "GET", path: "/api/artists/{uuid}", handle: s.handleArtistGet, perm: catalogRead},
		{method: "PATCH", path: "/api/artists/{uuid}", handle: s.handleArtistUpdate, perm: catalogWrite},
		{method: "DELETE", path: "/api/artists/{uuid}", handle: s.handleArtistDelete, perm: catalogWrite},
		{method: "GET", path: "/api/writers", handle: s.handleWriterList, perm: catalogRead},
		{method: "POST", path: "/api/writers", handle: s.handleWriterCreate, perm: catalogWrite},
		{method: "GET", path: "/api/writers/{uuid}", handle: s.handleWriterGet, perm: catalogRead},
		{method: "PATCH", path: "/api/writers/{uuid}", handle: s.handleWriterUpdate, perm: catalogWrite},
		{method: "GET", path: "/api/payees", handle: s.handlePayeeList, perm: catalogRead},
		{method: "POST", path: "/api/payees", handle: s.handlePayeeCreate, perm: catalogWrite},
		{method: "GET", path: "/api/payees/{uuid}", handle: s.handlePayeeGet, perm: catalogRead},
		{method: "PATCH", path: "/api/payees/{uuid}", handle: s.handlePayeeUpdate, perm: catalogWrite},

		// Catalog: releases, their review, rights, tracks and stores.
		{method: "GET", path: "/api/releases", handle: s.handleReleaseList, perm: catalogRead},
		{method: "POST", path: "/api/releases", handle: s.handleReleaseCreate, perm: catalogWrite},
		{method: "GET", path: "/api/releases/{uuid}", handle: s.handleReleaseGet, perm: catalogRead},
		{method: "PATCH", path: "/api/releases/{uuid}", handle: s.handleReleaseUpdate, perm: catalogWrite},
		{method: "DELETE", path: "/api/releases/{uuid}", handle: s.handleReleaseDelete, perm: catalogWrite},
		{method: "POST", path: "/api/releases/{uuid}/submit", handle: s.handleReleaseSubmit, perm: catalogWrite, verified: true},
		{method: "GET", path: "/api/review/releases", handle: s.handleReviewList, perm: platform},
		{method: "POST", path: "/api/releases/{uuid}/approve", handle: s.handleReleaseApprove, perm: platform},
		{method: "POST", path: "/api/releases/{uuid}/reject", handle: s.handleReleaseReject, perm: platform},
		{method: "GET", path: "/api/releases/{uuid}/validation", handle: s.handleReleaseValidation, perm: catalogRead},
		{method: "GET", path: "/api/releases/{uuid}/rights", handle: s.handleRightsGet, perm: catalogRead},
		{method: "PUT", path: "/api/releases/{uuid}/rights", handle: s.handleRightsPut, perm: catalogWrite},
		{method: "GET", path: "/api/releases/{uuid}/tracks", handle: s.handleTrackList, perm: catalogRead},
		{method: "POST", path: "/api/releases/{uuid}/tracks", handle: s.handleTrackCreate, perm: catalogWrite},
		{method: "GET", path: "/api/releases/{uuid}/dsps", handle: s.handleReleaseDSPList, perm: catalogRead},
		{method: "POST", path: "/api/releases/{uuid}/dsps", handle: s.handleReleaseDSPAttach, perm: catalogWrite},
		{method: "PUT", path: "/api/releases/{uuid}/dsps/{dsp_slug}", handle: s.handleReleaseDSPPut, perm: catalogWrite},
		{method: "DELETE", path: "/api/releases/{uuid}/dsps/{dsp_slug}", handle: s.handleReleaseDSPDelete, perm: catalogWrite},
		{method: "GET", path: "/api/tracks/{uuid}", handle: s.handleTrackGet, perm: catalogRead},
		{method: "PATCH", path: "/api/tracks/{uuid}", handle: s.handleTrackUpdate, perm: catalogWrite},
		{method: "DELETE", path: "/api/tracks/{uuid}", handle: s.handleTrackDelete, perm: catalogWrite},
		{method: "GET", path: "/api/tracks/{uuid}/writers", handle: s.handleTrackWritersGet, perm: catalogRead},
		{method: "PUT", path: "/api/tracks/{uuid}/writers", handle: s.handleTrackWritersPut, perm: catalogWrite},
		{method: "GET", path: "/api/tracks/{uuid}/splits", handle: s.handleSplitsGet, perm: catalogRead},
		{method: "PUT", path: "/api/tracks/{uuid}/splits", handle: s.handleSplitsPut, perm: catalogWrite},
		{method: "GET", path: "/api/upc-pool", handle: s.handleUPCPoolGet, perm: tenantsAdmin},
		{method: "POST", path: "/api/upc-pool", handle: s.handleUPCPoolAdd, perm: tenantsAdmin},

		// Stores.
		{method: "GET", path: "/api/dsps", handle: s.handleDSPList, perm: catalogRead},
		{method: "GET", path: "/api/supply-chain/dsps", handle: s.handleDSPList, perm: catalogRead},

		// DSP configuration and DDEX delivery (issue #7).
		{method: "POST", path: "/api/dsps/{dsp_slug}", handle: s.handleDSPCreate, perm: platform},
		{method: "PATCH", path: "/api/dsps/{dsp_slug}", handle: s.handleDSPUpdate, perm: platform},
		{method: "GET", path: "/api/releases/{uuid}/ddex/{dsp_slug}/preview", handle: s.handleDDEXPreview, perm: catalogRead},
		{method: "POST", path: "/api/releases/{uuid}/ddex/deliver", handle: s.handleDeliveries(tonegrid.DeliveryNew), perm: ddexDeliver},
		{method: "POST", path: "/api/releases/{uuid}/ddex/deliver/{dsp_slug}", handle: s.handleDeliverOne, perm: ddexDeliver},
		{method: "POST", path: "/api/releases/{uuid}/ddex/redeliver", handle: s.handleDeliveries(tonegrid.DeliveryUpdate), perm: ddexDeliver},
		{method: "POST", path: "/api/releases/{uuid}/ddex/purge", handle: s.handleDeliveries(tonegrid.DeliveryPurge), perm: ddexDeliver},
		{method: "POST", path: "/api/releases/{uuid}/takedown", handle: s.handleTakedown, perm: ddexDeliver},
		{method: "GET", path: "/api/releases/{uuid}/ddex/deliveries", handle: s.handleDeliveryList, perm: catalogRead},
		{method: "GET", path: "/api/releases/{uuid}/ddex/deliveries/{delivery_uuid}/message", handle: s.handleDeliveryMessage, perm: catalogRead},
		// Bulk ingestion and webhooks (#8).
		{method: "POST", path: "/api/ingestion/bulk", handle: s.handleBulk, perm: tonegrid.PermIngestionWrite, class: classBulk, maxBody: bulkBodyLimit},
		{method: "GET", path: "/api/ingestion/jobs/{uuid}", handle: s.handleIngestionJob, perm: tonegrid.PermIngestionWrite},
		{method: "GET", path: "/api/webhooks", handle: s.handleWebhookList, perm: tonegrid.PermWebhooksManage},
		{method: "POST", path: "/api/webhooks", handle: s.handleWebhookCreate, perm: tonegrid.PermWebhooksManage},
		{method: "GET", path: "/api/webhooks/{uuid}", handle: s.handleWebhookGet, perm: tonegrid.PermWebhooksManage},
		{method: "PATCH", path: "/api/webhooks/{uuid}", handle: s.handleWebhookUpdate, perm: tonegrid.PermWebhooksManage},
		{method: "DELETE", path: "/api/webhooks/{uuid}", handle: s.handleWebhookDelete, perm: tonegrid.PermWebhooksManage},
		{method: "POST", path: "/api/webhooks/{uuid}/rotate-secret", handle: s.handleWebhookRotate, perm: tonegrid.PermWebhooksManage},
		{method: "GET", path: "/api/webhooks/{uuid}/deliveries", handle: s.handleWebhookDeliveries, perm: tonegrid.PermWebhooksManage},
		{method: "POST", path: "/api/webhooks/{uuid}/deliveries/{delivery_uuid}/redeliver", handle: s.handleWebhookRedeliver, perm: tonegrid.PermWebhooksManage},
		{method: "POST", path: "/api/webhooks/{uuid}/test", handle: s.handleWebhookTest, perm: tonegrid.PermWebhooksManage},
		// Finance: periods, sales-report imports, statements, payee
		// statements, payouts and analytics.
		{method: "GET", path: "/api/finance/periods", handle: s.handlePeriodList, perm: tonegrid.PermFinanceRead},
		{method: "POST", path: "/api/finance/periods", handle: s.handlePeriodCreate, perm: tonegrid.PermFinanceWrite},
		{method: "GET", path: "/api/finance/periods/{uuid}", handle: s.handlePeriodGet, perm: tonegrid.PermFinanceRead},
		{method: "POST", path: "/api/finance/imports", handle: s.handleImportCreate, perm: tonegrid.PermFinanceWrite, maxBody: importBodyLimit, streaming: true},
		{method: "GET", path: "/api/finance/imports/{uuid}", handle: s.handleImportGet, perm: tonegrid.PermFinanceRead},
		{method: "GET", path: "/api/finance/imports/{uuid}/unmatched", handle: s.handleImportUnmatched, perm: tonegrid.PermFinanceRead},
		{method: "GET", path: "/api/finance/statements", handle: s.handleStatementList, perm: tonegrid.PermFinanceRead},
		{method: "POST", path: "/api/finance/statements", handle: s.handleStatementCompute, perm: tonegrid.PermFinanceWrite},
		{method: "GET", path: "/api/finance/statements/{uuid}", handle: s.handleStatementGet, perm: tonegrid.PermFinanceRead},
		{method: "POST", path: "/api/finance/statements/{uuid}/approve", handle: s.handleStatementApprove, perm: tonegrid.PermFinanceWrite},
		{method: "POST", path: "/api/finance/statements/{uuid}/lock", handle: s.handleStatementLock, perm: tonegrid.PermFinanceWrite},
		{method: "GET", path: "/api/finance/statements/{uuid}/export", handle: s.handleStatementExport, perm: tonegrid.PermFinanceRead},
		{method: "GET", path: "/api/finance/payee-statements", handle: s.handlePayeeStatementList, perm: tonegrid.PermFinanceRead},
		{method: "GET", path: "/api/finance/payee-statements/{uuid}", handle: s.handlePayeeStatementGet, perm: tonegrid.PermFinanceRead},
		{method: "POST", path: "/api/finance/payee-statements/{uuid}/approve", handle: s.handlePayeeStatementApprove, perm: tonegrid.PermFinanceWrite},
		{method: "POST", path: "/api/finance/payee-statements/{uuid}/lock", handle: s.handlePayeeStatementLock, perm: tonegrid.PermFinanceWrite},
		{method: "GET", path: "/api/finance/payouts", handle: s.handlePayoutList, perm: tonegrid.PermFinanceRead},
		{method: "POST", path: "/api/finance/payouts", handle: s.handlePayoutCreate, perm: tonegrid.PermFinanceWrite, verified: true},
		{method: "GET", path: "/api/finance/payouts/{uuid}", handle: s.handlePayoutGet, perm: tonegrid.PermFinanceRead},
		{method: "POST", path: "/api/finance/payouts/{uuid}/mark-paid", handle: s.handlePayoutMarkPaid, perm: tonegrid.PermFinanceWrite},
		{method: "GET", path: "/api/analytics/releases", handle: s.analyticsHandler(tonegrid.ByRelease), perm: tonegrid.PermFinanceRead},
		{method: "GET", path: "/api/analytics/territories", handle: s.analyticsHandler(tonegrid.ByTerritory), perm: tonegrid.PermFinanceRead},
		{method: "GET", path: "/api/analytics/dsps", handle: s.analyticsHandler(tonegrid.ByDSP), perm: tonegrid.PermFinanceRead},
		// Media: file uploads stream to storage (streaming: never read
		// whole, so Idempotency-Key does not apply; a retried upload is a
		// new file that replaces the previous one), resumable uploads and
		// downloads.
		{method: "POST", path: "/api/tracks/{uuid}/audio", handle: s.handleTrackAudio, perm: catalogWrite, maxBody: audioBodyLimit, streaming: true},
		{method: "POST", path: "/api/releases/{uuid}/artwork", handle: s.handleReleaseArtwork, perm: catalogWrite, maxBody: imageBodyLimit, streaming: true},
		{method: "POST", path: "/api/releases/{uuid}/animated-artwork", handle: s.handleReleaseVideo(tonegrid.MediaAnimatedArtwork), perm: catalogWrite, maxBody: imageBodyLimit, streaming: true},
		{method: "POST", path: "/api/releases/{uuid}/videos", handle: s.handleReleaseVideo(tonegrid.MediaVideo), perm: catalogWrite, maxBody: videoBodyLimit, streaming: true},
		{method: "POST", path: "/api/uploads", handle: s.handleUploadCreate, perm: catalogWrite},
		{method: "GET", path: "/api/uploads/{id}", handle: s.handleUploadGet, perm: catalogRead},
		{method: "PUT", path: "/api/uploads/{id}/parts/{n}", handle: s.handleUploadPart, perm: catalogWrite, maxBody: uploadPartMaxBody, streaming: true},
		{method: "POST", path: "/api/uploads/{id}/complete", handle: s.handleUploadComplete, perm: catalogWrite},
		{method: "DELETE", path: "/api/uploads/{id}", handle: s.handleUploadDelete, perm: catalogWrite},
		{method: "GET", path: "/api/media/{uuid}/download", handle: s.handleMediaDownload, perm: catalogRead},
	}
}
