package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"tonegrid"
	"tonegrid/i18n"
)

// meBody is the caller's own account with the tenant it acts in.
type meBody struct {
	*tonegrid.User
	Tenant *tonegrid.Tenant `json:"tenant"`
	// ActingAs is true for a login-as session in a client tenant.
	ActingAs bool `json:"acting_as"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	if p.User == nil {
		return tonegrid.ErrForbidden
	}
	writeData(w, http.StatusOK, meBody{User: p.User, Tenant: p.Tenant, ActingAs: p.Actor != nil})
	return nil
}

func (s *Server) handleUpdateMe(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	if p.User == nil {
		return tonegrid.ErrForbidden
	}
	var in struct {
		Name            *string `json:"name"`
		Locale          *string `json:"locale"`
		CurrentPassword string  `json:"current_password"`
		NewPassword     string  `json:"new_password"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	if in.Name != nil {
		*in.Name = c.text("name", *in.Name, false, 200)
	}
	if in.Locale != nil {
		c.oneOf("locale", *in.Locale, true, i18n.Locales()...)
	}
	if in.NewPassword != "" && in.CurrentPassword == "" {
		c.add("current_password", "required")
	}
	if err := c.err(); err != nil {
		return err
	}
	if in.NewPassword != "" {
		if err := s.deps.Auth.ChangePassword(r.Context(), p, in.CurrentPassword, in.NewPassword); err != nil {
			return err
		}
	}
	u, err := s.deps.Users.UpdateProfile(r.Context(), p, tonegrid.UserUpdate{Name: in.Name, Locale: in.Locale})
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, meBody{User: u, Tenant: p.Tenant, ActingAs: p.Actor != nil})
	return nil
}

func (s *Server) handleUserList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	users, total, err := s.deps.Users.ListUsers(r.Context(), principalOf(r), page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(users), metaOf(page, total))
	return nil
}

var roleNames = []string{string(tonegrid.RoleSuperAdmin), string(tonegrid.RoleLabelAdmin), string(tonegrid.RoleStaff), string(tonegrid.RoleArtist)}

func (s *Server) handleUserInvite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
		Name  string `json:"name"`
		Role  string `json:"role"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Email = c.email("email", in.Email)
	in.Name = c.text("name", in.Name, true, 200)
	c.oneOf("role", in.Role, true, roleNames...)
	if err := c.err(); err != nil {
		return err
	}
	u, err := s.deps.Users.InviteUser(r.Context(), principalOf(r), tonegrid.InviteInput{Email: in.Email, Name: in.Name, Role: tonegrid.Role(in.Role)})
	if err != nil {
		return err
	}
	writeDataMessage(w, http.StatusCreated, u, "Invitation sent.")
	return nil
}

func (s *Server) handleUserGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrUserNotFound)
	if err != nil {
		return err
	}
	u, err := s.deps.Users.FindUser(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrUserNotFound)
	if err != nil {
		return err
	}
	var in struct {
		Name   *string `json:"name"`
		Role   *string `json:"role"`
		Status *string `json:"status"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	upd := tonegrid.UserUpdate{Name: in.Name, Status: in.Status}
	if in.Name != nil {
		*in.Name = c.text("name", *in.Name, true, 200)
	}
	if in.Role != nil {
		c.oneOf("role", *in.Role, true, roleNames...)
		role := tonegrid.Role(*in.Role)
		upd.Role = &role
	}
	if in.Status != nil {
		c.oneOf("status", *in.Status, true, tonegrid.StatusActive, tonegrid.StatusSuspended)
	}
	if err := c.err(); err != nil {
		return err
	}
	u, err := s.deps.Users.UpdateUser(r.Context(), principalOf(r), id, upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleUserDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrUserNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Users.DeleteUser(r.Context(), principalOf(r), id); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "User deleted.")
	return nil
}

