package ddex

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"tonegrid"
)

func TestNewDeals(t *testing.T) {
	release := func(territories ...string) *tonegrid.Release {
		return &tonegrid.Release{Territories: territories, ReleaseDate: date(2025, 4, 4), PriceTier: "FRONTLINE"}
	}
	// summary is the part of a deal each case checks.
	type summary struct {
		kind      DealKind
		terr, exc string
		start     string
		price     string
	}
	tests := []struct {
		name string
		opts DealOptions
		want []summary
	}{
		{
			name: "worldwide streaming and download in canonical order",
			opts: DealOptions{Kinds: []DealKind{DealDownload, DealStreaming, DealDownload}, Release: release("WW")},
			want: []summary{
				{DealStreaming, "Worldwide", "", "2025-04-04", ""},
				{DealDownload, "Worldwide", "", "2025-04-04", "FRONTLINE"},
			},
		},
		{
			name: "listed territories sorted and upper-cased",
			opts: DealOptions{Kinds: []DealKind{DealStreaming}, Release: release("us", "GB", "CA", "US")},
			want: []summary{{DealStreaming, "CA GB US", "", "2025-04-04", ""}},
		},
		{
			name: "rights included narrow a worldwide release",
			opts: DealOptions{Kinds: []DealKind{DealStreaming}, Release: release("WW"), Rights: &tonegrid.Rights{TerritoriesIncluded: []string{"FR", "DE"}}},
			want: []summary{{DealStreaming, "DE FR", "", "2025-04-04", ""}},
		},
		{
			name: "rights included intersect listed territories",
			opts: DealOptions{Kinds: []DealKind{DealStreaming}, Release: release("US", "CA", "GB"), Rights: &tonegrid.Rights{TerritoriesIncluded: []string{"GB", "FR", "US"}}},
			want: []summary{{DealStreaming, "GB US", "", "2025-04-04", ""}},
		},
		{
			name: "rights excluded on a worldwide release",
			opts: DealOptions{Kinds: []DealKind{DealStreaming}, Release: release("WW"), Rights: &tonegrid.Rights{TerritoriesExcluded: []string{"RU", "CN"}}},
			want: []summary{{DealStreaming, "", "CN RU", "2025-04-04", ""}},
		},
		{
			name: "rights excluded from listed territories",
			opts: DealOptions{Kinds: []DealKind{DealStreaming}, Release: release("US", "CA", "GB"), Rights: &tonegrid.Rights{TerritoriesExcluded: []string{"CA"}}},
			want: []summary{{DealStreaming, "GB US", "", "2025-04-04", ""}},
		},
		{
			name: "rights types drop uncovered kinds",
			opts: DealOptions{Kinds: []DealKind{DealStreaming, DealDownload, DealUGC}, Release: release("WW"), Rights: &tonegrid.Rights{RightsTypes: []string{"download", "ugc"}}},
			want: []summary{
				{DealDownload, "Worldwide", "", "2025-04-04", "FRONTLINE"},
				{DealUGC, "Worldwide", "", "2025-04-04", ""},
			},
		},
		{
			name: "store overrides the release date and price tier",
			opts: DealOptions{Kinds: []DealKind{DealDownload}, Release: release("WW"), Store: &tonegrid.ReleaseDSP{ReleaseDate: date(2025, 6, 1), PriceTier: "BUDGET"}},
			want: []summary{{DealDownload, "Worldwide", "", "2025-06-01", "BUDGET"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deals, err := NewDeals(tt.opts)
			if err != nil {
				t.Fatalf("NewDeals: %v", err)
			}
			var got []summary
			for _, d := range deals {
				got = append(got, summary{d.Kind, strings.Join(d.Territories, " "), strings.Join(d.ExcludedTerritories, " "), d.Validity.Start.String(), d.PriceCode})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("deals =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestNewDealsTermsPerKind(t *testing.T) {
	deals, err := NewDeals(DealOptions{Kinds: []DealKind{DealStreaming, DealDownload, DealUGC}, Release: &tonegrid.Release{Territories: []string{"WW"}, ReleaseDate: date(2025, 1, 1)}, End: date(2026, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[DealKind][2][]string{
		DealStreaming: {{SubscriptionModel, AdvertisementSupportedModel}, {OnDemandStream, NonInteractiveStream}},
		DealDownload:  {{PayAsYouGoModel}, {PermanentDownload}},
		DealUGC:       {{RightsClaimModel, AdvertisementSupportedModel}, {UserMakeAvailableLabelProvided, UserMakeAvailableUserProvided}},
	}
	for _, d := range deals {
		if !reflect.DeepEqual(d.CommercialModelTypes, want[d.Kind][0]) || !reflect.DeepEqual(d.UseTypes, want[d.Kind][1]) {
			t.Errorf("%s deal: models %v uses %v, want %v %v", d.Kind, d.CommercialModelTypes, d.UseTypes, want[d.Kind][0], want[d.Kind][1])
		}
		if d.Validity.End == nil || d.Validity.End.String() != "2026-01-01" {
			t.Errorf("%s deal ends %v, want 2026-01-01", d.Kind, d.Validity.End)
		}
	}
	deals[0].UseTypes[0] = "Changed"
	if dealTermsOfKind[DealStreaming].uses[0] != OnDemandStream {
		t.Error("changing a deal changed the package's table of terms")
	}
}

func TestNewDealsRefusals(t *testing.T) {
	rel := func(territories ...string) *tonegrid.Release {
		return &tonegrid.Release{Territories: territories, ReleaseDate: date(2025, 4, 4)}
	}
	tests := []struct {
		name string
		opts DealOptions
		want string
	}{
		{"no release", DealOptions{Kinds: []DealKind{DealStreaming}}, "no release"},
		{"no kinds", DealOptions{Release: rel("WW")}, "no deal kind"},
		{"unknown kind", DealOptions{Kinds: []DealKind{"radio"}, Release: rel("WW")}, `deal kind "radio"`},
		{"rights cover no kind", DealOptions{Kinds: []DealKind{DealDownload}, Release: rel("WW"), Rights: &tonegrid.Rights{RightsTypes: []string{"stream"}}}, "cover none"},
		{"unknown rights type", DealOptions{Kinds: []DealKind{DealDownload}, Release: rel("WW"), Rights: &tonegrid.Rights{RightsTypes: []string{"sync"}}}, `rights type "sync"`},
		{"no territories", DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel()}, "no territories"},
		{"unknown territory", DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel("UK")}, `territory "UK"`},
		{"nothing left", DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel("US"), Rights: &tonegrid.Rights{TerritoriesIncluded: []string{"FR"}}}, "no territory is left"},
		{"everything excluded", DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel("WW"), Rights: &tonegrid.Rights{TerritoriesExcluded: []string{"WW"}}}, "exclude every territory"},
		{"no start date", DealOptions{Kinds: []DealKind{DealStreaming}, Release: &tonegrid.Release{Territories: []string{"WW"}}}, "start date"},
		{"end before start", DealOptions{Kinds: []DealKind{DealStreaming}, Release: rel("WW"), End: date(2024, 1, 1)}, "before its start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDeals(tt.opts)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}
