package ddex

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"tonegrid"
)

// DealKind is one way a store exploits releases; a store may have several.
type DealKind string

// The deal kinds, in the order their deals are written.
const (
	DealStreaming DealKind = "streaming"
	DealDownload  DealKind = "download"
	DealUGC       DealKind = "ugc"
)

var dealKindOrder = []DealKind{DealStreaming, DealDownload, DealUGC}

// rightsTypeOfKind maps a deal kind to the tonegrid.Rights type that must be
// held to offer it.
var rightsTypeOfKind = map[DealKind]string{DealStreaming: "stream", DealDownload: "download", DealUGC: "ugc"}

// Commercial model types (AVS CommercialModelType) used by NewDeals.
const (
	SubscriptionModel           = "SubscriptionModel"
	AdvertisementSupportedModel = "AdvertisementSupportedModel"
	PayAsYouGoModel             = "PayAsYouGoModel"
	RightsClaimModel            = "RightsClaimModel"
)

// Use types (AVS UseType) used by NewDeals.
const (
	OnDemandStream                 = "OnDemandStream"
	NonInteractiveStream           = "NonInteractiveStream"
	PermanentDownload              = "PermanentDownload"
	UserMakeAvailableLabelProvided = "UserMakeAvailableLabelProvided"
	UserMakeAvailableUserProvided  = "UserMakeAvailableUserProvided"
)

// dealTermsOfKind are the commercial model and use types written for each
// kind: streaming is subscription and ad-supported on-demand and
// non-interactive streams; download is pay-as-you-go permanent downloads; ugc
// is a rights claim over user-generated content, ad-supported, whether the
// user or the label provided the recording.
var dealTermsOfKind = map[DealKind]struct{ models, uses []string }{
	DealStreaming: {[]string{SubscriptionModel, AdvertisementSupportedModel}, []string{OnDemandStream, NonInteractiveStream}},
	DealDownload:  {[]string{PayAsYouGoModel}, []string{PermanentDownload}},
	DealUGC:       {[]string{RightsClaimModel, AdvertisementSupportedModel}, []string{UserMakeAvailableLabelProvided, UserMakeAvailableUserProvided}},
}

// commercialModelTypes and useTypes are the AVS values a Deal may carry
// (every value but UserDefined, which would need a namespace and a
// definition).
var (
	commercialModelTypes = setOf("AdvertisementSupportedModel DeviceFeeModel FreeOfChargeModel PayAsYouGoModel " +
		"PerformanceRoyaltiesModel RightsClaimModel SubscriptionModel")
	useTypes = setOf("Broadcast Cable ConditionalDownload ContentInfluencedStream Display Download Dub " +
		"DubForOnDemandStreaming DubForLivePerformance DubForMovies DubForMusicOnHold DubForPublicPerformance " +
		"DubForRadio DubForTV ExtractForInternet KioskDownload Narrowcast NonInteractiveStream OnDemandStream " +
		"Perform PerformAsMusicOnHold PerformInLivePerformance PerformInPublic PermanentDownload Playback " +
		"PlayInPublic Podcast Print PrivateCopy PurchaseAsPhysicalProduct Rent Simulcast Stream TetheredDownload " +
		"TimeInfluencedStream Use UseAsAlertTone UseAsDevice UseAsKaraoke UseAsRingbackTone UseAsRingbackTune " +
		"UseAsRingtone UseAsRingtune UseAsScreensaver UseAsVoiceMail UseAsWallpaper UseForIdentification " +
		"UseInMobilePhoneMessaging UseInPhoneListening UserMakeAvailableLabelProvided " +
		"UserMakeAvailableUserProvided Webcast")
)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Deal is one offer of a release (and its track releases) to a store, as
// written in a DealTerms composite.
type Deal struct {
	// Kind is the deal kind the terms were made for; informational.
	Kind DealKind
	// CommercialModelTypes and UseTypes are AVS values (see the constants).
	CommercialModelTypes []string
	UseTypes             []string
	// Territories are ERN territory codes: Worldwide or ISO 3166-1 alpha-2.
	Territories []string
	// ExcludedTerritories, when set instead of Territories, offers the
	// release everywhere but there.
	ExcludedTerritories []string
	// Validity is when the deal applies; its start is mandatory.
	Validity Validity
	// PriceCode is a price tier, written as a PriceCode in the recipient's
	// namespace (the store's price list); empty for none.
	PriceCode string
}

// Validity is a deal's validity period: from a start date, until an optional
// end date (the last day of availability) or an optional end instant.
type Validity struct {
	Start tonegrid.Date
	End   *tonegrid.Date
	// EndTime, when set, ends the deal at an instant; the period is then
	// written as StartDateTime (midnight UTC of Start) and EndDateTime, and
	// End is ignored.
	EndTime *time.Time
}

