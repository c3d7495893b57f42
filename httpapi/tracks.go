package httpapi

import (
	"net/http"
	"strconv"

	"tonegrid"
	"tonegrid/money"
)

// contributorBody is a non-performing credit of a track in a request.
type contributorBody struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// trackBody is the JSON of a track, for create and update.
type trackBody struct {
	Title           field[string]            `json:"title"`
	LocalizedTitles field[map[string]string] `json:"localized_titles"`
	Version         field[string]            `json:"version"`
	Artists         field[[]creditBody]      `json:"artists"`
	ISRC            field[string]            `json:"isrc"`
	Position        field[int]               `json:"position"`
	DiscNumber      field[int]               `json:"disc_number"`
	Explicit        field[bool]              `json:"explicit"`
	Language        field[string]            `json:"language"`
	Contributors    field[[]contributorBody] `json:"contributors"`
	PreviewStartS   field[int]               `json:"preview_start_s"`
	versionBody
}

// check validates the body and returns the update it describes; for a
// create, title is required.
func (b *trackBody) check(c *checker, create bool) tonegrid.TrackUpdate {
	var upd tonegrid.TrackUpdate
	if create || b.Title.set {
		upd.Title = ptr(c.name("title", b.Title.value, true, 255))
	}
	if b.LocalizedTitles.set {
		upd.LocalizedTitles = ptr(c.titles("localized_titles", b.LocalizedTitles.value))
	}
	if b.Version.set {
		upd.Version = ptr(c.name("version", b.Version.value, false, 100))
	}
	if b.Artists.set {
		upd.Artists = ptr(c.credits("artists", b.Artists.value, false))
	}
	if b.ISRC.set {
		s := ""
		if b.ISRC.given() && b.ISRC.value != "" {
			s = c.isrc("isrc", b.ISRC.value)
		}
		upd.ISRC = &s
	}
	if b.Position.given() {
		if p := b.Position.value; p < 1 || p > 999 {
			c.add("position", "out_of_range", "min", 1, "max", 999)
		}
		upd.Position = ptr(b.Position.value)
	}
	if b.DiscNumber.given() {
		if d := b.DiscNumber.value; d < 1 || d > 99 {
			c.add("disc_number", "out_of_range", "min", 1, "max", 99)
		}
		upd.DiscNumber = ptr(b.DiscNumber.value)
	}
	if b.Explicit.set {
		upd.Explicit = ptr(b.Explicit.value)
	}
	if b.Language.given() && b.Language.value != "" {
		upd.Language = ptr(c.language("language", b.Language.value))
	}
	if b.Contributors.set {
		upd.Contributors = ptr(c.contributors("contributors", b.Contributors.value))
	}
	switch {
	case b.PreviewStartS.null:
		upd.ClearPreviewStart = true
	case b.PreviewStartS.set:
		if s := b.PreviewStartS.value; s < 0 || s > 3600 {
			c.add("preview_start_s", "out_of_range", "min", 0, "max", 3600)
		}
		upd.PreviewStartS = ptr(b.PreviewStartS.value)
	}
	return upd
}

// contributors checks a track's non-performing credits.
func (c *checker) contributors(field string, in []contributorBody) []tonegrid.Contributor {
	if len(in) > 50 {
		c.add(field, "too_many", "max", 50)
		return nil
	}
	out := make([]tonegrid.Contributor, len(in))
	for i, k := range in {
		f := field + "." + strconv.Itoa(i)
		out[i] = tonegrid.Contributor{Name: c.name(f+".name", k.Name, true, 200), Role: k.Role}
		c.oneOf(f+".role", k.Role, true, tonegrid.ContributorRoles...)
	}
	return out
}

func (s *Server) handleTrackList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	tracks, total, err := s.deps.Catalog.ListTracks(r.Context(), principalOf(r), id, page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(tracks), metaOf(page, total))
	return nil
}

func (s *Server) handleTrackCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	var b trackBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var c checker
	upd := b.check(&c, true)
	if err := c.err(); err != nil {
		return err
	}
	t, err := s.deps.Catalog.CreateTrack(r.Context(), principalOf(r), id, trackInputOf(upd))
	if err != nil {
		return err
	}
	setETag(w, t.RowVersion)
	writeData(w, http.StatusCreated, t)
	return nil
}

// trackInputOf is the track a checked create body describes.
func trackInputOf(upd tonegrid.TrackUpdate) tonegrid.TrackInput {
	return tonegrid.TrackInput{
		Title: deref(upd.Title), LocalizedTitles: deref(upd.LocalizedTitles), Version: deref(upd.Version), Artists: deref(upd.Artists),
		ISRC: deref(upd.ISRC), Position: deref(upd.Position), DiscNumber: deref(upd.DiscNumber), Explicit: deref(upd.Explicit),
		Language: deref(upd.Language), Contributors: deref(upd.Contributors), PreviewStartS: upd.PreviewStartS,
	}
}

