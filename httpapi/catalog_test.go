package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"tonegrid/app/apptest"
)

// artistData is the JSON of an artist.
type artistData struct {
	UUID      string   `json:"uuid"`
	Name      string   `json:"name"`
	Slug      string   `json:"slug"`
	Country   string   `json:"country"`
	ISNI      string   `json:"isni"`
	UserUUIDs []string `json:"user_uuids"`
}

func TestArtists(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Artists Label")
		var a artistData
		srv.Post("/api/artists", label.Token, map[string]any{"name": "Beyoncé Knowles", "country": "us", "isni": "0000 0001 2281 955X"}).
			Data(t, http.StatusCreated, &a)
		if a.Slug != "beyonce-knowles" || a.Country != "US" || a.ISNI != "000000012281955X" || len(a.UserUUIDs) != 0 {
			t.Errorf("created artist = %+v", a)
		}
		// The same name again gets the next free slug; an explicit taken
		// slug is a 409.
		var b artistData
		srv.Post("/api/artists", label.Token, map[string]any{"name": "Beyonce Knowles"}).Data(t, http.StatusCreated, &b)
		if b.Slug != "beyonce-knowles-2" {
			t.Errorf("second slug = %q, want beyonce-knowles-2", b.Slug)
		}
		srv.Post("/api/artists", label.Token, map[string]any{"name": "Someone", "slug": "beyonce-knowles"}).
			ExpectError(t, http.StatusConflict, "slug_taken", "Artist slug already taken.")
		srv.Patch("/api/artists/"+b.UUID, label.Token, map[string]any{"slug": "beyonce-knowles"}).
			ExpectError(t, http.StatusConflict, "slug_taken", "Artist slug already taken.")
		// Another workspace may use the same slug.
		other := srv.Label(t, "Other Label")
		srv.Post("/api/artists", other.Token, map[string]any{"name": "X", "slug": "beyonce-knowles"}).ExpectStatus(t, http.StatusCreated)

		var got artistData
		srv.Patch("/api/artists/"+a.UUID, label.Token, map[string]any{"name": "Queen B", "country": nil, "isni": ""}).Data(t, http.StatusOK, &got)
		if got.Name != "Queen B" || got.Slug != "beyonce-knowles" || got.Country != "" || got.ISNI != "" {
			t.Errorf("patched artist = %+v", got)
		}
		srv.Get("/api/artists/"+unknownUUID, label.Token).ExpectError(t, http.StatusNotFound, "artist_not_found", "Artist not found.")
		srv.Get("/api/artists/not-a-uuid", label.Token).ExpectError(t, http.StatusNotFound, "artist_not_found", "Artist not found.")

		// Validation.
		e := srv.Post("/api/artists", label.Token, map[string]any{"name": "Bad\x07Name", "slug": "Not A Slug", "country": "XX",
			"isni": "0000000122819551", "user_uuids": []string{"nope", unknownUUID}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for field, msg := range map[string]string{
			"name":         "Must not contain control characters.",
			"slug":         "Must be lowercase letters, digits and single dashes, at most 80 characters.",
			"country":      "Must be an ISO 3166-1 alpha-2 country code.",
			"isni":         "Must be a valid ISNI (16 characters, correct check character).",
			"user_uuids.0": "Must be a valid UUID.",
		} {
			if got := e.Errors[field]; len(got) != 1 || got[0] != msg {
				t.Errorf("errors[%s] = %v, want %q", field, got, msg)
			}
		}
		e = srv.Post("/api/artists", label.Token, map[string]any{"name": "Linked", "user_uuids": []string{unknownUUID}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if got := e.Errors["user_uuids.0"]; len(got) != 1 || got[0] != "Does not exist in this workspace." {
			t.Errorf("unknown user errors = %v", e.Errors)
		}

		// Deleting: a credited artist stays.
		rel := srv.Release(t, label.Token, a.UUID, nil)
		srv.Delete("/api/artists/"+a.UUID, label.Token).
			ExpectError(t, http.StatusConflict, "artist_in_use", "This artist is credited on releases or tracks and cannot be deleted.")
		srv.Delete("/api/releases/"+rel.UUID, label.Token).ExpectStatus(t, http.StatusOK)
		srv.Delete("/api/artists/"+a.UUID, label.Token).ExpectStatus(t, http.StatusOK)
		srv.Get("/api/artists/"+a.UUID, label.Token).ExpectError(t, http.StatusNotFound, "artist_not_found", "Artist not found.")
	})
}

func TestArtistListFiltersAndSorts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "List Label")
		for _, n := range []string{"Charlie Parker", "alice coltrane", "Bill Evans", "100% Pure", "Under_score"} {
			srv.Artist(t, label.Token, n)
		}
		names := func(path string) []string {
			t.Helper()
			var list []artistData
			srv.Get(path, label.Token).Data(t, http.StatusOK, &list)
			var out []string
			for _, a := range list {
				out = append(out, a.Name)
			}
			return out
		}
		if got := strings.Join(names("/api/artists?sort=name"), ","); got != "100% Pure,alice coltrane,Bill Evans,Charlie Parker,Under_score" {
			t.Errorf("sort=name: %s", got)
		}
		if got := strings.Join(names("/api/artists"), ","); got != "Under_score,100% Pure,Bill Evans,alice coltrane,Charlie Parker" {
			t.Errorf("default order (newest first): %s", got)
		}
		if got := strings.Join(names("/api/artists?q=ALICE"), ","); got != "alice coltrane" {
			t.Errorf("q=ALICE: %s", got)
		}
		// LIKE wildcards in q are literal.
		if got := strings.Join(names("/api/artists?q=%25"), ","); got != "100% Pure" {
			t.Errorf("q=%%: %s", got)
		}
		if got := strings.Join(names("/api/artists?q=_"), ","); got != "Under_score" {
			t.Errorf("q=_: %s", got)
		}
		var page struct {
			Data []artistData `json:"data"`
			Meta struct {
				Page, PerPage, Total int
			} `json:"meta"`
		}
		resp := srv.Get("/api/artists?per_page=2&page=2&sort=-name", label.Token)
		resp.JSON(t, &page)
		if len(page.Data) != 2 || page.Data[0].Name != "Bill Evans" || page.Meta.Total != 5 {
			t.Errorf("page 2 = %s", resp.Body)
		}
		e := srv.Get("/api/artists?sort=slug", label.Token).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if len(e.Errors["sort"]) != 1 {
			t.Errorf("sort errors = %v", e.Errors)
		}
	})
}

