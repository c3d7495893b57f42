package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/app/apptest"
)

func TestSubmitChecksInOrder(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Submit Label")
		artist := srv.Artist(t, label.Token, "Nina Blue")
		rel := srv.Release(t, label.Token, artist, map[string]any{"release_date": nil})
		submit := "/api/releases/" + rel.UUID + "/submit"

		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "release_no_tracks", "Please add at least one track before submitting.")
		tr := srv.Track(t, label.Token, rel.UUID, "One")
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "release_no_dsps", "Please select at least one store before submitting.")
		// A blocked store does not count.
		srv.Put("/api/releases/"+rel.UUID+"/dsps/spotify", label.Token, map[string]any{"is_blocked": true}).ExpectStatus(t, http.StatusOK)
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "release_no_dsps", "Please select at least one store before submitting.")
		srv.Put("/api/releases/"+rel.UUID+"/dsps/spotify", label.Token, map[string]any{"is_blocked": false}).ExpectStatus(t, http.StatusOK)
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "release_no_date", "Please set a release date before submitting.")
		soon := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
		srv.Patch("/api/releases/"+rel.UUID, label.Token, map[string]any{"release_date": soon}).ExpectStatus(t, http.StatusOK)
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "release_date_too_soon", "The release date must be at least 7 days from today.")
		srv.Patch("/api/releases/"+rel.UUID, label.Token, map[string]any{"release_date": time.Now().UTC().AddDate(0, 0, 8).Format(time.DateOnly)}).
			ExpectStatus(t, http.StatusOK)
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "track_audio_missing", "Every track needs an audio file before submitting.")
		srv.SetAudio(t, tr.UUID, apptest.StoreReadyAudio)
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "artwork_missing", "Please add artwork before submitting.")
		srv.SetArtwork(t, rel.UUID, tonegrid.Artwork{Format: "jpeg", Width: 1400, Height: 1400, ColorModel: "RGB"})
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "release_invalid", "This release has blocking validation issues. See GET /releases/:uuid/validation.")
		srv.SetArtwork(t, rel.UUID, apptest.StoreReadyArtwork)
		// Still no UPC and no pool.
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "release_invalid", "This release has blocking validation issues. See GET /releases/:uuid/validation.")
		srv.Patch("/api/releases/"+rel.UUID, label.Token, map[string]any{"upc": apptest.UniqueUPC()}).ExpectStatus(t, http.StatusOK)

		var r releaseData
		resp := srv.Post(submit, label.Token, nil)
		resp.Data(t, http.StatusOK, &r)
		if r.Status != "pending_review" || resp.Header.Get("ETag") != tonegrid.ETag(r.RowVersion) {
			t.Fatalf("submitted = %s", resp.Body)
		}

		// In review, nothing about the release changes.
		srv.Post(submit, label.Token, nil).
			ExpectError(t, http.StatusConflict, "release_not_submittable", "Only draft or rejected releases can be submitted.")
		srv.Patch("/api/releases/"+rel.UUID, label.Token, map[string]any{"title": "x"}).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		srv.Delete("/api/releases/"+rel.UUID, label.Token).
			ExpectError(t, http.StatusConflict, "release_not_deletable", "Only draft or rejected releases can be deleted.")
		srv.Post("/api/releases/"+rel.UUID+"/tracks", label.Token, map[string]any{"title": "Late"}).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		srv.Patch("/api/tracks/"+tr.UUID, label.Token, map[string]any{"title": "x"}).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		srv.Delete("/api/tracks/"+tr.UUID, label.Token).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		srv.Put("/api/tracks/"+tr.UUID+"/writers", label.Token, map[string]any{"writers": []any{}}).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		srv.Put("/api/releases/"+rel.UUID+"/rights", label.Token, map[string]any{"master_owner": "x", "ownership_percent": 100, "rights_types": []string{"stream"}}).
			ExpectError(t, http.StatusConflict, "release_not_editable", "Only draft or rejected releases can be edited.")
		// Stores and splits may still change.
		srv.Post("/api/releases/"+rel.UUID+"/dsps", label.Token, map[string]any{"dsps": []string{"deezer"}}).ExpectStatus(t, http.StatusOK)
		payee := srv.Payee(t, label.Token, "P")
		srv.Put("/api/tracks/"+tr.UUID+"/splits", label.Token, map[string]any{"splits": []map[string]any{{"payee_uuid": payee, "percentage": 100}}}).
			ExpectStatus(t, http.StatusOK)

		srv.Post("/api/releases/"+unknownUUID+"/submit", label.Token, nil).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
	})
}

