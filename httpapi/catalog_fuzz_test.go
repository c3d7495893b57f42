package httpapi

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"tonegrid/money"
)

// FuzzCatalogBodies feeds arbitrary bytes to the decoding and checking of
// the catalog's request bodies: nothing may panic, a body is either refused
// or yields values that hold the checks' promises.
func FuzzCatalogBodies(f *testing.F) {
	for _, seed := range []string{
		`{"title":"Blue","type":"album","artist_uuid":"0193f7d0-0000-7000-8000-000000000001","genre":"bebop","language":"EN","territories":["fr","de"],"p_line":{"year":2026,"holder":"X"},"release_date":"2027-02-28","upc":"0-12345-67890-5"}`,
		`{"title":null,"upc":null,"release_date":null,"localized_titles":{"pt-br":"Azul","zh-hant":"藍"},"subgenre":"Cool Jazz","row_version":3}`,
		`{"artists":[{"artist_uuid":"x","role":"featured"}],"territories":["WW","FR"],"genre":"Cool Jazz","subgenre":"Bebop"}`,
		`{"title":"One","isrc":"us-tgt-26-00001","position":1,"disc_number":2,"preview_start_s":null,"contributors":[{"name":"A","role":"composer"}]}`,
		`{"splits":[{"payee_uuid":"0193f7d0-0000-7000-8000-000000000002","percentage":"33.3333"},{"payee_uuid":"0193f7d0-0000-7000-8000-000000000003","percentage":66.6667}]}`,
		`{"splits":[{"payee_uuid":"a","percentage":1e2}]}`,
		`{"name":"Beyoncé","slug":"beyonce","country":"us","isni":"0000 0001 2281 955X","user_uuids":[]}`,
		`[]`, `null`, `{"title":{}}`, `{"percentage":"-0"}`,
	} {
		f.Add([]byte(seed), `"3"`)
	}
	f.Add([]byte(`{}`), `W/"7"`)
	f.Add([]byte(`{"row_version":1}`), `*`)
	f.Fuzz(func(t *testing.T, body []byte, ifMatch string) {
		newReq := func() *http.Request {
			r := httptest.NewRequest("PATCH", "/api/releases/x", bytes.NewReader(body))
			r.Header.Set("If-Match", ifMatch)
			return r
		}

		var rb releaseBody
		if decodeJSON(newReq(), &rb) == nil {
			var c checker
			upd := rb.check(&c, true)
			c.precondition(newReq(), rb.versionBody)
			if c.err() == nil {
				if upd.Title == nil || *upd.Title == "" || upd.Artists == nil || len(*upd.Artists) == 0 {
					t.Fatalf("accepted release without title or artists: %s", body)
				}
				if upd.UPC != nil && *upd.UPC != "" && len(*upd.UPC) != 12 && len(*upd.UPC) != 13 {
					t.Fatalf("accepted UPC %q", *upd.UPC)
				}
			}
			var c2 checker
			rb.check(&c2, false)
		}
		var tb trackBody
		if decodeJSON(newReq(), &tb) == nil {
			var c checker
			upd := tb.check(&c, false)
			if c.err() == nil && upd.ISRC != nil && *upd.ISRC != "" && len(*upd.ISRC) != 12 {
				t.Fatalf("accepted ISRC %q", *upd.ISRC)
			}
		}
		var sb splitsBody
		if decodeJSON(newReq(), &sb) == nil {
			if splits, err := sb.check(); err == nil {
				for _, s := range splits {
					if _, err := money.ParsePercentage(s.Percentage); err != nil {
						t.Fatalf("accepted percentage %q: %v", s.Percentage, err)
					}
				}
			}
		}
		var ab artistBody
		if decodeJSON(newReq(), &ab) == nil {
			ab.check(true)
			ab.check(false)
		}
	})
}
