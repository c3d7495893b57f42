package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"tonegrid"
	"tonegrid/secret"
)

// InviteTTL is how long an invitation link stays valid.
const InviteTTL = 7 * 24 * time.Hour

const userColumns = `u.id, u.uuid, u.tenant_id, u.email, u.name, u.role, u.status, u.locale, u.password_hash,
	u.email_verified_at, u.token_version, u.created_at, u.updated_at`

// userScan holds a user being scanned from userColumns.
type userScan struct {
	u        tonegrid.User
	verified sql.NullTime
}

// dest lists the scan destinations of userColumns.
func (s *userScan) dest() []any {
	u := &s.u
	return []any{&u.ID, &u.UUID, &u.TenantID, &u.Email, &u.Name, &u.Role, &u.Status, &u.Locale, &u.PasswordHash,
		&s.verified, &u.TokenVersion, &u.CreatedAt, &u.UpdatedAt}
}

// user returns the scanned user.
func (s *userScan) user() *tonegrid.User {
	if s.verified.Valid {
		t := s.verified.Time
		s.u.EmailVerifiedAt, s.u.EmailVerified = &t, true
	}
	return &s.u
}

func scanUser(row interface{ Scan(...any) error }) (*tonegrid.User, error) {
	var s userScan
	if err := row.Scan(s.dest()...); err != nil {
		return nil, err
	}
	return s.user(), nil
}

// CreateFirstSuperAdmin creates the platform's first super_admin in the root
// tenant, with a verified email, when the database has no user yet. It
// reports whether it created one.
func (db *DB) CreateFirstSuperAdmin(ctx context.Context, email, name, passwordHash string) (bool, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()

	var users int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
		return false, translate(fmt.Errorf("count users: %w", err))
	}
	if users > 0 {
		return false, nil
	}
	var rootID int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM tenants WHERE parent_id IS NULL`).Scan(&rootID); err != nil {
		return false, translate(fmt.Errorf("find root tenant: %w", err))
	}
	if _, err := tx.insertUser(ctx, rootID, email, name, tonegrid.RoleSuperAdmin, "en", passwordHash, true); err != nil {
		return false, err
	}
	return true, tx.commit()
}

// CreateUser creates a user directly (the `users create` command): with a
// password, verified, in the tenant with uuid tenantUUID or the root.
func (db *DB) CreateUser(ctx context.Context, tenantUUID, email, name string, role tonegrid.Role, passwordHash string) (*tonegrid.User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var tenantID int64
	if tenantUUID == "" {
		err = tx.QueryRowContext(ctx, `SELECT id FROM tenants WHERE parent_id IS NULL`).Scan(&tenantID)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT id FROM tenants WHERE uuid = $1`, tenantUUID).Scan(&tenantID)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrClientNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find tenant: %w", err))
	}
	u, err := tx.insertUser(ctx, tenantID, email, name, role, "en", passwordHash, true)
	if err != nil {
		return nil, err
	}
	return u, tx.commit()
}

// insertUser adds a user; a live user with the same email is a validation
// error on "email".
func (tx *Tx) insertUser(ctx context.Context, tenantID int64, email, name string, role tonegrid.Role, locale, passwordHash string, verified bool) (*tonegrid.User, error) {
	var verifiedAt any
	if verified {
		verifiedAt = tx.now
	}
	if locale == "" {
		locale = "en"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO users (uuid, tenant_id, email, name, role, status, locale, password_hash, email_verified_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, $9) RETURNING id`,
		newUUID(), tenantID, tonegrid.NormalizeEmail(email), name, role, locale, passwordHash, verifiedAt, tx.now).Scan(&id)
	if isUniqueViolation(err) {
		var v tonegrid.Violations
		v.Add("email", "email_taken")
		return nil, v.Err()
	}
	if err != nil {
		return nil, translate(fmt.Errorf("insert user: %w", err))
	}
	return findUserByID(ctx, tx, id)
}

func findUserByID(ctx context.Context, q querier, id int64) (*tonegrid.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if err != nil {
		return nil, translate(fmt.Errorf("find user %d: %w", id, err))
	}
	return u, nil
}

// findTenantUser reads a live user of tenantID by uuid, or ErrUserNotFound.
func findTenantUser(ctx context.Context, q querier, tenantID int64, uuid string) (*tonegrid.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u
		WHERE u.uuid = $1 AND u.tenant_id = $2 AND u.deleted_at IS NULL`, uuid, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrUserNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find user: %w", err))
	}
	return u, nil
}

