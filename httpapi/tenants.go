package httpapi

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"tonegrid"
	"tonegrid/i18n"
)

// domainName matches a host name of letters, digits and hyphens in dotted
// labels, with at least one dot.
var domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// tenantBody is the JSON of a tenant update, shared by /tenants/me and
// /tenants/clients/:uuid.
type tenantBody struct {
	Name                *string            `json:"name"`
	Domains             *[]string          `json:"domains"`
	Branding            *map[string]string `json:"branding"`
	DefaultLocale       *string            `json:"default_locale"`
	Status              *string            `json:"status"`
	RevenueSharePercent *string            `json:"revenue_share_percent"`
}

// check validates the update; client reports whether status and revenue
// share may be set (only on clients, by their parent).
func (b *tenantBody) check(client bool) (tonegrid.TenantUpdate, error) {
	var c checker
	upd := tonegrid.TenantUpdate{Name: b.Name, Branding: b.Branding, DefaultLocale: b.DefaultLocale}
	if b.Name != nil {
		*b.Name = c.text("name", *b.Name, true, 200)
	}
	if b.DefaultLocale != nil {
		c.oneOf("default_locale", *b.DefaultLocale, true, i18n.Locales()...)
	}
	if b.Domains != nil {
		if len(*b.Domains) > 20 {
			c.add("domains", "too_many", "max", 20)
		}
		seen := map[string]bool{}
		clean := make([]string, 0, len(*b.Domains))
		for i, d := range *b.Domains {
			d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
			field := "domains." + strconv.Itoa(i)
			switch {
			case len(d) > 253 || !domainName.MatchString(d):
				c.add(field, "invalid_domain")
			case seen[d]:
				c.add(field, "duplicate")
			}
			seen[d] = true
			clean = append(clean, d)
		}
		upd.Domains = &clean
	}
	if b.Branding != nil {
		if len(*b.Branding) > 30 {
			c.add("branding", "too_many", "max", 30)
		}
		for k, v := range *b.Branding {
			if len(k) > 50 || len(v) > 2000 {
				c.add("branding."+k, "too_long", "max", 2000)
			}
		}
	}
	if b.Status != nil || b.RevenueSharePercent != nil {
		if !client {
			if b.Status != nil {
				c.add("status", "not_allowed")
			}
			if b.RevenueSharePercent != nil {
				c.add("revenue_share_percent", "not_allowed")
			}
		}
		if b.Status != nil {
			c.oneOf("status", *b.Status, true, tonegrid.StatusActive, tonegrid.StatusSuspended)
			upd.Status = b.Status
		}
		if b.RevenueSharePercent != nil {
			pct, ok := percentage(*b.RevenueSharePercent)
			if !ok {
				c.add("revenue_share_percent", "out_of_range", "min", 0, "max", 100)
			}
			upd.RevenueSharePercent = &pct
		}
	}
	return upd, c.err()
}

// percentage parses a decimal between 0 and 100 with at most 4 places and
// returns its canonical text.
func percentage(s string) (string, bool) {
	s = strings.TrimSpace(s)
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" || len(intPart) > 3 || len(frac) > 4 || strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return "", false
	}
	n, _ := strconv.Atoi(intPart)
	frac = strings.TrimRight(frac, "0")
	if n > 100 || (n == 100 && frac != "") {
		return "", false
	}
	out := strconv.Itoa(n)
	if frac != "" {
		out += "." + frac
	}
	return out, true
}

func (s *Server) handleTenantMe(w http.ResponseWriter, r *http.Request) error {
	t, err := s.deps.Tenants.CurrentTenant(r.Context(), principalOf(r))
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleTenantUpdateMe(w http.ResponseWriter, r *http.Request) error {
	var in tenantBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	upd, err := in.check(false)
	if err != nil {
		return err
	}
	t, err := s.deps.Tenants.UpdateTenant(r.Context(), principalOf(r), upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleClientList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	clients, total, err := s.deps.Tenants.ListClients(r.Context(), principalOf(r), page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(clients), metaOf(page, total))
	return nil
}

// clientBody is a client tenant with the owner created with it.
type clientBody struct {
	*tonegrid.Tenant
	Owner *tonegrid.User `json:"owner"`
}

func (s *Server) handleClientCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name       string `json:"name"`
		OwnerEmail string `json:"owner_email"`
		OwnerName  string `json:"owner_name"`
		Plan       string `json:"plan"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Name = c.text("name", in.Name, true, 200)
	in.OwnerEmail = c.email("owner_email", in.OwnerEmail)
	in.OwnerName = c.text("owner_name", in.OwnerName, true, 200)
	in.Plan = c.text("plan", in.Plan, false, 50)
	if err := c.err(); err != nil {
		return err
	}
	t, owner, err := s.deps.Tenants.CreateClient(r.Context(), principalOf(r), tonegrid.ClientInput{
		Name: in.Name, OwnerEmail: in.OwnerEmail, OwnerName: in.OwnerName, Plan: in.Plan,
	})
	if err != nil {
		return err
	}
	writeDataMessage(w, http.StatusCreated, clientBody{Tenant: t, Owner: owner}, "Client created; its owner was invited by email.")
	return nil
}

func (s *Server) handleClientGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrClientNotFound)
	if err != nil {
		return err
	}
	t, err := s.deps.Tenants.FindClient(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleClientUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrClientNotFound)
	if err != nil {
		return err
	}
	var in tenantBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	upd, err := in.check(true)
	if err != nil {
		return err
	}
	t, err := s.deps.Tenants.UpdateClient(r.Context(), principalOf(r), id, upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, t)
	return nil
}

func (s *Server) handleLoginAs(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrClientNotFound)
	if err != nil {
		return err
	}
	sess, err := s.deps.Auth.LoginAs(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, newSessionBody(sess), "Acting in "+sess.Tenant.Name+" for the next hour.")
	return nil
}