// apiKeyBody is a key with its plaintext, answered once on create and
// rotate.
type apiKeyBody struct {
	*tonegrid.APIKey
	Key string `json:"key"`
}

func (s *Server) handleAPIKeyList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	keys, total, err := s.deps.APIKeys.ListAPIKeys(r.Context(), principalOf(r), page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(keys), metaOf(page, total))
	return nil
}

func (s *Server) handleAPIKeyCreate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name       string     `json:"name"`
		Scopes     []string   `json:"scopes"`
		ExpiresAt  *time.Time `json:"expires_at"`
		AllowedIPs []string   `json:"allowed_ips"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	in.Name = c.text("name", in.Name, true, 100)
	if len(in.Scopes) == 0 {
		c.add("scopes", "required")
	}
	seen := map[string]bool{}
	scopeNames := make([]string, len(tonegrid.Scopes))
	for i, sc := range tonegrid.Scopes {
		scopeNames[i] = string(sc)
	}
	for i, sc := range in.Scopes {
		field := "scopes." + strconv.Itoa(i)
		c.oneOf(field, sc, true, scopeNames...)
		if seen[sc] {
			c.add(field, "duplicate")
		}
		seen[sc] = true
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(time.Now()) {
		c.add("expires_at", "in_past")
	}
	if len(in.AllowedIPs) > 50 {
		c.add("allowed_ips", "too_many", "max", 50)
	}
	for i, ip := range in.AllowedIPs {
		if _, err := tonegrid.ParsePrefix(ip); err != nil {
			c.add("allowed_ips."+strconv.Itoa(i), "invalid_cidr")
		}
	}
	if err := c.err(); err != nil {
		return err
	}
	k, plain, err := s.deps.APIKeys.CreateAPIKey(r.Context(), principalOf(r), tonegrid.APIKeyInput{
		Name: in.Name, Scopes: in.Scopes, ExpiresAt: in.ExpiresAt, AllowedIPs: in.AllowedIPs,
	})
	if err != nil {
		return err
	}
	writeDataMessage(w, http.StatusCreated, apiKeyBody{APIKey: k, Key: plain}, "Store this key now: it is not shown again.")
	return nil
}

// defaultKeyGrace is how long a rotated key keeps working by default.
const defaultKeyGrace = 24 * time.Hour

func (s *Server) handleAPIKeyRotate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrAPIKeyNotFound)
	if err != nil {
		return err
	}
	var in struct {
		GraceHours *int `json:"grace_hours"`
	}
	if err := decodeOptionalJSON(r, &in); err != nil {
		return err
	}
	grace := defaultKeyGrace
	if in.GraceHours != nil {
		if *in.GraceHours < 0 || *in.GraceHours > 168 {
			var c checker
			c.add("grace_hours", "out_of_range", "min", 0, "max", 168)
			return c.err()
		}
		grace = time.Duration(*in.GraceHours) * time.Hour
	}
	k, plain, err := s.deps.APIKeys.RotateAPIKey(r.Context(), principalOf(r), id, grace)
	if err != nil {
		return err
	}
	writeDataMessage(w, http.StatusCreated, apiKeyBody{APIKey: k, Key: plain}, "Store this key now: it is not shown again.")
	return nil
}

func (s *Server) handleAPIKeyRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrAPIKeyNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.APIKeys.RevokeAPIKey(r.Context(), principalOf(r), id); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "API key revoked.")
	return nil
}

func (s *Server) handleAuditList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	var c checker
	action := c.text("action", r.URL.Query().Get("action"), false, 100)
	if err := c.err(); err != nil {
		return err
	}
	entries, total, err := s.deps.Audit.ListAudit(r.Context(), principalOf(r), tonegrid.AuditFilter{Action: action, Page: page})
	if err != nil {
		return err
	}
	writeList(w, nonNil(entries), metaOf(page, total))
	return nil
}

// nonNil turns a nil slice into an empty one, so lists answer [] not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
