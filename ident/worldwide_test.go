package ident_test

import (
	"slices"
	"testing"

	"tonegrid"
	"tonegrid/ident"
)

// TestWorldwideMatchesTheDomain keeps ident's WW and the domain's
// tonegrid.Worldwide the same code.
func TestWorldwideMatchesTheDomain(t *testing.T) {
	got, err := ident.NormalizeTerritories([]string{tonegrid.Worldwide})
	if err != nil || !slices.Equal(got, []string{tonegrid.Worldwide}) {
		t.Fatalf("NormalizeTerritories([%q]) = %q, %v", tonegrid.Worldwide, got, err)
	}
	if ident.TerritoryName(tonegrid.Worldwide) != "Worldwide" {
		t.Errorf("TerritoryName(%q) = %q", tonegrid.Worldwide, ident.TerritoryName(tonegrid.Worldwide))
	}
}
