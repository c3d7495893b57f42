package httpapi

import (
	"net/http"
	"regexp"
	"strconv"

	"tonegrid"
)

// dspView is a store as the contract shows it.
type dspView struct {
	Slug        string      `json:"slug"`
	Name        string      `json:"name"`
	DDEXPartyID string      `json:"ddex_party_id"`
	ERNVersion  string      `json:"ern_version"`
	Delivery    dspDelivery `json:"delivery"`
	IsActive    bool        `json:"is_active"`
}

// dspDelivery is how a store receives deliveries.
type dspDelivery struct {
	Protocol string `json:"protocol"`
}

func viewDSP(d *tonegrid.DSP) dspView {
	return dspView{Slug: d.Slug, Name: d.Name, DDEXPartyID: d.DDEXPartyID, ERNVersion: d.ERNVersion,
		Delivery: dspDelivery{Protocol: d.DeliveryProtocol}, IsActive: d.IsActive}
}

// releaseDSPView is a store attached to a release with its overrides.
type releaseDSPView struct {
	DSP         dspView        `json:"dsp"`
	IsBlocked   bool           `json:"is_blocked"`
	ReleaseDate *tonegrid.Date `json:"release_date"`
	PriceTier   string         `json:"price_tier"`
}

func viewReleaseDSP(rd *tonegrid.ReleaseDSP) releaseDSPView {
	return releaseDSPView{DSP: viewDSP(rd.DSP), IsBlocked: rd.IsBlocked, ReleaseDate: rd.ReleaseDate, PriceTier: rd.PriceTier}
}

func viewReleaseDSPs(list []*tonegrid.ReleaseDSP) []releaseDSPView {
	out := make([]releaseDSPView, len(list))
	for i, rd := range list {
		out[i] = viewReleaseDSP(rd)
	}
	return out
}

// dspSlug is the shape of a store slug; anything else names no store.
var dspSlug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// slugOf returns the {dsp_slug} path value; a value that cannot be a slug
// is a 404 for the store, as an unknown slug is.
func slugOf(r *http.Request) (string, error) {
	s := r.PathValue("dsp_slug")
	if !dspSlug.MatchString(s) {
		if len(s) > 64 {
			s = s[:64]
		}
		return "", tonegrid.ErrDSPNotFound.Format(s)
	}
	return s, nil
}

func (s *Server) handleDSPList(w http.ResponseWriter, r *http.Request) error {
	dsps, err := s.deps.Catalog.ListDSPs(r.Context(), false)
	if err != nil {
		return err
	}
	out := make([]dspView, len(dsps))
	for i, d := range dsps {
		out[i] = viewDSP(d)
	}
	writeData(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleReleaseDSPList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	list, err := s.deps.Catalog.ReleaseDSPs(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, viewReleaseDSPs(list))
	return nil
}

// dspSlugs checks a list of store slugs: at most 100, each a slug, at
// least one when required.
func (c *checker) dspSlugs(field string, slugs []string, required bool) {
	switch {
	case len(slugs) == 0 && required:
		c.add(field, "required")
	case len(slugs) > 100:
		c.add(field, "too_many", "max", 100)
	}
	for i, slug := range slugs {
		if !dspSlug.MatchString(slug) {
			c.add(field+"."+strconv.Itoa(i), "invalid_slug")
		}
	}
}

func (s *Server) handleReleaseDSPAttach(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	var in struct {
		DSPs []string `json:"dsps"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	c.dspSlugs("dsps", in.DSPs, true)
	if err := c.err(); err != nil {
		return err
	}
	list, err := s.deps.Catalog.AttachDSPs(r.Context(), principalOf(r), id, in.DSPs)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, viewReleaseDSPs(list))
	return nil
}

func (s *Server) handleReleaseDSPPut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	slug, err := slugOf(r)
	if err != nil {
		return err
	}
	var in struct {
		IsBlocked   field[bool]   `json:"is_blocked"`
		ReleaseDate field[string] `json:"release_date"`
		PriceTier   field[string] `json:"price_tier"`
	}
	if err := decodeOptionalJSON(r, &in); err != nil {
		return err
	}
	var c checker
	upd := tonegrid.ReleaseDSPUpdate{ReleaseDate: c.optionalDate("release_date", in.ReleaseDate)}
	if in.IsBlocked.set {
		upd.IsBlocked = ptr(in.IsBlocked.value)
	}
	if in.PriceTier.set {
		upd.PriceTier = ptr(c.name("price_tier", in.PriceTier.value, false, 50))
	}
	if err := c.err(); err != nil {
		return err
	}
	rd, err := s.deps.Catalog.SetReleaseDSP(r.Context(), principalOf(r), id, slug, upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, viewReleaseDSP(rd))
	return nil
}

func (s *Server) handleReleaseDSPDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	slug, err := slugOf(r)
	if err != nil {
		return err
	}
	if err := s.deps.Catalog.DetachDSP(r.Context(), principalOf(r), id, slug); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "DSP removed from the release.")
	return nil
}

func (s *Server) handleUPCPoolGet(w http.ResponseWriter, r *http.Request) error {
	pool, err := s.deps.Catalog.UPCPool(r.Context(), principalOf(r))
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, pool)
	return nil
}

// upcPoolAdded is the answer of POST /upc-pool.
type upcPoolAdded struct {
	Added int `json:"added"`
	tonegrid.UPCPool
}

func (s *Server) handleUPCPoolAdd(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UPCs []string `json:"upcs"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	switch {
	case len(in.UPCs) == 0:
		c.add("upcs", "required")
	case len(in.UPCs) > 1000:
		c.add("upcs", "too_many", "max", 1000)
	}
	upcs := make([]string, 0, len(in.UPCs))
	for i, u := range in.UPCs {
		upcs = append(upcs, c.upc("upcs."+strconv.Itoa(i), u))
	}
	if err := c.err(); err != nil {
		return err
	}
	added, pool, err := s.deps.Catalog.AddUPCs(r.Context(), principalOf(r), upcs)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, upcPoolAdded{Added: added, UPCPool: pool})
	return nil
}
