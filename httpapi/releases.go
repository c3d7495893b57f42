package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"tonegrid"
	"tonegrid/ident"
)

// releaseStatuses lists every release status, for the list filter.
var releaseStatuses = []string{tonegrid.ReleaseDraft, tonegrid.ReleasePendingReview, tonegrid.ReleaseRejected,
	tonegrid.ReleaseApproved, tonegrid.ReleaseDelivering, tonegrid.ReleaseDelivered, tonegrid.ReleaseLive, tonegrid.ReleaseTakenDown}

// lineBody is a ℗ or © line in a request.
type lineBody struct {
	Year   int    `json:"year"`
	Holder string `json:"holder"`
}

// releaseBody is the JSON of a release, for create and update.
type releaseBody struct {
	Title               field[string]            `json:"title"`
	LocalizedTitles     field[map[string]string] `json:"localized_titles"`
	Version             field[string]            `json:"version"`
	Type                field[string]            `json:"type"`
	Artists             field[[]creditBody]      `json:"artists"`
	ArtistUUID          field[string]            `json:"artist_uuid"`
	LabelName           field[string]            `json:"label_name"`
	UPC                 field[string]            `json:"upc"`
	CatalogNumber       field[string]            `json:"catalog_number"`
	ReleaseDate         field[string]            `json:"release_date"`
	OriginalReleaseDate field[string]            `json:"original_release_date"`
	Genre               field[string]            `json:"genre"`
	Subgenre            field[string]            `json:"subgenre"`
	Language            field[string]            `json:"language"`
	PLine               field[lineBody]          `json:"p_line"`
	CLine               field[lineBody]          `json:"c_line"`
	ParentalAdvisory    field[string]            `json:"parental_advisory"`
	Territories         field[[]string]          `json:"territories"`
	PriceTier           field[string]            `json:"price_tier"`
	versionBody
}

// check validates the body and returns the update it describes. For a
// create, title, type, artists, genre and language are required.
func (b *releaseBody) check(c *checker, create bool) tonegrid.ReleaseUpdate {
	var upd tonegrid.ReleaseUpdate
	if create || b.Title.set {
		upd.Title = ptr(c.name("title", b.Title.value, true, 255))
	}
	if b.LocalizedTitles.set {
		upd.LocalizedTitles = ptr(c.titles("localized_titles", b.LocalizedTitles.value))
	}
	if b.Version.set {
		upd.Version = ptr(c.name("version", b.Version.value, false, 100))
	}
	if create || b.Type.set {
		c.oneOf("type", b.Type.value, true, tonegrid.ReleaseTypeSingle, tonegrid.ReleaseTypeEP, tonegrid.ReleaseTypeAlbum, tonegrid.ReleaseTypeCompilation)
		upd.Type = ptr(b.Type.value)
	}
	switch {
	case b.Artists.set && b.ArtistUUID.set:
		c.add("artist_uuid", "not_allowed")
	case b.ArtistUUID.set:
		upd.Artists = ptr(c.credits("artists", []creditBody{{ArtistUUID: b.ArtistUUID.value, Role: tonegrid.ArtistPrimary}}, true))
	case b.Artists.set || create:
		if len(b.Artists.value) == 0 {
			c.add("artists", "required")
		}
		upd.Artists = ptr(c.credits("artists", b.Artists.value, len(b.Artists.value) > 0))
	}
	if b.LabelName.set {
		upd.LabelName = ptr(c.name("label_name", b.LabelName.value, !create, 200))
	}
	if b.UPC.set {
		s := ""
		if b.UPC.given() && b.UPC.value != "" {
			s = c.upc("upc", b.UPC.value)
		}
		upd.UPC = &s
	}
	if b.CatalogNumber.set {
		upd.CatalogNumber = ptr(c.name("catalog_number", b.CatalogNumber.value, false, 50))
	}
	upd.ReleaseDate = c.optionalDate("release_date", b.ReleaseDate)
	upd.OriginalReleaseDate = c.optionalDate("original_release_date", b.OriginalReleaseDate)
	b.checkGenre(c, create, &upd)
	if create || b.Language.set {
		upd.Language = ptr(c.language("language", b.Language.value))
	}
	upd.PLine = c.optionalLine("p_line", b.PLine)
	upd.CLine = c.optionalLine("c_line", b.CLine)
	if b.ParentalAdvisory.set {
		c.oneOf("parental_advisory", b.ParentalAdvisory.value, true, tonegrid.AdvisoryExplicit, tonegrid.AdvisoryClean, tonegrid.AdvisoryNone)
		upd.ParentalAdvisory = ptr(b.ParentalAdvisory.value)
	}
	if b.Territories.set {
		upd.Territories = ptr(c.territories("territories", b.Territories.value, true))
	}
	if b.PriceTier.set {
		upd.PriceTier = ptr(c.name("price_tier", b.PriceTier.value, false, 50))
	}
	return upd
}