func TestWritersAndPayees(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Publishing Label")
		var w struct {
			UUID string `json:"uuid"`
			IPI  string `json:"ipi"`
			PRO  string `json:"pro"`
		}
		srv.Post("/api/writers", label.Token, map[string]any{"name": "Carole King", "ipi": "123456789", "pro": "BMI"}).Data(t, http.StatusCreated, &w)
		if w.IPI != "00123456789" || w.PRO != "BMI" {
			t.Errorf("writer = %+v", w)
		}
		srv.Patch("/api/writers/"+w.UUID, label.Token, map[string]any{"pro": "ASCAP"}).Data(t, http.StatusOK, &w)
		if w.PRO != "ASCAP" || w.IPI != "00123456789" {
			t.Errorf("patched writer = %+v", w)
		}
		e := srv.Post("/api/writers", label.Token, map[string]any{"name": "", "ipi": "12"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["ipi"][0] != "Must be a valid IPI name number (9 to 11 digits)." || e.Errors["name"][0] != "This field is required." {
			t.Errorf("writer errors = %v", e.Errors)
		}
		srv.Get("/api/writers/"+unknownUUID, label.Token).ExpectError(t, http.StatusNotFound, "writer_not_found", "Writer not found.")
		srv.Patch("/api/writers/"+unknownUUID, label.Token, map[string]any{"name": "x"}).
			ExpectError(t, http.StatusNotFound, "writer_not_found", "Writer not found.")

		var y struct {
			UUID     string `json:"uuid"`
			Email    string `json:"email"`
			Currency string `json:"currency"`
		}
		srv.Post("/api/payees", label.Token, map[string]any{"name": "Ada", "email": "ADA@example.com", "currency": "eur"}).Data(t, http.StatusCreated, &y)
		if y.Email != "ada@example.com" || y.Currency != "EUR" {
			t.Errorf("payee = %+v", y)
		}
		e = srv.Post("/api/payees", label.Token, map[string]any{"name": "Bob", "email": "bob@example.com", "currency": "EURO"}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		if e.Errors["currency"][0] != "Must be an ISO 4217 currency code such as USD or EUR." {
			t.Errorf("payee errors = %v", e.Errors)
		}
		var list []struct{ UUID string }
		srv.Get("/api/payees?q=ada@", label.Token).Data(t, http.StatusOK, &list)
		if len(list) != 1 || list[0].UUID != y.UUID {
			t.Errorf("payee search = %+v", list)
		}
		srv.Get("/api/payees/"+unknownUUID, label.Token).ExpectError(t, http.StatusNotFound, "payee_not_found", "Payee not found.")
		srv.Patch("/api/payees/"+unknownUUID, label.Token, map[string]any{"name": "x"}).
			ExpectError(t, http.StatusNotFound, "payee_not_found", "Payee not found.")
	})
}

func TestDSPList(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "DSP Reader")
		for _, path := range []string{"/api/dsps", "/api/supply-chain/dsps"} {
			var dsps []struct {
				Slug     string `json:"slug"`
				Name     string `json:"name"`
				Delivery struct {
					Protocol string `json:"protocol"`
				} `json:"delivery"`
			}
			srv.Get(path, label.Token).Data(t, http.StatusOK, &dsps)
			found := false
			for _, d := range dsps {
				if d.Slug == "spotify" && d.Name == "Spotify" && d.Delivery.Protocol == "dir" {
					found = true
				}
			}
			if len(dsps) < 10 || !found {
				t.Errorf("%s = %+v", path, dsps)
			}
		}
		srv.Get("/api/dsps", "").ExpectError(t, http.StatusUnauthorized, "token_missing", "Authentication token is missing.")
	})
}