// inviteUser creates a user without a password in tenant and mails them a
// link that sets it (and verifies the email).
func (tx *Tx) inviteUser(ctx context.Context, p *tonegrid.Principal, tenant *tonegrid.Tenant, in tonegrid.InviteInput) (*tonegrid.User, error) {
	u, err := tx.insertUser(ctx, tenant.ID, in.Email, in.Name, in.Role, tenant.DefaultLocale, "", false)
	if err != nil {
		return nil, err
	}
	token := secret.Token("inv_", 40)
	if err := tx.insertPasswordToken(ctx, u.ID, "invite", secret.Hash(token), tx.now.Add(InviteTTL)); err != nil {
		return nil, err
	}
	inviter := p.Tenant.Name
	if p.User != nil {
		inviter = p.User.Name
		if inviter == "" {
			inviter = p.User.Email
		}
	}
	link, err := tx.link(ctx, tenant, "/reset-password?token="+token)
	if err != nil {
		return nil, err
	}
	if err := tx.mail(ctx, tonegrid.Mail{To: u.Email, Template: "invitation", Locale: u.Locale,
		Data: map[string]string{"link": link, "tenant": tenant.Name, "inviter": inviter}}); err != nil {
		return nil, err
	}
	return u, nil
}

// insertPasswordToken stores the hash of a reset or invitation token.
func (tx *Tx) insertPasswordToken(ctx context.Context, userID int64, purpose, hash string, expires time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO password_tokens (user_id, purpose, token_hash, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5)`, userID, purpose, hash, expires, tx.now)
	return translate(err)
}

// UpdateProfile changes the caller's own name or locale.
func (db *DB) UpdateProfile(ctx context.Context, p *tonegrid.Principal, upd tonegrid.UserUpdate) (*tonegrid.User, error) {
	if p.User == nil {
		return nil, tonegrid.ErrForbidden
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if upd.Name != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, updated_at = $2 WHERE id = $3`, *upd.Name, tx.now, p.User.ID); err != nil {
			return nil, translate(fmt.Errorf("update name: %w", err))
		}
	}
	if upd.Locale != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET locale = $1, updated_at = $2 WHERE id = $3`, *upd.Locale, tx.now, p.User.ID); err != nil {
			return nil, translate(fmt.Errorf("update locale: %w", err))
		}
	}
	u, err := findUserByID(ctx, tx, p.User.ID)
	if err != nil {
		return nil, err
	}
	// The cached principal carries the profile (its locale picks the
	// language of error messages).
	tx.authChanged = true
	return u, tx.commit()
}

// ListUsers lists the live users of the caller's tenant, newest first.
func (db *DB) ListUsers(ctx context.Context, p *tonegrid.Principal, page tonegrid.Page) ([]*tonegrid.User, int, error) {
	return listPage(ctx, db, listQuery{what: "users", from: "users u", where: "u.tenant_id = $1 AND u.deleted_at IS NULL",
		args: []any{p.Tenant.ID}, columns: userColumns, order: "u.id DESC"}, page, scanUser)
}

// InviteUser creates a user in the caller's tenant and mails an invitation;
// the new user takes one of the plan's team seats.
func (db *DB) InviteUser(ctx context.Context, p *tonegrid.Principal, in tonegrid.InviteInput) (*tonegrid.User, error) {
	if err := mayGrant(p, in.Role); err != nil {
		return nil, err
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.enforceSeats(ctx, p.Tenant.ID); err != nil {
		return nil, err
	}
	u, err := tx.inviteUser(ctx, p, p.Tenant, in)
	if err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "user.invited", "user", u.UUID, map[string]string{"email": u.Email, "role": string(u.Role)}); err != nil {
		return nil, err
	}
	return u, tx.commit()
}

// mayGrant refuses to let a principal hand out a role above its own: only a
// super_admin may make another, and only in the root tenant.
func mayGrant(p *tonegrid.Principal, role tonegrid.Role) error {
	if role == tonegrid.RoleSuperAdmin && (p.Role != tonegrid.RoleSuperAdmin || p.Tenant.ParentID != nil) {
		return tonegrid.ErrForbidden
	}
	return nil
}

// FindUser reads a live user of the caller's tenant.
func (db *DB) FindUser(ctx context.Context, p *tonegrid.Principal, uuid string) (*tonegrid.User, error) {
	return findTenantUser(ctx, reader{db}, p.Tenant.ID, uuid)
}

// UpdateUser changes the role or status of a user of the caller's tenant.
// Suspending cuts the user's sessions at once. Nobody changes their own
// role or status.
func (db *DB) UpdateUser(ctx context.Context, p *tonegrid.Principal, uuid string, upd tonegrid.UserUpdate) (*tonegrid.User, error) {
	if upd.Role != nil {
		if err := mayGrant(p, *upd.Role); err != nil {
			return nil, err
		}
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := findTenantUser(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return nil, err
	}
	self := p.User != nil && p.User.ID == u.ID
	if upd.Role != nil && *upd.Role != u.Role {
		if self {
			return nil, tonegrid.ErrForbidden
		}
		if u.Role == tonegrid.RoleSuperAdmin && p.Role != tonegrid.RoleSuperAdmin {
			return nil, tonegrid.ErrForbidden
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = $1, updated_at = $2 WHERE id = $3`, *upd.Role, tx.now, u.ID); err != nil {
			return nil, translate(fmt.Errorf("update role: %w", err))
		}
		tx.authChanged = true
		if err := tx.audit(ctx, p, p.Tenant.ID, "user.role_changed", "user", u.UUID, map[string]string{"from": string(u.Role), "to": string(*upd.Role)}); err != nil {
			return nil, err
		}
	}
	if upd.Status != nil && *upd.Status != u.Status {
		if self {
			return nil, tonegrid.ErrForbidden
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET status = $1, updated_at = $2 WHERE id = $3`, *upd.Status, tx.now, u.ID); err != nil {
			return nil, translate(fmt.Errorf("update status: %w", err))
		}
		tx.authChanged = true
		if *upd.Status == tonegrid.StatusSuspended {
			if err := tx.cutSessions(ctx, u.ID); err != nil {
				return nil, err
			}
		}
		if err := tx.audit(ctx, p, p.Tenant.ID, "user.status_changed", "user", u.UUID, map[string]string{"from": u.Status, "to": *upd.Status}); err != nil {
			return nil, err
		}
	}
	if upd.Name != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, updated_at = $2 WHERE id = $3`, *upd.Name, tx.now, u.ID); err != nil {
			return nil, translate(fmt.Errorf("update name: %w", err))
		}
	}
	u, err = findUserByID(ctx, tx, u.ID)
	if err != nil {
		return nil, err
	}
	return u, tx.commit()
}

