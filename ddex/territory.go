package ddex

import (
	"slices"
	"strings"
)

// Worldwide is the ERN territory code for every territory; the domain's "WW"
// is written as this.
const Worldwide = "Worldwide"

// territoryCodes are the two-letter codes the AVS CurrentTerritoryCode list
// accepts: the ISO 3166-1 alpha-2 codes, the withdrawn AN and CS that DDEX
// still lists, and XK (Kosovo).
var territoryCodes = func() map[string]bool {
	const codes = "AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
		"CA CC CD CF CG CH CI CK CL CM CN CO CR CS CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
		"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
		"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
		"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
		"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
		"UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"
	m := make(map[string]bool, 256)
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// territorySet is a set of territories that is either every territory
// (worldwide, optionally minus some) or an explicit list.
type territorySet struct {
	worldwide bool
	codes     []string // sorted, unique: the list, or the exclusions when worldwide
}

// parseTerritories reads domain territory codes ("WW" or ISO alpha-2, any
// case); a list containing "WW" means worldwide.
func parseTerritories(p *problems, what string, in []string) territorySet {
	var set territorySet
	for _, raw := range in {
		c := strings.ToUpper(strings.TrimSpace(raw))
		switch {
		case c == "WW" || strings.EqualFold(c, Worldwide):
			set.worldwide = true
		case territoryCodes[c]:
			set.codes = append(set.codes, c)
		default:
			p.add("%s territory %q is not an ISO 3166-1 alpha-2 code or WW", what, raw)
		}
	}
	if set.worldwide {
		set.codes = nil
	}
	slices.Sort(set.codes)
	set.codes = slices.Compact(set.codes)
	return set
}

// intersect narrows s to the territories of other; worldwide sets are
// neutral.
func (s territorySet) intersect(other territorySet) territorySet {
	switch {
	case other.worldwide:
		return s
	case s.worldwide:
		return territorySet{codes: subtract(other.codes, s.codes)}
	}
	var out []string
	for _, c := range s.codes {
		if slices.Contains(other.codes, c) {
			out = append(out, c)
		}
	}
	return territorySet{codes: out}
}

// exclude removes codes from s: from the list, or added to the exclusions of
// a worldwide set.
func (s territorySet) exclude(codes []string) territorySet {
	if s.worldwide {
		all := append(slices.Clone(s.codes), codes...)
		slices.Sort(all)
		return territorySet{worldwide: true, codes: slices.Compact(all)}
	}
	return territorySet{codes: subtract(s.codes, codes)}
}

func subtract(from, remove []string) []string {
	var out []string
	for _, c := range from {
		if !slices.Contains(remove, c) {
			out = append(out, c)
		}
	}
	return out
}