func TestSubmitNeedsAVerifiedEmail(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		unverified := srv.Signup(t, apptest.UniqueEmail("unverified"), "Unverified Label")
		rel, _ := srv.SubmittableRelease(t, unverified.Token, srv.Artist(t, unverified.Token, "A"), 1)
		srv.Post("/api/releases/"+rel.UUID+"/submit", unverified.Token, nil).
			ExpectError(t, http.StatusForbidden, "email_unverified", "Please verify your email address first.")
		srv.Verify(t, unverified)
		srv.Post("/api/releases/"+rel.UUID+"/submit", unverified.Token, nil).ExpectStatus(t, http.StatusOK)
	})
}

func TestReview(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Review Label")
		admin := srv.Admin(t)
		artist := srv.Artist(t, label.Token, "Nina Blue")
		rel, _ := srv.SubmittableRelease(t, label.Token, artist, 2)
		approve, reject := "/api/releases/"+rel.UUID+"/approve", "/api/releases/"+rel.UUID+"/reject"

		// Only platform staff see the review routes.
		staff := inviteAndAccept(t, srv, label, "staff")
		for _, tok := range []string{label.Token, staff.Token, apiKey(t, srv, label, "catalog:write"), ""} {
			srv.Post(approve, tok, nil).ExpectError(t, http.StatusNotFound, "route_not_found", "Endpoint not found.")
			srv.Post(reject, tok, map[string]any{"reason": "no"}).ExpectError(t, http.StatusNotFound, "route_not_found", "Endpoint not found.")
		}
		srv.Post(approve, admin.Token, nil).
			ExpectError(t, http.StatusConflict, "release_not_pending", "Only releases pending review can be approved or rejected.")
		srv.Post("/api/releases/"+rel.UUID+"/submit", label.Token, nil).ExpectStatus(t, http.StatusOK)

		var queue []struct {
			UUID       string `json:"uuid"`
			Status     string `json:"status"`
			TenantUUID string `json:"tenant_uuid"`
			TenantName string `json:"tenant_name"`
		}
		srv.Get("/api/review/releases", admin.Token).Data(t, http.StatusOK, &queue)
		found := false
		for _, q := range queue {
			if q.UUID == rel.UUID {
				found = q.Status == "pending_review" && q.TenantUUID == label.TenantUUID && q.TenantName == "Review Label"
			}
		}
		if !found {
			t.Errorf("review queue lacks the submitted release: %+v", queue)
		}
		srv.Get("/api/review/releases", label.Token).ExpectError(t, http.StatusNotFound, "route_not_found", "Endpoint not found.")

		e := srv.Post(reject, admin.Token, map[string]any{"reason": " "}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["reason"][0] != "This field is required." {
			t.Errorf("reason errors = %v", e.Errors)
		}
		var r releaseData
		srv.Post(reject, admin.Token, map[string]any{"reason": "Artwork has a URL on it."}).Data(t, http.StatusOK, &r)
		if r.Status != "rejected" || r.RejectReason != "Artwork has a URL on it." {
			t.Errorf("rejected = %+v", r)
		}
		srv.Get("/api/releases/"+rel.UUID, label.Token).Data(t, http.StatusOK, &r)
		if r.Status != "rejected" || r.RejectReason != "Artwork has a URL on it." {
			t.Errorf("label sees %+v", r)
		}
		srv.Post(reject, admin.Token, map[string]any{"reason": "again"}).
			ExpectError(t, http.StatusConflict, "release_not_pending", "Only releases pending review can be approved or rejected.")
		// Rejected is editable again; resubmitting clears the reason.
		srv.Patch("/api/releases/"+rel.UUID, label.Token, map[string]any{"title": "Fixed"}).ExpectStatus(t, http.StatusOK)
		var again releaseData
		srv.Post("/api/releases/"+rel.UUID+"/submit", label.Token, nil).Data(t, http.StatusOK, &again)
		if again.Status != "pending_review" || again.RejectReason != "" {
			t.Errorf("resubmitted = %+v", again)
		}
		var ok releaseData
		srv.Post(approve, admin.Token, nil).Data(t, http.StatusOK, &ok)
		if ok.Status != "approved" || ok.UPC == "" {
			t.Errorf("approved = %+v", ok)
		}
		srv.Post(approve, admin.Token, nil).
			ExpectError(t, http.StatusConflict, "release_not_pending", "Only releases pending review can be approved or rejected.")
		srv.Post("/api/releases/"+unknownUUID+"/approve", admin.Token, nil).
			ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")

		// The lifecycle went through the outbox and the audit log.
		types := eventTypes(t, srv, rel.UUID)
		want := "release.created,release.submitted,release.rejected,release.submitted,release.approved"
		if strings.Join(types, ",") != want {
			t.Errorf("events = %v, want %s", types, want)
		}
		if !auditHas(t, srv, label.Token, "release.approved") || !auditHas(t, srv, label.Token, "release.rejected") {
			t.Error("audit log lacks the review")
		}
		srv.Delete("/api/releases/"+srv.Release(t, label.Token, artist, nil).UUID, label.Token).ExpectStatus(t, http.StatusOK)
	})
}

