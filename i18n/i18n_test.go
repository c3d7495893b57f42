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
