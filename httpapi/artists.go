package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"tonegrid"
	"tonegrid/ident"
	"tonegrid/money"
)

// artistBody is the JSON of an artist, for create and update.
type artistBody struct {
	Name      field[string]   `json:"name"`
	Slug      field[string]   `json:"slug"`
	Country   field[string]   `json:"country"`
	SpotifyID field[string]   `json:"spotify_id"`
	AppleID   field[string]   `json:"apple_id"`
	ISNI      field[string]   `json:"isni"`
	UserUUIDs field[[]string] `json:"user_uuids"`
}

// check validates the body and returns the update it describes; for a
// create, name is required.
func (b *artistBody) check(create bool) (tonegrid.ArtistUpdate, error) {
	var c checker
	var upd tonegrid.ArtistUpdate
	if create || b.Name.set {
		upd.Name = ptr(c.name("name", b.Name.value, true, 200))
	}
	if b.Slug.given() {
		s := strings.TrimSpace(b.Slug.value)
		if s == "" || len(s) > 80 || ident.Slugify(s) != s {
			c.add("slug", "invalid_slug")
		}
		upd.Slug = &s
	} else if b.Slug.null && !create {
		c.add("slug", "required")
	}
	if b.Country.set {
		s := ""
		if b.Country.given() && strings.TrimSpace(b.Country.value) != "" {
			s = c.country("country", b.Country.value)
		}
		upd.Country = &s
	}
	if b.SpotifyID.set {
		upd.SpotifyID = ptr(c.name("spotify_id", b.SpotifyID.value, false, 100))
	}
	if b.AppleID.set {
		upd.AppleID = ptr(c.name("apple_id", b.AppleID.value, false, 100))
	}
	if b.ISNI.set {
		s := ""
		if b.ISNI.given() && strings.TrimSpace(b.ISNI.value) != "" {
			var ok bool
			if s, ok = ident.NormalizeISNI(b.ISNI.value); !ok {
				c.add("isni", "invalid_isni")
			}
		}
		upd.ISNI = &s
	}
	if b.UserUUIDs.set {
		users := []string{}
		if len(b.UserUUIDs.value) > 50 {
			c.add("user_uuids", "too_many", "max", 50)
		}
		seen := map[string]bool{}
		for i, u := range b.UserUUIDs.value {
			f := "user_uuids." + strconv.Itoa(i)
			u = c.uuid(f, u)
			if seen[u] {
				c.add(f, "duplicate")
			}
			seen[u] = true
			users = append(users, u)
		}
		upd.UserUUIDs = &users
	}
	return upd, c.err()
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// deref is *p, or the zero value when p is nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func (s *Server) handleArtistList(w http.ResponseWriter, r *http.Request) error {
	f, err := listFilterOf(r)
	if err != nil {
		return err
	}
	artists, total, err := s.deps.Catalog.ListArtists(r.Context(), principalOf(r), f)
	if err != nil {
		return err
	}
	writeList(w, nonNil(artists), metaOf(f.Page, total))
	return nil
}

func (s *Server) handleArtistCreate(w http.ResponseWriter, r *http.Request) error {
	var b artistBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	upd, err := b.check(true)
	if err != nil {
		return err
	}
	a, err := s.deps.Catalog.CreateArtist(r.Context(), principalOf(r), tonegrid.ArtistInput{
		Name: deref(upd.Name), Slug: deref(upd.Slug), Country: deref(upd.Country), SpotifyID: deref(upd.SpotifyID),
		AppleID: deref(upd.AppleID), ISNI: deref(upd.ISNI), UserUUIDs: deref(upd.UserUUIDs),
	})
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, a)
	return nil
}

func (s *Server) handleArtistGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrArtistNotFound)
	if err != nil {
		return err
	}
	a, err := s.deps.Catalog.FindArtist(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, a)
	return nil
}

func (s *Server) handleArtistUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrArtistNotFound)
	if err != nil {
		return err
	}
	var b artistBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	upd, err := b.check(false)
	if err != nil {
		return err
	}
	a, err := s.deps.Catalog.UpdateArtist(r.Context(), principalOf(r), id, upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, a)
	return nil
}

func (s *Server) handleArtistDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrArtistNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Catalog.DeleteArtist(r.Context(), principalOf(r), id); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "Artist deleted.")
	return nil
}

// writerBody is the JSON of a songwriter, for create and update.
type writerBody struct {
	Name field[string] `json:"name"`
	IPI  field[string] `json:"ipi"`
	PRO  field[string] `json:"pro"`
	ISNI field[string] `json:"isni"`
}