// eventTypes lists the outbox events about the release with uuid, oldest
// first.
func eventTypes(t *testing.T, srv *apptest.Server, uuid string) []string {
	t.Helper()
	events, err := srv.DB.EventsAfter(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		var data struct {
			UUID string `json:"uuid"`
		}
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatalf("event %s data %s: %v", e.Type, e.Data, err)
		}
		if data.UUID == uuid {
			out = append(out, e.Type)
			if e.TenantUUID == "" || e.UUID == "" {
				t.Errorf("event %+v lacks ids", e)
			}
		}
	}
	return out
}

func TestEventsOfDeletedRelease(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Events Label")
		rel := srv.Release(t, label.Token, srv.Artist(t, label.Token, "A"), nil)
		srv.Delete("/api/releases/"+rel.UUID, label.Token).ExpectStatus(t, http.StatusOK)
		if got := strings.Join(eventTypes(t, srv, rel.UUID), ","); got != "release.created,release.deleted" {
			t.Errorf("events = %s", got)
		}
		// A failed change writes no event.
		rel = srv.Release(t, label.Token, srv.Artist(t, label.Token, "B"), nil)
		srv.Post("/api/releases/"+rel.UUID+"/submit", label.Token, nil).ExpectStatus(t, http.StatusUnprocessableEntity)
		if got := strings.Join(eventTypes(t, srv, rel.UUID), ","); got != "release.created" {
			t.Errorf("events after a refused submit = %s", got)
		}
	})
}