func (s *Server) handleTrackGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrTrackNotFound)
	if err != nil {
		return err
	}
	t, err := s.deps.Catalog.FindTrack(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	setETag(w, t.RowVersion)
	writeData(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleTrackUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrTrackNotFound)
	if err != nil {
		return err
	}
	var b trackBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	var c checker
	upd := b.check(&c, false)
	upd.If = c.precondition(r, b.versionBody)
	if err := c.err(); err != nil {
		return err
	}
	t, err := s.deps.Catalog.UpdateTrack(r.Context(), principalOf(r), id, upd)
	if err != nil {
		return err
	}
	setETag(w, t.RowVersion)
	writeData(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleTrackDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrTrackNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Media.DeleteTrack(r.Context(), principalOf(r), id, ifMatch(r)); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "Track deleted.")
	return nil
}

func (s *Server) handleTrackWritersGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrTrackNotFound)
	if err != nil {
		return err
	}
	writers, err := s.deps.Catalog.TrackWriters(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, nonNil(writers))
	return nil
}

func (s *Server) handleTrackWritersPut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrTrackNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Writers *[]writerCreditBody `json:"writers"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	if in.Writers == nil {
		c.add("writers", "required")
		return c.err()
	}
	writers := c.trackWriters("writers", *in.Writers)
	if err := c.err(); err != nil {
		return err
	}
	out, err := s.deps.Catalog.SetTrackWriters(r.Context(), principalOf(r), id, writers)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, nonNil(out))
	return nil
}

// writerCreditBody is a writer credit of a track in a request.
type writerCreditBody struct {
	WriterUUID string      `json:"writer_uuid"`
	Role       string      `json:"role"`
	Share      decimalText `json:"share"`
}

// trackWriters checks a track's writer credits: at most 50, uuids, roles,
// each (writer, role) once, shares adding up to at most 100.
func (c *checker) trackWriters(field string, in []writerCreditBody) []tonegrid.TrackWriter {
	if len(in) > 50 {
		c.add(field, "too_many", "max", 50)
		return nil
	}
	writers := make([]tonegrid.TrackWriter, len(in))
	seen := map[[2]string]bool{}
	total := money.New(0, 0)
	for i, wr := range in {
		f := field + "." + strconv.Itoa(i)
		id := c.uuid(f+".writer_uuid", wr.WriterUUID)
		c.oneOf(f+".role", wr.Role, true, tonegrid.WriterRoles...)
		if seen[[2]string{id, wr.Role}] {
			c.add(f, "duplicate")
		}
		seen[[2]string{id, wr.Role}] = true
		share := c.percentage(f+".share", wr.Share, false)
		if d, err := money.ParsePercentage(share); err == nil {
			total, _ = total.Add(d)
		}
		writers[i] = tonegrid.TrackWriter{WriterUUID: id, Role: wr.Role, Share: share}
	}
	if total.Cmp(money.New(100, 0)) > 0 {
		c.add(field, "shares_over_100")
	}
	return writers
}

func (s *Server) handleSplitsGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrTrackNotFound)
	if err != nil {
		return err
	}
	splits, err := s.deps.Catalog.TrackSplits(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, nonNil(splits))
	return nil
}

// splitsBody is the JSON of PUT /tracks/:uuid/splits.
type splitsBody struct {
	Splits *[]splitBody `json:"splits"`
}

// splitBody is one split in a request.
type splitBody struct {
	PayeeUUID  string      `json:"payee_uuid"`
	Percentage decimalText `json:"percentage"`
}

// check validates each split (uuid, a percentage above 0 with at most 4
// places, each payee once); whether they add up to 100 is the store's
// check.
func (b *splitsBody) check() ([]tonegrid.Split, error) {
	var c checker
	if b.Splits == nil {
		c.add("splits", "required")
		return nil, c.err()
	}
	out := c.splits("splits", *b.Splits)
	return out, c.err()
}

// splits checks splits: at most 100, uuids, a percentage above 0 with at
// most 4 places, each payee once.
func (c *checker) splits(field string, in []splitBody) []tonegrid.Split {
	if len(in) > 100 {
		c.add(field, "too_many", "max", 100)
		return nil
	}
	out := make([]tonegrid.Split, len(in))
	seen := map[string]bool{}
	for i, sp := range in {
		f := field + "." + strconv.Itoa(i)
		id := c.uuid(f+".payee_uuid", sp.PayeeUUID)
		if seen[id] {
			c.add(f+".payee_uuid", "duplicate")
		}
		seen[id] = true
		out[i] = tonegrid.Split{PayeeUUID: id, Percentage: c.percentage(f+".percentage", sp.Percentage, false)}
	}
	return out
}

func (s *Server) handleSplitsPut(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrTrackNotFound)
	if err != nil {
		return err
	}
	var b splitsBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	splits, err := b.check()
	if err != nil {
		return err
	}
	out, err := s.deps.Catalog.SetTrackSplits(r.Context(), principalOf(r), id, splits)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, nonNil(out))
	return nil
}