// DeleteUser soft-deletes a user of the caller's tenant and cuts their
// sessions; deleting yourself is refused.
func (db *DB) DeleteUser(ctx context.Context, p *tonegrid.Principal, uuid string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := findTenantUser(ctx, tx, p.Tenant.ID, uuid)
	if err != nil {
		return err
	}
	if p.User != nil && p.User.ID == u.ID {
		return tonegrid.ErrCannotDeleteSelf
	}
	if u.Role == tonegrid.RoleSuperAdmin && p.Role != tonegrid.RoleSuperAdmin {
		return tonegrid.ErrForbidden
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET deleted_at = $1, updated_at = $1 WHERE id = $2`, tx.now, u.ID); err != nil {
		return translate(fmt.Errorf("delete user: %w", err))
	}
	if err := tx.cutSessions(ctx, u.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, p, p.Tenant.ID, "user.deleted", "user", u.UUID, map[string]string{"email": u.Email}); err != nil {
		return err
	}
	return tx.commit()
}

// cutSessions invalidates every access token of a user (by raising its
// token version) and revokes its refresh tokens.
func (tx *Tx) cutSessions(ctx context.Context, userID int64) error {
	tx.authChanged = true
	if _, err := tx.ExecContext(ctx, `UPDATE users SET token_version = token_version + 1 WHERE id = $1`, userID); err != nil {
		return translate(fmt.Errorf("cut access tokens: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, tx.now, userID); err != nil {
		return translate(fmt.Errorf("revoke refresh tokens: %w", err))
	}
	return nil
}