func TestUPCPool(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Pool Label")
		admin := srv.Admin(t)
		artist := srv.Artist(t, label.Token, "A")
		var pool struct {
			Added     int `json:"added"`
			Total     int `json:"total"`
			Available int `json:"available"`
		}
		srv.Get("/api/upc-pool", label.Token).Data(t, http.StatusOK, &pool)
		if pool.Total != 0 || pool.Available != 0 {
			t.Errorf("empty pool = %+v", pool)
		}
		used := apptest.UniqueUPC()
		srv.Release(t, label.Token, artist, map[string]any{"upc": used})
		low, high := apptest.UniqueUPC(), apptest.UniqueUPC()
		srv.Post("/api/upc-pool", label.Token, map[string]any{"upcs": []string{high, low[:6] + " " + low[6:], low, used}}).
			Data(t, http.StatusOK, &pool)
		if pool.Added != 2 || pool.Total != 2 || pool.Available != 2 {
			t.Errorf("after adding = %+v", pool)
		}
		e := srv.Post("/api/upc-pool", label.Token, map[string]any{"upcs": []string{"123"}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["upcs.0"]) != 1 {
			t.Errorf("pool errors = %v", e.Errors)
		}
		staff := inviteAndAccept(t, srv, label, "staff")
		srv.Post("/api/upc-pool", staff.Token, map[string]any{"upcs": []string{low}}).
			ExpectError(t, http.StatusForbidden, "forbidden", "You do not have permission to perform this action.")

		// Two releases without a UPC pass the UPC rule while codes are free.
		first := submittableWithoutUPC(t, srv, label, artist)
		second := submittableWithoutUPC(t, srv, label, artist)
		third := submittableWithoutUPC(t, srv, label, artist)
		var items []tonegrid.ValidationItem
		items = validationOf(t, srv, label.Token, first)
		if !hasItem(items, "warning", "upc", "upc_from_pool", "") {
			t.Errorf("validation without UPC, with a pool = %+v", items)
		}
		for _, r := range []string{first, second, third} {
			srv.Post("/api/releases/"+r+"/submit", label.Token, nil).ExpectStatus(t, http.StatusOK)
		}
		var a, b releaseData
		srv.Post("/api/releases/"+second+"/approve", admin.Token, nil).Data(t, http.StatusOK, &a)
		srv.Post("/api/releases/"+first+"/approve", admin.Token, nil).Data(t, http.StatusOK, &b)
		codes := []string{low, high}
		sort.Strings(codes)
		if a.UPC != codes[0] || b.UPC != codes[1] {
			t.Errorf("assigned %s then %s, want %v", a.UPC, b.UPC, codes)
		}
		srv.Post("/api/releases/"+third+"/approve", admin.Token, nil).
			ExpectError(t, http.StatusUnprocessableEntity, "upc_pool_empty", "The UPC pool has no free code left. Add codes with POST /upc-pool.")
		srv.Get("/api/upc-pool", label.Token).Data(t, http.StatusOK, &pool)
		if pool.Total != 2 || pool.Available != 0 {
			t.Errorf("exhausted pool = %+v", pool)
		}
		// The third stays pending and is approved once codes arrive.
		srv.Post("/api/upc-pool", label.Token, map[string]any{"upcs": []string{apptest.UniqueUPC()}}).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/releases/"+third+"/approve", admin.Token, nil).ExpectStatus(t, http.StatusOK)
	})
}

// submittableWithoutUPC is SubmittableRelease without a UPC.
func submittableWithoutUPC(t *testing.T, srv *apptest.Server, a *apptest.Account, artist string) string {
	t.Helper()
	rel, _ := srv.SubmittableRelease(t, a.Token, artist, 1)
	srv.Patch("/api/releases/"+rel.UUID, a.Token, map[string]any{"upc": nil}).ExpectStatus(t, http.StatusOK)
	return rel.UUID
}

func validationOf(t *testing.T, srv *apptest.Server, token, uuid string) []tonegrid.ValidationItem {
	t.Helper()
	var rep struct {
		Valid    bool                      `json:"valid"`
		Blocking int                       `json:"blocking"`
		Warnings int                       `json:"warnings"`
		Items    []tonegrid.ValidationItem `json:"items"`
	}
	srv.Get("/api/releases/"+uuid+"/validation", token).Data(t, http.StatusOK, &rep)
	blocking := 0
	for _, it := range rep.Items {
		if it.Severity == "blocking" {
			blocking++
		}
	}
	if rep.Blocking != blocking || rep.Warnings != len(rep.Items)-blocking || rep.Valid != (blocking == 0) {
		t.Errorf("report counts %d/%d/%v do not match its items %+v", rep.Blocking, rep.Warnings, rep.Valid, rep.Items)
	}
	return rep.Items
}

// hasItem reports whether items hold one with these severity, field, code
// and store ("" for every store).
func hasItem(items []tonegrid.ValidationItem, severity, field, code, dsp string) bool {
	for _, it := range items {
		d := ""
		if it.DSP != nil {
			d = *it.DSP
		}
		if it.Severity == severity && it.Field == field && it.Code == code && d == dsp {
			return true
		}
	}
	return false
}

