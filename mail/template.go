package mail

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"
)

// Template names, with the data keys each one takes. Keys marked optional
// may be left out or empty; the others must be present and non-empty.
const (
	// OTP mails a one-time code valid 10 minutes. Keys: code; name (optional).
	OTP = "otp"
	// PasswordReset mails a password-reset link valid 24 hours. Keys: link;
	// name (optional).
	PasswordReset = "password_reset"
	// Invitation invites a user to a tenant with a link valid 7 days. Keys:
	// link, tenant, inviter.
	Invitation = "invitation"
	// WebhookDisabled tells a tenant admin that a webhook endpoint was
	// disabled. Keys: url, reason, tenant.
	WebhookDisabled = "webhook_disabled"
)

// DefaultLocale is the locale of mail whose requested locale has no templates.
const DefaultLocale = "en"

// locales lists the locales that have templates, sorted.
var locales = []string{"de", "en", "es", "fr", "pt"}

// Locales lists the locales that have templates, sorted.
func Locales() []string { return slices.Clone(locales) }

// templateSpec says what data a template takes and how long what it carries
// stays useful.
type templateSpec struct {
	required []string
	optional []string
	// validFor is how long after the request the mail is still worth
	// sending; zero means always.
	validFor time.Duration
}

var specs = map[string]templateSpec{
	OTP:             {required: []string{"code"}, optional: []string{"name"}, validFor: 10 * time.Minute},
	PasswordReset:   {required: []string{"link"}, optional: []string{"name"}, validFor: 24 * time.Hour},
	Invitation:      {required: []string{"link", "tenant", "inviter"}, validFor: 7 * 24 * time.Hour},
	WebhookDisabled: {required: []string{"url", "reason", "tenant"}},
}

// Templates lists the template names, sorted.
func Templates() []string {
	names := make([]string, 0, len(specs))
	for name := range specs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

//go:embed templates
var templateFiles embed.FS

// localized holds one template in one locale: "subject" and "text" as text
// templates, "layout" (the HTML body) as an HTML template.
type localized struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// parsed maps locale, then template name, to its parsed templates.
var parsed = mustParseTemplates()

func mustParseTemplates() map[string]map[string]localized {
	out := map[string]map[string]localized{}
	for _, locale := range locales {
		out[locale] = map[string]localized{}
		for name := range specs {
			textFile := "templates/" + locale + "/" + name + ".txt"
			htmlFile := "templates/" + locale + "/" + name + ".html"
			text, err := texttemplate.New(name).Option("missingkey=error").ParseFS(templateFiles, textFile)
			if err != nil {
				panic(fmt.Sprintf("mail: parse %s: %v", textFile, err))
			}
			lang := htmltemplate.FuncMap{"lang": func() string { return locale }}
			html, err := htmltemplate.New(name).Option("missingkey=error").Funcs(lang).
				ParseFS(templateFiles, "templates/layout.html", textFile, htmlFile)
			if err != nil {
				panic(fmt.Sprintf("mail: parse %s: %v", htmlFile, err))
			}
			out[locale][name] = localized{text: text, html: html}
		}
	}
	return out
}

// Render fills template name in locale with data and returns the message,
// without its recipient. A locale without templates falls back to its
// language ("pt-BR" to "pt"), then to DefaultLocale. It fails for an unknown
// template and for data that lacks a required key or has a key the template
// does not take. Data is HTML-escaped in the HTML body.
func Render(locale, name string, data map[string]string) (Message, error) {
	spec, ok := specs[name]
	if !ok {
		return Message{}, fmt.Errorf("render mail: unknown template %q", name)
	}
	if err := spec.check(data); err != nil {
		return Message{}, fmt.Errorf("render mail %s: %w", name, err)
	}
	full := make(map[string]string, len(spec.required)+len(spec.optional))
	for _, k := range spec.optional {
		full[k] = ""
	}
	for k, v := range data {
		full[k] = v
	}
	t := parsed[resolveLocale(locale)][name]

	var subject, text, html strings.Builder
	if err := t.text.ExecuteTemplate(&subject, "subject", full); err != nil {
		return Message{}, fmt.Errorf("render mail %s subject: %w", name, err)
	}
	if err := t.text.ExecuteTemplate(&text, "text", full); err != nil {
		return Message{}, fmt.Errorf("render mail %s text: %w", name, err)
	}
	if err := t.html.ExecuteTemplate(&html, "layout", full); err != nil {
		return Message{}, fmt.Errorf("render mail %s html: %w", name, err)
	}
	m := Message{
		Subject: strings.TrimSpace(subject.String()),
		Text:    strings.TrimSpace(text.String()) + "\n",
		HTML:    html.String(),
	}
	if err := checkHeader("Subject", m.Subject); err != nil {
		return Message{}, fmt.Errorf("render mail %s: %w", name, err)
	}
	return m, nil
}

// check reports a required key that is missing or empty, or a key the
// template does not take.
func (s templateSpec) check(data map[string]string) error {
	for _, k := range s.required {
		if data[k] == "" {
			return fmt.Errorf("missing value for %q", k)
		}
	}
	for k := range data {
		if !slices.Contains(s.required, k) && !slices.Contains(s.optional, k) {
			return fmt.Errorf("unexpected key %q", k)
		}
	}
	return nil
}

// resolveLocale returns the supported locale closest to locale.
func resolveLocale(locale string) string {
	lang := strings.ToLower(locale)
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	if _, ok := parsed[lang]; ok {
		return lang
	}
	return DefaultLocale
}