// checkGenre resolves genre and subgenre to the canonical names of the
// genre list. A subgenre implies its genre; a new genre without a subgenre
// clears the subgenre.
func (b *releaseBody) checkGenre(c *checker, create bool, upd *tonegrid.ReleaseUpdate) {
	var genre string
	if create || b.Genre.set {
		g, ok := ident.LookupGenre(b.Genre.value)
		switch {
		case !ok && b.Genre.value == "":
			c.add("genre", "required")
		case !ok:
			c.add("genre", "invalid_genre")
		case g.Parent != "":
			// A subgenre given as the genre: keep both.
			genre = g.Parent
			if !b.Subgenre.given() {
				b.Subgenre = field[string]{set: true, value: g.Name}
			}
		default:
			genre = g.Name
		}
		upd.Genre = &genre
		if !b.Subgenre.set {
			upd.Subgenre = ptr("")
		}
	}
	if b.Subgenre.set {
		sub := ""
		if b.Subgenre.given() && b.Subgenre.value != "" {
			g, ok := ident.LookupGenre(b.Subgenre.value)
			switch {
			case !ok || g.Parent == "":
				c.add("subgenre", "invalid_subgenre")
			case upd.Genre != nil && *upd.Genre != "" && *upd.Genre != g.Parent:
				c.add("subgenre", "invalid_subgenre")
			default:
				sub = g.Name
				upd.Genre = ptr(g.Parent)
			}
		}
		upd.Subgenre = &sub
	}
}

// optionalDate reads a nullable date member: nil when absent, a zero date
// for null (clear), else the date.
func (c *checker) optionalDate(name string, f field[string]) *tonegrid.Date {
	switch {
	case !f.set:
		return nil
	case f.null || f.value == "":
		return &tonegrid.Date{}
	}
	return c.date(name, f.value)
}

// optionalLine reads a nullable ℗/© line: nil when absent, a zero line for
// null (clear), else the checked line.
func (c *checker) optionalLine(name string, f field[lineBody]) *tonegrid.Line {
	switch {
	case !f.set:
		return nil
	case f.null:
		return &tonegrid.Line{}
	}
	if y := f.value.Year; y < 1900 || y > time.Now().Year()+1 {
		c.add(name+".year", "out_of_range", "min", 1900, "max", time.Now().Year()+1)
	}
	holder := c.name(name+".holder", f.value.Holder, true, 200)
	return &tonegrid.Line{Year: f.value.Year, Holder: holder}
}

