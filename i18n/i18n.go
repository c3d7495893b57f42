// Package i18n holds the validation vocabulary's messages per locale and
// picks a locale for a request. Messages live in locales/<lang>.json, one
// object mapping a vocabulary code ("required", "invalid_isrc") to a template
// whose {placeholders} are filled from the violation's parameters.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Default is the locale used when nothing better matches.
const Default = "en"

//go:embed locales/*.json
var files embed.FS

// catalogues maps a locale to its messages.
var catalogues = mustLoad()

func mustLoad() map[string]map[string]string {
	entries, err := files.ReadDir("locales")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]string{}
	for _, e := range entries {
		b, err := files.ReadFile("locales/" + e.Name())
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", e.Name(), err))
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = m
	}
	if _, ok := out[Default]; !ok {
		panic("i18n: no default locale file")
	}
	return out
}

// Locales lists the supported locales, sorted.
func Locales() []string {
	out := make([]string, 0, len(catalogues))
	for l := range catalogues {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Supported reports whether locale has a message file.
func Supported(locale string) bool {
	_, ok := catalogues[locale]
	return ok
}

// Codes lists the vocabulary: every code of the default locale, sorted.
func Codes() []string {
	out := make([]string, 0, len(catalogues[Default]))
	for c := range catalogues[Default] {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Has reports whether code is in the vocabulary.
func Has(code string) bool {
	_, ok := catalogues[Default][code]
	return ok
}

// Message renders the message of code in locale, falling back to the
// default locale, and to the code itself when the vocabulary lacks it.
func Message(locale, code string, params map[string]any) string {
	tmpl, ok := catalogues[locale][code]
	if !ok {
		tmpl, ok = catalogues[Default][code]
	}
	if !ok {
		return code
	}
	if len(params) == 0 || !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(tmpl[:i])
		name := tmpl[i+1 : i+j]
		if v, ok := params[name]; ok {
			fmt.Fprint(&b, v)
		} else {
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// matcher matches requested languages against the supported locales.
var matcher, matcherTags = func() (language.Matcher, []string) {
	names := Locales()
	// The default comes first: it is what the matcher falls back to.
	ordered := []string{Default}
	for _, n := range names {
		if n != Default {
			ordered = append(ordered, n)
		}
	}
	tags := make([]language.Tag, len(ordered))
	for i, n := range ordered {
		tags[i] = language.Make(n)
	}
	return language.NewMatcher(tags), ordered
}()

// Match picks the supported locale that best fits an Accept-Language
// header, honouring q-values (q=0 refuses a language). ok is false when
// nothing fits, so the caller can fall back to a saved preference.
func Match(acceptLanguage string) (locale string, ok bool) {
	if acceptLanguage == "" || len(acceptLanguage) > 1000 {
		return Default, false
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default, false
	}
	_, index, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default, false
	}
	return matcherTags[index], true
}
