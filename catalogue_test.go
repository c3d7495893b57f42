package tonegrid

import (
	"errors"
	"testing"
)

func TestCatalogueEntriesAreUniqueAndComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Catalogue() {
		if seen[e.Code] {
			t.Errorf("code %s registered twice", e.Code)
		}
		seen[e.Code] = true
		if e.Status < 400 || e.Status > 599 || e.Message == "" || e.When == "" || e.Fix == "" {
			t.Errorf("incomplete entry %+v", e)
		}
	}
}

func TestFormatFillsPlaceholdersInOrder(t *testing.T) {
	tests := []struct {
		err  *Error
		args []any
		want string
	}{
		{ErrDSPNotFound, []any{"spotify"}, "DSP 'spotify' not found or inactive."},
		{ErrDSPBlocked, []any{"Apple Music"}, "Delivery to Apple Music is blocked via per-DSP override (is_blocked=true)."},
		{ErrUnsupportedMediaType, []any{"text/plain", "audio"}, "File type 'text/plain' is not allowed for audio uploads."},
		{ErrFileTooLarge, []any{1024}, "File exceeds the maximum allowed size of 1024 MB."},
		{ErrReleaseNotFound, nil, "Release not found."},
	}
	for _, tt := range tests {
		got := tt.err.Format(tt.args...)
		if got.Message != tt.want {
			t.Errorf("Format(%v) = %q, want %q", tt.args, got.Message, tt.want)
		}
		if !Catalogued(got) {
			t.Errorf("%q is not recognised as catalogued", got.Message)
		}
		if !errors.Is(got, tt.err) {
			t.Errorf("errors.Is(%q, %s) = false", got.Message, tt.err.Code)
		}
		if tt.err.Message != tt.err.Template() {
			t.Errorf("Format changed the catalogue value %s", tt.err.Code)
		}
	}
}

func TestCataloguedRejectsForgedMessages(t *testing.T) {
	forged := *ErrReleaseNotFound
	forged.Message = "Release gone."
	if Catalogued(&forged) {
		t.Error("a changed message is accepted")
	}
	wrongStatus := *ErrReleaseNotFound
	wrongStatus.Status = 410
	if Catalogued(&wrongStatus) {
		t.Error("a changed status is accepted")
	}
	half := ErrUnsupportedMediaType.Format("text/plain")
	if Catalogued(half) {
		t.Errorf("%q (one placeholder unfilled) is accepted", half.Message)
	}
}

func TestViolations(t *testing.T) {
	var v Violations
	if v.Err() != nil {
		t.Fatal("empty violations are an error")
	}
	v.Add("title", "required")
	var inner Violations
	inner.Add("isrc", "invalid_isrc")
	v.Merge("tracks.0", inner)
	err := v.Err()
	e, ok := ErrorOf(err)
	if !ok || e.Code != "validation_failed" || e.Status != 422 || len(e.Fields) != 2 || e.Fields["tracks.0.isrc"][0].Code != "invalid_isrc" {
		t.Fatalf("Err() = %#v", err)
	}
	if len(ErrValidation.Fields) != 0 {
		t.Fatal("Err() changed the catalogue value")
	}
}
