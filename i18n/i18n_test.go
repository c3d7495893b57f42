package i18n

import "testing"

func TestMessage(t *testing.T) {
	tests := []struct {
		locale, code string
		params       map[string]any
		want         string
	}{
		{"en", "required", nil, "This field is required."},
		{"en", "too_long", map[string]any{"max": 255}, "Must be at most 255 characters."},
		{"xx", "required", nil, "This field is required."},
		{"en", "no_such_code", nil, "no_such_code"},
		{"en", "too_long", nil, "Must be at most {max} characters."},
	}
	for _, tt := range tests {
		if got := Message(tt.locale, tt.code, tt.params); got != tt.want {
			t.Errorf("Message(%s, %s) = %q, want %q", tt.locale, tt.code, got, tt.want)
		}
	}
}

func TestEveryLocaleHasEveryCode(t *testing.T) {
	for _, l := range Locales() {
		for _, c := range Codes() {
			if _, ok := catalogues[l][c]; !ok {
				t.Errorf("locale %s lacks %s", l, c)
			}
		}
		for c := range catalogues[l] {
			if !Has(c) {
				t.Errorf("locale %s has %s, which the default locale lacks", l, c)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   string
		ok     bool
	}{
		{"fr", "fr", true},
		{"fr-CH, fr;q=0.9, en;q=0.8", "fr", true},
		{"de-AT", "de", true},
		{"pt-BR", "pt", true},
		{"es-419", "es", true},
		{"ja, es;q=0.5", "es", true},
		{"en;q=0.1, de;q=0.9", "de", true},
		{"de;q=0, fr;q=0.2", "fr", true},
		{"ja", "en", false},
		{"", "en", false},
		{"*", "en", false},
		{"not a header;;;", "en", false},
	} {
		got, ok := Match(tt.header)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Match(%q) = %q, %v; want %q, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}
