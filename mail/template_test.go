package mail

import (
	"errors"
	"html"
	"strings"
	"testing"
)

// hostile holds values for every template key, each with markup, quotes and
// an ampersand, so that escaping shows in the HTML body.
var hostile = map[string]string{
	"code":    "493027",
	"name":    `Zoë <script>alert("n")</script>`,
	"link":    "https://app.example.com/reset-password?token=tok_Q1w2&lang=fr",
	"tenant":  `Acme & "Sons" <b>Records</b>`,
	"inviter": "Jürgen O'Neil <i>admin</i>",
	"url":     "https://hooks.example.com/tonegrid?a=1&b=<2>",
	"reason":  "HTTP 500 from endpoint <script>x()</script> 20 times in a row",
}

// dataFor returns the hostile values of the keys template name takes.
func dataFor(t testing.TB, name string) map[string]string {
	t.Helper()
	spec, ok := specs[name]
	if !ok {
		t.Fatalf("no spec for template %q", name)
	}
	data := map[string]string{}
	for _, k := range append(append([]string(nil), spec.required...), spec.optional...) {
		v, ok := hostile[k]
		if !ok {
			t.Fatalf("test has no value for key %q of %s", k, name)
		}
		data[k] = v
	}
	return data
}

func TestRenderEveryTemplateInEveryLocale(t *testing.T) {
	if got, want := len(Templates()), 4; got != want {
		t.Fatalf("Templates() = %v, want %d templates", Templates(), want)
	}
	for _, name := range Templates() {
		subjects := map[string]string{}
		for _, locale := range Locales() {
			t.Run(name+"/"+locale, func(t *testing.T) {
				data := dataFor(t, name)
				m, err := Render(locale, name, data)
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				if m.To != "" {
					t.Errorf("To = %q, want empty (the caller sets it)", m.To)
				}
				if m.Subject == "" || m.Text == "" || m.HTML == "" {
					t.Fatalf("empty part: subject %q, text %d bytes, html %d bytes", m.Subject, len(m.Text), len(m.HTML))
				}
				subjects[locale] = m.Subject
				for _, part := range []string{m.Subject, m.Text, m.HTML} {
					for _, bad := range []string{"<no value>", "{{", "}}"} {
						if strings.Contains(part, bad) {
							t.Errorf("output contains %q:\n%s", bad, part)
						}
					}
				}
				for k, v := range data {
					if !strings.Contains(m.Text, v) {
						t.Errorf("text lacks %s = %q:\n%s", k, v, m.Text)
					}
					if escaped := html.EscapeString(v); !strings.Contains(m.HTML, escaped) {
						t.Errorf("html lacks %s escaped as %q:\n%s", k, escaped, m.HTML)
					}
				}
				for _, raw := range []string{"<script>", "<b>Records", "<i>admin"} {
					if strings.Contains(m.HTML, raw) {
						t.Errorf("html contains unescaped %q", raw)
					}
				}
				if want := `<html lang="` + locale + `">`; !strings.Contains(m.HTML, want) {
					t.Errorf("html lacks %s", want)
				}
				if link, ok := data["link"]; ok {
					if want := `href="` + html.EscapeString(link) + `"`; !strings.Contains(m.HTML, want) {
						t.Errorf("html lacks the link as %s:\n%s", want, m.HTML)
					}
				}
			})
		}
		seen := map[string]string{}
		for locale, s := range subjects {
			if other, dup := seen[s]; dup {
				t.Errorf("%s: locales %s and %s share the subject %q: untranslated?", name, other, locale, s)
			}
			seen[s] = locale
		}
	}
}

func TestRenderWithoutOptionalName(t *testing.T) {
	greetings := map[string]string{"en": "Hello,\n", "fr": "Bonjour,\n", "es": "Hola:\n", "pt": "Olá,\n", "de": "Hallo,\n"}
	for locale, want := range greetings {
		for _, data := range []map[string]string{{"code": "123456"}, {"code": "123456", "name": ""}} {
			m, err := Render(locale, OTP, data)
			if err != nil {
				t.Fatalf("Render(%s, otp, %v): %v", locale, data, err)
			}
			if !strings.HasPrefix(m.Text, want) {
				t.Errorf("Render(%s, otp, %v) text starts %q, want %q", locale, data, firstLine(m.Text), want)
			}
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestRenderLocaleFallback(t *testing.T) {
	subject := func(locale string) string {
		t.Helper()
		m, err := Render(locale, PasswordReset, map[string]string{"link": "https://x.example/r?token=t"})
		if err != nil {
			t.Fatalf("Render(%q): %v", locale, err)
		}
		return m.Subject
	}
	en, fr, pt := subject("en"), subject("fr"), subject("pt")
	for _, tc := range []struct{ locale, want string }{
		{"", en}, {"xx", en}, {"en-US", en}, {"FR", fr}, {"fr_CA", fr}, {"pt-BR", pt}, {"zh-Hant-TW", en},
	} {
		if got := subject(tc.locale); got != tc.want {
			t.Errorf("locale %q: subject %q, want %q", tc.locale, got, tc.want)
		}
	}
}

func TestRenderRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, template string
		data           map[string]string
	}{
		{"unknown template", "welcome", map[string]string{"name": "A"}},
		{"missing key", Invitation, map[string]string{"link": "https://x", "tenant": "Acme"}},
		{"empty required key", OTP, map[string]string{"code": ""}},
		{"nil data", WebhookDisabled, nil},
		{"unknown key", OTP, map[string]string{"code": "123456", "Code": "1"}},
		{"newline in subject", Invitation, map[string]string{"link": "https://x", "tenant": "Acme\r\nBcc: x@evil.example", "inviter": "A"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Render("en", tc.template, tc.data)
			if err == nil {
				t.Fatalf("Render = %+v, want an error", m)
			}
		})
	}
	_, err := Render("en", Invitation, map[string]string{"link": "https://x", "tenant": "Acme\nBcc: x", "inviter": "A"})
	if !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("newline in subject: error %v, want ErrInvalidMessage", err)
	}
}

func BenchmarkRender(b *testing.B) {
	data := dataFor(b, PasswordReset)
	for b.Loop() {
		if _, err := Render("fr", PasswordReset, data); err != nil {
			b.Fatal(err)
		}
	}
}
