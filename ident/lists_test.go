package ident

import (
	"errors"
	"slices"
	"testing"

	"golang.org/x/text/language"
)

func TestLanguages(t *testing.T) {
	if got := len(languageNames); got != 184 {
		t.Errorf("%d languages, want 184 (183 ISO 639-1 codes in use and bh)", got)
	}
	for code, want := range map[string]string{
		"en": "English", "pt": "Portuguese", "yo": "Yoruba", "ko": "Korean",
		"zh": "Chinese", "nb": "Norwegian Bokmål", "bh": "Bihari", "zu": "Zulu",
	} {
		if !ValidLanguage(code) || LanguageName(code) != want {
			t.Errorf("%q: valid %v, name %q; want valid, %q", code, ValidLanguage(code), LanguageName(code), want)
		}
	}
	for _, code := range []string{"EN", "En", "eng", "e", "", "iw", "in", "mo", "sh", "xx", "zxx", "en-US"} {
		if ValidLanguage(code) || LanguageName(code) != "" {
			t.Errorf("%q: valid %v, name %q; want invalid, \"\"", code, ValidLanguage(code), LanguageName(code))
		}
	}
}

// TestLanguagesMatchTheRegistry compares the list with the two-letter
// languages golang.org/x/text knows from the IANA registry, less the
// identifiers ISO 639-1 replaced.
func TestLanguagesMatchTheRegistry(t *testing.T) {
	replaced := map[string]bool{"in": true, "iw": true, "ji": true, "jw": true, "mo": true, "sh": true}
	for a := 'a'; a <= 'z'; a++ {
		for b := 'a'; b <= 'z'; b++ {
			code := string([]rune{a, b})
			_, err := language.ParseBase(code)
			known := err == nil && !replaced[code]
			if known != ValidLanguage(code) {
				t.Errorf("%q: known to the registry %v, ValidLanguage %v", code, known, ValidLanguage(code))
			}
		}
	}
}

func TestTerritories(t *testing.T) {
	if got := len(territoryNames); got != 249 {
		t.Errorf("%d territories, want the 249 ISO 3166-1 codes", got)
	}
	for code, want := range map[string]string{
		"WW": "Worldwide", "US": "United States", "GB": "United Kingdom", "FR": "France",
		"BQ": "Caribbean Netherlands", "CI": "Côte d'Ivoire", "SS": "South Sudan", "AX": "Åland Islands",
	} {
		if !ValidTerritory(code) || TerritoryName(code) != want {
			t.Errorf("%q: valid %v, name %q; want valid, %q", code, ValidTerritory(code), TerritoryName(code), want)
		}
	}
	for _, code := range []string{"us", "Ww", "USA", "U", "", "UK", "EU", "XK", "AN", "YU", "ZZ", "QO", "AA"} {
		if ValidTerritory(code) || TerritoryName(code) != "" {
			t.Errorf("%q: valid %v, name %q; want invalid, \"\"", code, ValidTerritory(code), TerritoryName(code))
		}
	}
}

// TestTerritoriesMatchTheRegistry compares the list with the regions
// golang.org/x/text knows that have an ISO 3166-1 alpha-3 and numeric code:
// they must be the list plus the codes ISO 3166-1 withdrew, and UK, which is
// only reserved.
func TestTerritoriesMatchTheRegistry(t *testing.T) {
	notAssigned := map[string]bool{}
	for _, code := range []string{"AN", "BU", "CS", "CT", "DD", "DY", "FX", "HV", "JT", "MI", "NH", "NQ",
		"NT", "PU", "PZ", "RH", "SU", "TP", "UK", "VD", "WK", "YD", "YU", "ZR"} {
		notAssigned[code] = true
	}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			isoCountry := err == nil && r.String() == code && r.IsCountry() && !r.IsPrivateUse() &&
				r.M49() != 0 && r.ISO3() != ""
			want := isoCountry && !notAssigned[code]
			if _, got := territoryNames[code]; got != want {
				t.Errorf("%q: in the list %v, want %v", code, got, want)
			}
		}
	}
}