func TestValidationReport(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Validation Label")
		artist := srv.Artist(t, label.Token, "A")
		rel, tracks := srv.SubmittableRelease(t, label.Token, artist, 3)
		if items := validationOf(t, srv, label.Token, rel.UUID); len(items) != 0 {
			t.Fatalf("a store-ready release has items: %+v", items)
		}
		srv.Post("/api/releases/"+rel.UUID+"/dsps", label.Token, map[string]any{"dsps": []string{"apple-music"}}).ExpectStatus(t, http.StatusOK)
		srv.Patch("/api/releases/"+rel.UUID, label.Token, map[string]any{"title": "Blue (Clean Version)", "c_line": nil,
			"localized_titles": map[string]string{"fr": "Bleu explicit"}, "original_release_date": "2099-01-01"}).ExpectStatus(t, http.StatusOK)
		srv.SetArtwork(t, rel.UUID, tonegrid.Artwork{Format: "png", Width: 2000, Height: 1800, ColorModel: "CMYK"})
		srv.SetAudio(t, tracks[0].UUID, tonegrid.Audio{Format: "mp3", SampleRate: 22050, Channels: 1, DurationMS: 20000})
		srv.Patch("/api/tracks/"+tracks[1].UUID, label.Token, map[string]any{"isrc": nil, "position": 1, "explicit": true,
			"title": "Explicit Content", "preview_start_s": 400}).ExpectStatus(t, http.StatusOK)
		var w struct{ UUID string }
		srv.Post("/api/writers", label.Token, map[string]any{"name": "Comp"}).Data(t, http.StatusCreated, &w)
		srv.Put("/api/tracks/"+tracks[2].UUID+"/writers", label.Token, map[string]any{"writers": []map[string]any{
			{"writer_uuid": w.UUID, "role": "composer_lyricist", "share": 100}}}).ExpectStatus(t, http.StatusOK)
		srv.Patch("/api/tracks/"+tracks[0].UUID, label.Token, map[string]any{"contributors": []map[string]string{{"name": "C", "role": "composer"}}}).
			ExpectStatus(t, http.StatusOK)

		items := validationOf(t, srv, label.Token, rel.UUID)
		for _, want := range []struct{ severity, field, code, dsp string }{
			{"blocking", "original_release_date", "original_date_after_release", ""},
			{"warning", "c_line", "c_line_missing", ""},
			{"blocking", "tracks.1.isrc", "isrc_missing", ""},
			{"blocking", "tracks.1.position", "position_duplicate", ""},
			{"warning", "parental_advisory", "advisory_mismatch", ""},
			{"blocking", "artwork", "artwork_too_small", "spotify"},
			{"blocking", "artwork", "artwork_not_square", "apple-music"},
			{"blocking", "artwork", "artwork_not_rgb", "spotify"},
			{"blocking", "title", "title_forbidden_word", "spotify"},
			{"blocking", "localized_titles.fr", "title_forbidden_word", "apple-music"},
			{"blocking", "tracks.1.title", "title_forbidden_word", "apple-music"},
			{"blocking", "tracks.0.audio", "audio_channels", "spotify"},
			{"blocking", "tracks.0.audio", "audio_bit_depth", "spotify"},
			{"blocking", "tracks.0.audio", "audio_sample_rate", "apple-music"},
			{"blocking", "tracks.1.preview_start_s", "preview_after_end", ""},
			{"blocking", "tracks.1.writers", "composer_missing", "apple-music"},
		} {
			if !hasItem(items, want.severity, want.field, want.code, want.dsp) {
				t.Errorf("report lacks %+v", want)
			}
		}
		// Composer credits are Apple Music's rule only, and tracks 0 (a
		// composer contributor) and 2 (a composer writer) have one.
		for _, it := range items {
			if it.Code == "composer_missing" && (*it.DSP != "apple-music" || it.Field != "tracks.1.writers") {
				t.Errorf("unexpected %+v", it)
			}
		}
		// Inactive or blocked stores are not checked.
		srv.Put("/api/releases/"+rel.UUID+"/dsps/apple-music", label.Token, map[string]any{"is_blocked": true}).ExpectStatus(t, http.StatusOK)
		for _, it := range validationOf(t, srv, label.Token, rel.UUID) {
			if it.DSP != nil && *it.DSP == "apple-music" {
				t.Errorf("blocked store checked: %+v", it)
			}
		}
		srv.Get("/api/releases/"+unknownUUID+"/validation", label.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
	})
}