// handleReleaseList answers a page of releases. It reads the page's uuids
// and document versions, takes each release's rendered JSON from memory
// when its version is unchanged, reads only the others, and assembles the
// page from the pieces.
func (s *Server) handleReleaseList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var c checker
	f := tonegrid.ReleaseFilter{Page: page, Status: q.Get("status")}
	c.oneOf("status", f.Status, false, releaseStatuses...)
	f.Q = c.text("q", q.Get("q"), false, 200)
	if a := q.Get("artist_uuid"); a != "" {
		f.ArtistUUID = c.uuid("artist_uuid", a)
	}
	f.Sort = c.sortOf(r, "created_at", "updated_at", "title", "release_date")
	if err := c.err(); err != nil {
		return err
	}
	p := principalOf(r)
	versions, total, err := s.deps.Catalog.ListReleaseVersions(r.Context(), p, f)
	if err != nil {
		return err
	}
	items := make([][]byte, len(versions))
	var missing []string
	for i, v := range versions {
		if e, ok := s.releaseItems.get(renderKey{tenantID: p.Tenant.ID, uuid: v.UUID}, v.DocVersion); ok {
			items[i] = e.body
		} else {
			missing = append(missing, v.UUID)
		}
	}
	if len(missing) > 0 {
		releases, err := s.deps.Catalog.FindReleases(r.Context(), p, missing)
		if err != nil {
			return err
		}
		rendered := make(map[string][]byte, len(releases))
		for _, rel := range releases {
			body, err := renderJSON(rel)
			if err != nil {
				return fmt.Errorf("render release %s: %w", rel.UUID, err)
			}
			s.releaseItems.put(renderKey{tenantID: p.Tenant.ID, uuid: rel.UUID}, renderEntry{version: rel.DocVersion, rowVersion: rel.RowVersion, body: body})
			rendered[rel.UUID] = body
		}
		for i, v := range versions {
			if items[i] == nil {
				// nil when the release was deleted since the page was read.
				items[i] = rendered[v.UUID]
			}
		}
	}
	body, err := renderList(items, metaOf(page, total))
	if err != nil {
		return err
	}
	writeRendered(w, http.StatusOK, body)
	return nil
}

func (s *Server) handleReleaseCreate(w http.ResponseWriter, r *http.Request) error {
	var b releaseBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var c checker
	upd := b.check(&c, true)
	if err := c.err(); err != nil {
		return err
	}
	rel, err := s.deps.Catalog.CreateRelease(r.Context(), principalOf(r), releaseInputOf(upd))
	if err != nil {
		return err
	}
	setETag(w, rel.RowVersion)
	writeData(w, http.StatusCreated, rel)
	return nil
}

// releaseInputOf is the release a checked create body describes.
func releaseInputOf(upd tonegrid.ReleaseUpdate) tonegrid.ReleaseInput {
	return tonegrid.ReleaseInput{
		Title: deref(upd.Title), LocalizedTitles: deref(upd.LocalizedTitles), Version: deref(upd.Version), Type: deref(upd.Type),
		Artists: deref(upd.Artists), LabelName: deref(upd.LabelName), UPC: deref(upd.UPC), CatalogNumber: deref(upd.CatalogNumber),
		Genre: deref(upd.Genre), Subgenre: deref(upd.Subgenre), Language: deref(upd.Language),
		ParentalAdvisory: deref(upd.ParentalAdvisory), Territories: deref(upd.Territories), PriceTier: deref(upd.PriceTier),
		ReleaseDate: upd.ReleaseDate, OriginalReleaseDate: upd.OriginalReleaseDate, PLine: upd.PLine, CLine: upd.CLine,
	}
}

// handleReleaseGet serves a release with its tracks from the render cache
// when its document version is unchanged (one indexed query), else reads
// and renders it.
func (s *Server) handleReleaseGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	p := principalOf(r)
	version, err := s.deps.Catalog.ReleaseDocVersion(r.Context(), p, id)
	if err != nil {
		return err
	}
	key := renderKey{tenantID: p.Tenant.ID, uuid: id}
	if e, ok := s.releaseDocs.get(key, version); ok {
		setETag(w, e.rowVersion)
		writeRendered(w, http.StatusOK, e.body)
		return nil
	}
	rel, err := s.deps.Catalog.FindRelease(r.Context(), p, id)
	if err != nil {
		return err
	}
	body, err := renderData(rel)
	if err != nil {
		return fmt.Errorf("render release %s: %w", id, err)
	}
	s.releaseDocs.put(key, renderEntry{version: rel.DocVersion, rowVersion: rel.RowVersion, body: body})
	setETag(w, rel.RowVersion)
	writeRendered(w, http.StatusOK, body)
	return nil
}

func (s *Server) handleReleaseUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	var b releaseBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var c checker
	upd := b.check(&c, false)
	upd.If = c.precondition(r, b.versionBody)
	if err := c.err(); err != nil {
		return err
	}
	rel, err := s.deps.Catalog.UpdateRelease(r.Context(), principalOf(r), id, upd)
	if err != nil {
		return err
	}
	setETag(w, rel.RowVersion)
	writeData(w, http.StatusOK, rel)
	return nil
}