func TestNormalizeTerritories(t *testing.T) {
	cases := []struct {
		in        []string
		want      []string
		wantErr   error
		wantIndex int
	}{
		{in: []string{"fr", " us ", "FR", "De"}, want: []string{"DE", "FR", "US"}},
		{in: []string{"ww"}, want: []string{"WW"}},
		{in: []string{"WW", " ww"}, want: []string{"WW"}},
		{in: nil, want: []string{}},
		{in: []string{"WW", "FR"}, wantErr: ErrWorldwideNotAlone, wantIndex: 0},
		{in: []string{"FR", "DE", "Ww"}, wantErr: ErrWorldwideNotAlone, wantIndex: 2},
		{in: []string{"FR", "XX"}, wantErr: ErrUnknownTerritory, wantIndex: 1},
		{in: []string{"UK"}, wantErr: ErrUnknownTerritory, wantIndex: 0},
		{in: []string{"FR", "FRA"}, wantErr: ErrUnknownTerritory, wantIndex: 1},
		{in: []string{""}, wantErr: ErrUnknownTerritory, wantIndex: 0},
		{in: []string{"F R"}, wantErr: ErrUnknownTerritory, wantIndex: 0},
		{in: []string{"é"}, wantErr: ErrUnknownTerritory, wantIndex: 0},
	}
	for _, c := range cases {
		given := slices.Clone(c.in)
		got, err := NormalizeTerritories(c.in)
		if !slices.Equal(c.in, given) {
			t.Errorf("NormalizeTerritories(%q) changed its argument to %q", given, c.in)
		}
		if c.wantErr == nil {
			if err != nil || got == nil || !slices.Equal(got, c.want) {
				t.Errorf("NormalizeTerritories(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		var terr *TerritoryError
		if !errors.Is(err, c.wantErr) || !errors.As(err, &terr) || terr.Index != c.wantIndex || terr.Code != c.in[c.wantIndex] {
			t.Errorf("NormalizeTerritories(%q) = %q, %v; want %v at entry %d", c.in, got, err, c.wantErr, c.wantIndex)
		}
	}
}

func TestGenres(t *testing.T) {
	genres := Genres()
	if len(genres) != 196 {
		t.Errorf("%d genres, want 196", len(genres))
	}
	if len(genreIndex) != len(genres) {
		t.Errorf("%d lookup keys for %d genres: two names fold to the same key", len(genreIndex), len(genres))
	}
	parents := map[string]bool{}
	for _, g := range genres {
		if g.Parent == "" {
			parents[g.Name] = true
		}
	}
	if len(parents) != 32 {
		t.Errorf("%d top-level genres, want 32", len(parents))
	}
	for _, g := range genres {
		if g.Parent != "" && !parents[g.Parent] {
			t.Errorf("subgenre %q has parent %q, which is not a top-level genre", g.Name, g.Parent)
		}
		if got, ok := LookupGenre(g.Name); !ok || got != g {
			t.Errorf("LookupGenre(%q) = %+v, %v; want %+v", g.Name, got, ok, g)
		}
	}
	for _, name := range []string{"Alternative", "Blues", "Children's Music", "Classical", "Comedy", "Country",
		"Dance", "Electronic", "Hip-Hop/Rap", "Jazz", "Latin", "Pop", "R&B/Soul", "Reggae", "Rock",
		"Singer/Songwriter", "Soundtrack", "Spoken Word", "World", "Christian & Gospel", "K-Pop",
		"Afrobeats", "Amapiano"} {
		if !parents[name] {
			t.Errorf("%q is not a top-level genre", name)
		}
	}
	genres[0].Name = "Changed"
	if Genres()[0].Name == "Changed" {
		t.Error("Genres returns the package's own slice")
	}
}

func TestLookupGenre(t *testing.T) {
	cases := []struct {
		in   string
		want Genre
	}{
		{"hip hop / rap", Genre{Name: "Hip-Hop/Rap"}},
		{"HIP-HOP/RAP", Genre{Name: "Hip-Hop/Rap"}},
		{"  childrens music ", Genre{Name: "Children's Music"}},
		{"Children’s Music", Genre{Name: "Children's Music"}},
		{"r & b/soul", Genre{Name: "R&B/Soul"}},
		{"kpop", Genre{Name: "K-Pop"}},
		{"alte", Genre{Name: "Alté", Parent: "Afrobeats"}},
		{"private school amapiano", Genre{Name: "Private School Amapiano", Parent: "Amapiano"}},
		{"drum&bass", Genre{Name: "Drum & Bass", Parent: "Dance"}},
		{"lofi hiphop", Genre{Name: "Lo-Fi Hip-Hop", Parent: "Hip-Hop/Rap"}},
		{"Singer / Songwriter", Genre{Name: "Singer/Songwriter"}},
	}
	for _, c := range cases {
		if got, ok := LookupGenre(c.in); !ok || got != c.want {
			t.Errorf("LookupGenre(%q) = %+v, %v; want %+v", c.in, got, ok, c.want)
		}
	}
	for _, name := range []string{"", "Hip", "Rap", "Polka", "Rock and Roll", "Pop Rock Pop"} {
		if got, ok := LookupGenre(name); ok {
			t.Errorf("LookupGenre(%q) = %+v; want not found", name, got)
		}
	}
}
