package httpapi_test

import (
	"net/http"
	"testing"

	"tonegrid/app/apptest"
)

// TestPlanLimitsOnReleasesAndStores checks the free plan's release and store
// limits, and that a paid plan lifts them.
func TestPlanLimitsOnReleasesAndStores(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		a := srv.Label(t, "Free Label")
		artist := srv.Artist(t, a.Token, "Free Artist")
		var first apptest.Object
		for i := 0; i < 12; i++ {
			r := srv.Release(t, a.Token, artist, nil)
			if i == 0 {
				first = r
			}
		}
		srv.Post("/api/releases", a.Token, apptest.ReleaseBody(artist, nil)).
			ExpectError(t, http.StatusUnprocessableEntity, "plan_limit_reached", "Your plan allows 12 releases per year. Upgrade your plan to add more.")

		path := "/api/releases/" + first.UUID + "/dsps"
		srv.Post(path, a.Token, map[string]any{"dsps": []string{"spotify", "apple-music", "deezer"}}).ExpectStatus(t, http.StatusOK)
		// Re-attaching attached stores costs nothing; a fifth is refused.
		srv.Post(path, a.Token, map[string]any{"dsps": []string{"spotify", "tidal"}}).ExpectStatus(t, http.StatusOK)
		srv.Post(path, a.Token, map[string]any{"dsps": []string{"tiktok"}}).
			ExpectError(t, http.StatusUnprocessableEntity, "plan_limit_reached", "Your plan allows 4 stores per release. Upgrade your plan to add more.")
		srv.Do(apptest.Request{Method: "PUT", Path: path + "/tiktok", Token: a.Token, Body: map[string]any{"is_blocked": false}}).
			ExpectError(t, http.StatusUnprocessableEntity, "plan_limit_reached", "Your plan allows 4 stores per release. Upgrade your plan to add more.")

		srv.SetPlan(t, a.TenantUUID, "label")
		srv.Post(path, a.Token, map[string]any{"dsps": []string{"tiktok", "meta"}}).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/releases", a.Token, apptest.ReleaseBody(artist, nil)).ExpectStatus(t, http.StatusCreated)
	})
}