// DealOptions are the facts deals are made from.
type DealOptions struct {
	// Kinds are the store's deal kinds.
	Kinds []DealKind
	// Release gives the territories, the release date and the price tier.
	Release *tonegrid.Release
	// Store, optional, overrides the release date and price tier per store.
	Store *tonegrid.ReleaseDSP
	// Rights, optional, narrows the territories (included or excluded
	// lists) and, when it lists any rights types (stream, download, ugc),
	// the kinds to those.
	Rights *tonegrid.Rights
	// End, optional, is the last day of every deal.
	End *tonegrid.Date
}

// NewDeals returns one deal per kind the rights allow, in the order
// streaming, download, ugc, over the release's territories narrowed by the
// rights, starting on the store's release date (else the release's), with the
// store's price tier (else the release's) on download deals. It returns an
// error wrapping ErrInvalid when no deal can be made.
func NewDeals(o DealOptions) ([]Deal, error) {
	var p problems
	if o.Release == nil {
		p.add("no release")
		return nil, p.err("make deals")
	}
	kinds := dealKinds(&p, o.Kinds, o.Rights)
	territories := dealTerritories(&p, o.Release, o.Rights)

	var start tonegrid.Date
	switch {
	case o.Store != nil && o.Store.ReleaseDate != nil:
		start = *o.Store.ReleaseDate
	case o.Release.ReleaseDate != nil:
		start = *o.Release.ReleaseDate
	default:
		p.add("the release has no release date, and deals need a start date")
	}
	if o.End != nil && o.End.Before(start) {
		p.add("deal end %s is before its start %s", o.End, start)
	}
	priceTier := o.Release.PriceTier
	if o.Store != nil && o.Store.PriceTier != "" {
		priceTier = o.Store.PriceTier
	}
	if err := p.err("make deals"); err != nil {
		return nil, err
	}

	deals := make([]Deal, 0, len(kinds))
	for _, k := range kinds {
		terms := dealTermsOfKind[k]
		d := Deal{
			Kind:                 k,
			CommercialModelTypes: slices.Clone(terms.models),
			UseTypes:             slices.Clone(terms.uses),
			Validity:             Validity{Start: start, End: o.End},
		}
		switch {
		case territories.worldwide && len(territories.codes) > 0:
			d.ExcludedTerritories = slices.Clone(territories.codes)
		case territories.worldwide:
			d.Territories = []string{Worldwide}
		default:
			d.Territories = slices.Clone(territories.codes)
		}
		if k == DealDownload {
			d.PriceCode = priceTier
		}
		deals = append(deals, d)
	}
	return deals, nil
}

// dealKinds returns the known kinds in canonical order, without the ones the
// rights do not cover.
func dealKinds(p *problems, in []DealKind, rights *tonegrid.Rights) []DealKind {
	for _, k := range in {
		if _, ok := dealTermsOfKind[k]; !ok {
			p.add("deal kind %q is not streaming, download or ugc", k)
		}
	}
	held := map[string]bool{}
	if rights != nil {
		for _, rt := range rights.RightsTypes {
			switch rt {
			case "stream", "download", "ugc":
				held[rt] = true
			default:
				p.add("rights type %q is not stream, download or ugc", rt)
			}
		}
	}
	var kinds []DealKind
	for _, k := range dealKindOrder {
		if !slices.Contains(in, k) {
			continue
		}
		if len(held) > 0 && !held[rightsTypeOfKind[k]] {
			continue
		}
		kinds = append(kinds, k)
	}
	if len(in) == 0 {
		p.add("the store has no deal kind")
	} else if len(kinds) == 0 && len(held) > 0 {
		p.add("the rights (%s) cover none of the store's deal kinds", strings.Join(rights.RightsTypes, ", "))
	}
	return kinds
}

// dealTerritories returns the release's territories narrowed by the rights'
// included and excluded lists.
func dealTerritories(p *problems, rel *tonegrid.Release, rights *tonegrid.Rights) territorySet {
	if len(rel.Territories) == 0 {
		p.add("the release has no territories")
		return territorySet{}
	}
	set := parseTerritories(p, "release", rel.Territories)
	if rights != nil {
		if len(rights.TerritoriesIncluded) > 0 {
			set = set.intersect(parseTerritories(p, "rights included", rights.TerritoriesIncluded))
		}
		if len(rights.TerritoriesExcluded) > 0 {
			excluded := parseTerritories(p, "rights excluded", rights.TerritoriesExcluded)
			if excluded.worldwide {
				p.add("the rights exclude every territory")
			}
			set = set.exclude(excluded.codes)
		}
	}
	if !set.worldwide && len(set.codes) == 0 && len(*p) == 0 {
		p.add("no territory is left once the rights are applied")
	}
	return set
}