func (b *writerBody) check(create bool) (tonegrid.WriterUpdate, error) {
	var c checker
	var upd tonegrid.WriterUpdate
	if create || b.Name.set {
		upd.Name = ptr(c.name("name", b.Name.value, true, 200))
	}
	if b.IPI.set {
		s := ""
		if b.IPI.given() && strings.TrimSpace(b.IPI.value) != "" {
			var ok bool
			if s, ok = ident.NormalizeIPI(b.IPI.value); !ok {
				c.add("ipi", "invalid_ipi")
			}
		}
		upd.IPI = &s
	}
	if b.PRO.set {
		upd.PRO = ptr(c.name("pro", b.PRO.value, false, 100))
	}
	if b.ISNI.set {
		s := ""
		if b.ISNI.given() && strings.TrimSpace(b.ISNI.value) != "" {
			var ok bool
			if s, ok = ident.NormalizeISNI(b.ISNI.value); !ok {
				c.add("isni", "invalid_isni")
			}
		}
		upd.ISNI = &s
	}
	return upd, c.err()
}

func (s *Server) handleWriterList(w http.ResponseWriter, r *http.Request) error {
	f, err := listFilterOf(r)
	if err != nil {
		return err
	}
	writers, total, err := s.deps.Catalog.ListWriters(r.Context(), principalOf(r), f)
	if err != nil {
		return err
	}
	writeList(w, nonNil(writers), metaOf(f.Page, total))
	return nil
}

func (s *Server) handleWriterCreate(w http.ResponseWriter, r *http.Request) error {
	var b writerBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	upd, err := b.check(true)
	if err != nil {
		return err
	}
	wr, err := s.deps.Catalog.CreateWriter(r.Context(), principalOf(r), tonegrid.WriterInput{
		Name: deref(upd.Name), IPI: deref(upd.IPI), PRO: deref(upd.PRO), ISNI: deref(upd.ISNI)})
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, wr)
	return nil
}

func (s *Server) handleWriterGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWriterNotFound)
	if err != nil {
		return err
	}
	wr, err := s.deps.Catalog.FindWriter(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, wr)
	return nil
}

func (s *Server) handleWriterUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWriterNotFound)
	if err != nil {
		return err
	}
	var b writerBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	upd, err := b.check(false)
	if err != nil {
		return err
	}
	wr, err := s.deps.Catalog.UpdateWriter(r.Context(), principalOf(r), id, upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, wr)
	return nil
}

// payeeBody is the JSON of a payee, for create and update.
type payeeBody struct {
	Name     field[string] `json:"name"`
	Email    field[string] `json:"email"`
	Currency field[string] `json:"currency"`
}

func (b *payeeBody) check(create bool) (tonegrid.PayeeUpdate, error) {
	var c checker
	var upd tonegrid.PayeeUpdate
	if create || b.Name.set {
		upd.Name = ptr(c.name("name", b.Name.value, true, 200))
	}
	if create || b.Email.set {
		upd.Email = ptr(c.email("email", b.Email.value))
	}
	if create || b.Currency.set {
		cur := strings.ToUpper(strings.TrimSpace(b.Currency.value))
		if !money.ValidCurrency(cur) {
			c.add("currency", "invalid_currency")
		}
		upd.Currency = &cur
	}
	return upd, c.err()
}

func (s *Server) handlePayeeList(w http.ResponseWriter, r *http.Request) error {
	f, err := listFilterOf(r)
	if err != nil {
		return err
	}
	payees, total, err := s.deps.Catalog.ListPayees(r.Context(), principalOf(r), f)
	if err != nil {
		return err
	}
	writeList(w, nonNil(payees), metaOf(f.Page, total))
	return nil
}

func (s *Server) handlePayeeCreate(w http.ResponseWriter, r *http.Request) error {
	var b payeeBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	upd, err := b.check(true)
	if err != nil {
		return err
	}
	y, err := s.deps.Catalog.CreatePayee(r.Context(), principalOf(r), tonegrid.PayeeInput{
		Name: deref(upd.Name), Email: deref(upd.Email), Currency: deref(upd.Currency)})
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, y)
	return nil
}

func (s *Server) handlePayeeGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrPayeeNotFound)
	if err != nil {
		return err
	}
	y, err := s.deps.Catalog.FindPayee(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, y)
	return nil
}

func (s *Server) handlePayeeUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrPayeeNotFound)
	if err != nil {
		return err
	}
	var b payeeBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	upd, err := b.check(false)
	if err != nil {
		return err
	}
	y, err := s.deps.Catalog.UpdatePayee(r.Context(), principalOf(r), id, upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, y)
	return nil
}