func (s *Server) handleReleaseDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Media.DeleteRelease(r.Context(), principalOf(r), id, ifMatch(r)); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "Release deleted.")
	return nil
}

func (s *Server) handleReleaseSubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	rel, err := s.deps.Catalog.SubmitRelease(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	setETag(w, rel.RowVersion)
	writeDataMessage(w, http.StatusOK, rel, "Release submitted for review.")
	return nil
}

func (s *Server) handleReviewList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	pending, total, err := s.deps.Catalog.ListPendingReview(r.Context(), principalOf(r), page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(pending), metaOf(page, total))
	return nil
}

func (s *Server) handleReleaseApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	rel, err := s.deps.Catalog.ApproveRelease(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	setETag(w, rel.RowVersion)
	writeDataMessage(w, http.StatusOK, rel, "Release approved.")
	return nil
}

func (s *Server) handleReleaseReject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Reason = c.text("reason", in.Reason, true, 2000)
	if err := c.err(); err != nil {
		return err
	}
	rel, err := s.deps.Catalog.RejectRelease(r.Context(), principalOf(r), id, in.Reason)
	if err != nil {
		return err
	}
	setETag(w, rel.RowVersion)
	writeDataMessage(w, http.StatusOK, rel, "Release rejected.")
	return nil
}

// validationReport is the answer of GET /releases/:uuid/validation.
type validationReport struct {
	// Valid is true when no item is blocking: the release can be
	// submitted as far as the stores' rules go.
	Valid    bool                      `json:"valid"`
	Blocking int                       `json:"blocking"`
	Warnings int                       `json:"warnings"`
	Items    []tonegrid.ValidationItem `json:"items"`
}

func (s *Server) handleReleaseValidation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	items, err := s.deps.Catalog.ValidateRelease(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	rep := validationReport{Items: nonNil(items)}
	for _, it := range items {
		if it.Severity == tonegrid.SeverityBlocking {
			rep.Blocking++
		} else {
			rep.Warnings++
		}
	}
	rep.Valid = rep.Blocking == 0
	writeData(w, http.StatusOK, rep)
	return nil
}

func (s *Server) handleRightsGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	rights, err := s.deps.Catalog.ReleaseRights(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, rights)
	return nil
}

func (s *Server) handleRightsPut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	var in struct {
		MasterOwner         string      `json:"master_owner"`
		OwnershipPercent    decimalText `json:"ownership_percent"`
		TerritoriesIncluded []string    `json:"territories_included"`
		TerritoriesExcluded []string    `json:"territories_excluded"`
		RightsTypes         []string    `json:"rights_types"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	rights := tonegrid.Rights{MasterOwner: c.name("master_owner", in.MasterOwner, true, 200)}
	if in.OwnershipPercent == "" {
		c.add("ownership_percent", "required")
	} else {
		rights.OwnershipPercent = c.percentage("ownership_percent", in.OwnershipPercent, false)
	}
	if len(in.TerritoriesIncluded) > 0 && len(in.TerritoriesExcluded) > 0 {
		c.add("territories_excluded", "not_allowed")
	}
	rights.TerritoriesIncluded = c.territories("territories_included", in.TerritoriesIncluded, false)
	rights.TerritoriesExcluded = c.territories("territories_excluded", in.TerritoriesExcluded, false)
	if len(in.RightsTypes) == 0 {
		c.add("rights_types", "required")
	}
	seen := map[string]bool{}
	for i, t := range in.RightsTypes {
		f := "rights_types." + strconv.Itoa(i)
		c.oneOf(f, t, true, tonegrid.RightsTypes...)
		if seen[t] {
			c.add(f, "duplicate")
		}
		seen[t] = true
	}
	rights.RightsTypes = in.RightsTypes
	if err := c.err(); err != nil {
		return err
	}
	out, err := s.deps.Catalog.SetReleaseRights(r.Context(), principalOf(r), id, rights)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, out)
	return nil
}