// endDeals returns copies of deals ending at now: on its UTC date when
// byDate, else at the instant. A deal already ending earlier keeps its end,
// and a deal not yet started starts when it ends.
func endDeals(deals []Deal, now time.Time, byDate bool) []Deal {
	out := make([]Deal, len(deals))
	now = now.UTC().Truncate(time.Second)
	today := tonegrid.DateOf(now)
	for i, d := range deals {
		d.CommercialModelTypes = slices.Clone(d.CommercialModelTypes)
		d.UseTypes = slices.Clone(d.UseTypes)
		d.Territories = slices.Clone(d.Territories)
		d.ExcludedTerritories = slices.Clone(d.ExcludedTerritories)
		v := d.Validity
		if byDate {
			end := today
			if v.EndTime != nil && tonegrid.DateOf(v.EndTime.UTC()).Before(end) {
				end = tonegrid.DateOf(v.EndTime.UTC())
			}
			if v.End != nil && v.End.Before(end) {
				end = *v.End
			}
			v.End, v.EndTime = &end, nil
			if end.Before(v.Start) {
				v.Start = end
			}
		} else {
			end := now
			if v.EndTime != nil && v.EndTime.Before(end) {
				end = v.EndTime.UTC().Truncate(time.Second)
			}
			if v.End != nil && v.End.AddDays(1).Time().Before(end) {
				end = v.End.AddDays(1).Time()
			}
			v.End, v.EndTime = nil, &end
			if end.Before(v.Start.Time()) {
				v.Start = tonegrid.DateOf(end)
			}
		}
		d.Validity = v
		out[i] = d
	}
	return out
}

// dealTerms writes d, checking it can be written validly.
func dealTerms(p *problems, i int, d Deal, recipientDPID string) ernDealTerms {
	where := "deal " + strconv.Itoa(i+1)
	var t ernDealTerms
	switch {
	case len(d.Territories) > 0 && len(d.ExcludedTerritories) > 0:
		p.add("%s has both territories and excluded territories", where)
	case len(d.Territories) == 0 && len(d.ExcludedTerritories) == 0:
		p.add("%s has no territory", where)
	}
	for _, c := range d.Territories {
		if c != Worldwide && !territoryCodes[c] {
			p.add("%s territory %q is not Worldwide or an ISO 3166-1 alpha-2 code", where, c)
		}
	}
	for _, c := range d.ExcludedTerritories {
		if !territoryCodes[c] {
			p.add("%s excluded territory %q is not an ISO 3166-1 alpha-2 code", where, c)
		}
	}
	t.TerritoryCode = d.Territories
	t.ExcludedTerritoryCode = d.ExcludedTerritories

	v := d.Validity
	checkDate(p, where+" start", v.Start)
	switch {
	case v.EndTime != nil:
		if v.EndTime.Before(v.Start.Time()) {
			p.add("%s ends at %s, before its start %s", where, dateTime(*v.EndTime), v.Start)
		}
		if y := v.EndTime.UTC().Year(); y < 1 || y > 9999 {
			p.add("%s end time %s is not between years 1 and 9999", where, v.EndTime)
		}
		t.ValidityPeriod = []ernValidityPeriod{{StartDateTime: dateTime(v.Start.Time()), EndDateTime: dateTime(*v.EndTime)}}
	case v.End != nil:
		checkDate(p, where+" end", *v.End)
		if v.End.Before(v.Start) {
			p.add("%s ends on %s, before its start %s", where, v.End, v.Start)
		}
		t.ValidityPeriod = []ernValidityPeriod{{StartDate: v.Start.String(), EndDate: v.End.String()}}
	default:
		t.ValidityPeriod = []ernValidityPeriod{{StartDate: v.Start.String()}}
	}

	if len(d.UseTypes) == 0 {
		p.add("%s has no use type", where)
	}
	for _, m := range d.CommercialModelTypes {
		if !commercialModelTypes[m] {
			p.add("%s commercial model type %q is not in the allowed value set", where, m)
		}
	}
	for _, u := range d.UseTypes {
		if !useTypes[u] {
			p.add("%s use type %q is not in the allowed value set", where, u)
		}
	}
	t.CommercialModelType = d.CommercialModelTypes
	t.UseType = d.UseTypes
	if d.PriceCode != "" {
		t.PriceInformation = []ernPriceInformation{{PriceCode: ernNamespaced{Namespace: recipientDPID, Value: d.PriceCode}}}
	}
	return t
}