func TestReleaseDSPs(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Stores Label")
		rel := srv.Release(t, label.Token, srv.Artist(t, label.Token, "A"), nil)
		path := "/api/releases/" + rel.UUID + "/dsps"
		type attached struct {
			DSP struct {
				Slug string `json:"slug"`
			} `json:"dsp"`
			IsBlocked   bool    `json:"is_blocked"`
			ReleaseDate *string `json:"release_date"`
			PriceTier   string  `json:"price_tier"`
		}
		var list []attached
		srv.Get(path, label.Token).Data(t, http.StatusOK, &list)
		if len(list) != 0 {
			t.Errorf("fresh release stores = %+v", list)
		}
		srv.Post(path, label.Token, map[string]any{"dsps": []string{"spotify", "apple-music", "spotify"}}).Data(t, http.StatusOK, &list)
		if len(list) != 2 || list[0].DSP.Slug != "apple-music" || list[1].DSP.Slug != "spotify" {
			t.Errorf("attached = %+v", list)
		}
		srv.Post(path, label.Token, map[string]any{"dsps": []string{"deezer", "napster"}}).
			ExpectError(t, http.StatusNotFound, "dsp_not_found", "DSP 'napster' not found or inactive.")
		srv.Get(path, label.Token).Data(t, http.StatusOK, &list)
		if len(list) != 2 {
			t.Errorf("a failed attach attached %+v", list)
		}
		// An inactive store cannot be attached.
		if _, err := srv.DB.WriteDB().ExecContext(context.Background(), `UPDATE dsps SET is_active = FALSE WHERE slug = 'pandora'`); err != nil {
			t.Fatal(err)
		}
		srv.Post(path, label.Token, map[string]any{"dsps": []string{"pandora"}}).
			ExpectError(t, http.StatusNotFound, "dsp_not_found", "DSP 'pandora' not found or inactive.")

		var one attached
		srv.Put(path+"/spotify", label.Token, map[string]any{"is_blocked": true, "release_date": "2027-06-01", "price_tier": "budget"}).
			Data(t, http.StatusOK, &one)
		if !one.IsBlocked || *one.ReleaseDate != "2027-06-01" || one.PriceTier != "budget" {
			t.Errorf("overrides = %+v", one)
		}
		srv.Put(path+"/spotify", label.Token, map[string]any{"release_date": nil}).Data(t, http.StatusOK, &one)
		if !one.IsBlocked || one.ReleaseDate != nil || one.PriceTier != "budget" {
			t.Errorf("after clearing the date = %+v", one)
		}
		// PUT attaches a store that is not attached yet.
		srv.Put(path+"/tidal", label.Token, nil).Data(t, http.StatusOK, &one)
		if one.DSP.Slug != "tidal" || one.IsBlocked {
			t.Errorf("attached by PUT = %+v", one)
		}
		srv.Put(path+"/napster", label.Token, map[string]any{}).
			ExpectError(t, http.StatusNotFound, "dsp_not_found", "DSP 'napster' not found or inactive.")
		srv.Put(path+"/Not%20A%20Slug", label.Token, map[string]any{}).
			ExpectError(t, http.StatusNotFound, "dsp_not_found", "DSP 'Not A Slug' not found or inactive.")
		e := srv.Put(path+"/spotify", label.Token, map[string]any{"release_date": "soon"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["release_date"]) != 1 {
			t.Errorf("override errors = %v", e.Errors)
		}

		srv.Delete(path+"/apple-music", label.Token).ExpectStatus(t, http.StatusOK)
		srv.Delete(path+"/apple-music", label.Token).
			ExpectError(t, http.StatusNotFound, "release_dsp_not_attached", "DSP 'apple-music' is not attached to this release.")
		srv.Delete(path+"/napster", label.Token).ExpectError(t, http.StatusNotFound, "dsp_not_found", "DSP 'napster' not found or inactive.")
		srv.Get(path, label.Token).Data(t, http.StatusOK, &list)
		if len(list) != 2 {
			t.Errorf("after removing = %+v", list)
		}
		e = srv.Post(path, label.Token, map[string]any{"dsps": []string{}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["dsps"]) != 1 {
			t.Errorf("empty attach errors = %v", e.Errors)
		}
		srv.Get("/api/releases/"+unknownUUID+"/dsps", label.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
	})
}
