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

// CreateAccount creates a tenant below in.Parent and its label_admin, stores
// the email code and the first refresh token, and queues the code's mail,
// all in one transaction.
func (db *DB) CreateAccount(ctx context.Context, in tonegrid.NewAccount) (*tonegrid.User, *tonegrid.Tenant, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	t, err := tx.insertTenant(ctx, in.Parent, in.TenantName, in.Locale)
	if err != nil {
		return nil, nil, err
	}
	u, err := tx.insertUser(ctx, t.ID, in.Email, in.Name, tonegrid.RoleLabelAdmin, in.Locale, in.PasswordHash, false)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.setOTP(ctx, u.ID, in.OTPHash, in.OTPExpires); err != nil {
		return nil, nil, err
	}
	in.OTPMail.To = u.Email
	if err := tx.mail(ctx, in.OTPMail); err != nil {
		return nil, nil, err
	}
	if err := tx.insertRefresh(ctx, u.ID, t.ID, in.Refresh); err != nil {
		return nil, nil, err
	}
	if err := tx.audit(ctx, &tonegrid.Principal{User: u, Tenant: t, Role: u.Role}, t.ID, "auth.signup", "user", u.UUID, map[string]string{"email": u.Email}); err != nil {
		return nil, nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, nil, err
	}
	return u, t, nil
}

// liveUserByEmail reads the user with email that is not deleted;
// sql.ErrNoRows when there is none.
func liveUserByEmail(ctx context.Context, q querier, email string) (*tonegrid.User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.email = $1 AND u.deleted_at IS NULL`, tonegrid.NormalizeEmail(email)))
}

// UserByEmail returns the live user with email and their tenant, or
// ErrUserNotFound.
func (db *DB) UserByEmail(ctx context.Context, email string) (*tonegrid.User, *tonegrid.Tenant, error) {
	u, err := liveUserByEmail(ctx, reader{db}, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, tonegrid.ErrUserNotFound
	}
	if err != nil {
		return nil, nil, translate(fmt.Errorf("find user by email: %w", err))
	}
	t, err := findTenant(ctx, reader{db}, u.TenantID)
	if err != nil {
		return nil, nil, err
	}
	return u, t, nil
}

// AuthStateOf loads the live user userUUID and the tenant actingUUID, with
// whether that tenant or one above it is suspended, in one query when the
// user acts in their own tenant. Missing user or tenant: ErrTokenInvalid.
// The tenants' domains are not loaded.
func (db *DB) AuthStateOf(ctx context.Context, userUUID, actingUUID string) (*tonegrid.AuthState, error) {
	row := db.queryRow(ctx, `SELECT `+userColumns+`, `+tenantColumns+`, `+suspendedCount+`
		FROM users u JOIN tenants t ON t.id = u.tenant_id LEFT JOIN tenants p ON p.id = t.parent_id
		WHERE u.uuid = $1 AND u.deleted_at IS NULL`, userUUID)
	var suspended int
	u, home, err := scanUserTenant(row, &suspended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrTokenInvalid
	}
	if err != nil {
		return nil, translate(fmt.Errorf("auth state: %w", err))
	}
	st := &tonegrid.AuthState{User: u, Home: home, Acting: home, Suspended: suspended > 0}
	if actingUUID == home.UUID {
		return st, nil
	}
	row = db.queryRow(ctx, `SELECT `+tenantColumns+`, `+suspendedCount+tenantFrom+`WHERE t.uuid = $1`, actingUUID)
	st.Acting, err = scanTenant(row, &suspended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrTokenInvalid
	}
	if err != nil {
		return nil, translate(fmt.Errorf("auth tenant: %w", err))
	}
	st.Suspended = suspended > 0
	return st, nil
}

// suspendedCount counts the suspended tenants at or above t.
const suspendedCount = `(SELECT COUNT(*) FROM tenants a WHERE a.status = 'suspended' AND substr(t.path, 1, length(a.path)) = a.path)`

// scanUserTenant scans userColumns followed by tenantColumns and extra.
func scanUserTenant(row interface{ Scan(...any) error }, extra ...any) (*tonegrid.User, *tonegrid.Tenant, error) {
	var us userScan
	t, err := scanTenant(prefixScanner{row, us.dest()}, extra...)
	if err != nil {
		return nil, nil, err
	}
	return us.user(), t, nil
}

// TenantByUUID reads any tenant by uuid, or ErrClientNotFound.
func (db *DB) TenantByUUID(ctx context.Context, uuid string) (*tonegrid.Tenant, error) {
	var id int64
	err := db.queryRow(ctx, `SELECT id FROM tenants WHERE uuid = $1`, uuid).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrClientNotFound
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find tenant: %w", err))
	}
	return findTenant(ctx, reader{db}, id)
}

// TenantByID reads any tenant by id.
func (db *DB) TenantByID(ctx context.Context, id int64) (*tonegrid.Tenant, error) {
	return findTenant(ctx, reader{db}, id)
}

// RecordAudit writes one audit entry in a transaction of its own (for
// events without a change to attach to, such as logins).
func (db *DB) RecordAudit(ctx context.Context, p *tonegrid.Principal, tenantID int64, action, targetType, targetUUID string, details map[string]string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.audit(ctx, p, tenantID, action, targetType, targetUUID, details); err != nil {
		return err
	}
	return tx.commit()
}

// StartSession stores a new refresh token family for a login and records
// the login.
func (db *DB) StartSession(ctx context.Context, u *tonegrid.User, t *tonegrid.Tenant, r tonegrid.RefreshRecord) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.insertRefresh(ctx, u.ID, t.ID, r); err != nil {
		return err
	}
	if err := tx.audit(ctx, &tonegrid.Principal{User: u, Tenant: t, Role: u.Role}, t.ID, "auth.login", "user", u.UUID, nil); err != nil {
		return err
	}
	return tx.commit()
}

func (tx *Tx) insertRefresh(ctx context.Context, userID, tenantID int64, r tonegrid.RefreshRecord) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO refresh_tokens (user_id, tenant_id, family, token_hash, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, userID, tenantID, r.Family, r.Hash, r.ExpiresAt, tx.now)
	if err != nil {
		return translate(fmt.Errorf("insert refresh token: %w", err))
	}
	return nil
}

// RotateRefresh spends the refresh token whose hash is oldHash and stores
// next in its family. A token that was already spent or revoked is a reuse:
// the whole family is revoked and ErrTokenInvalid returned. The user and
// tenant are returned so the caller can issue a new access token.
func (db *DB) RotateRefresh(ctx context.Context, oldHash string, next tonegrid.RefreshRecord) (*tonegrid.User, *tonegrid.Tenant, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	var (
		id, userID    int64
		family        string
		expires       time.Time
		used, revoked sql.NullTime
	)
	err = tx.QueryRowContext(ctx, `SELECT id, user_id, family, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = $1`+tx.db.dialect.forUpdate(),
		oldHash).Scan(&id, &userID, &family, &expires, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, tonegrid.ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, translate(fmt.Errorf("find refresh token: %w", err))
	}
	if used.Valid || revoked.Valid {
		if !revoked.Valid {
			// A spent token came back: someone holds a stolen copy.
			if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL`, tx.now, family); err != nil {
				return nil, nil, translate(fmt.Errorf("revoke family: %w", err))
			}
			if err := tx.recordAudit(ctx, tonegrid.AuditEvent{TenantID: tx.userTenant(ctx, userID), Action: "auth.refresh_reuse", ActorID: userID}); err != nil {
				return nil, nil, err
			}
			if err := tx.commit(); err != nil {
				return nil, nil, err
			}
		}
		return nil, nil, tonegrid.ErrTokenInvalid
	}
	if !expires.After(tx.now) {
		return nil, nil, tonegrid.ErrTokenInvalid
	}
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return nil, nil, err
	}
	t, err := findTenant(ctx, tx, u.TenantID)
	if err != nil {
		return nil, nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE id = $2`, tx.now, id); err != nil {
		return nil, nil, translate(fmt.Errorf("spend refresh token: %w", err))
	}
	next.Family = family
	if err := tx.insertRefresh(ctx, u.ID, t.ID, next); err != nil {
		return nil, nil, err
	}
	if err := tx.commit(); err != nil {
		return nil, nil, err
	}
	return u, t, nil
}

// userTenant is the tenant of a user, for audit entries written before the
// user is loaded; 0 when unknown.
func (tx *Tx) userTenant(ctx context.Context, userID int64) int64 {
	var id int64
	tx.QueryRowContext(ctx, `SELECT tenant_id FROM users WHERE id = $1`, userID).Scan(&id)
	return id
}

// Logout revokes the family of the refresh token hash (if any) and cuts the
// user's access tokens.
func (db *DB) Logout(ctx context.Context, p *tonegrid.Principal, refreshHash string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if refreshHash != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET revoked_at = $1
			WHERE revoked_at IS NULL AND family = (SELECT family FROM refresh_tokens WHERE token_hash = $2 AND user_id = $3)`,
			tx.now, refreshHash, p.User.ID); err != nil {
			return translate(fmt.Errorf("revoke refresh family: %w", err))
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET token_version = token_version + 1 WHERE id = $1`, p.User.ID); err != nil {
		return translate(fmt.Errorf("cut access tokens: %w", err))
	}
	tx.authChanged = true
	if err := tx.audit(ctx, p, p.User.TenantID, "auth.logout", "user", p.User.UUID, nil); err != nil {
		return err
	}
	return tx.commit()
}

func (tx *Tx) setOTP(ctx context.Context, userID int64, hash string, expires time.Time) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO email_otps (user_id, code_hash, attempts, expires_at, created_at) VALUES ($1, $2, 0, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, attempts = 0,
			expires_at = excluded.expires_at, created_at = excluded.created_at`, userID, hash, expires, tx.now)
	if err != nil {
		return translate(fmt.Errorf("store otp: %w", err))
	}
	return nil
}

// ReplaceOTP stores a new email code for the unverified user with email and
// queues its mail; it does nothing for unknown or verified emails, so the
// caller's answer cannot reveal which emails exist.
func (db *DB) ReplaceOTP(ctx context.Context, email, hash string, expires time.Time, m tonegrid.Mail) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := liveUserByEmail(ctx, tx, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return translate(fmt.Errorf("find user: %w", err))
	}
	if u.EmailVerified {
		return nil
	}
	if err := tx.setOTP(ctx, u.ID, hash, expires); err != nil {
		return err
	}
	m.To, m.Locale = u.Email, u.Locale
	if err := tx.mail(ctx, m); err != nil {
		return err
	}
	return tx.commit()
}

// CheckOTP verifies the email of the user with email when hash matches their
// current code. A wrong code spends an attempt; from maxAttempts wrong codes
// on, the code is dead and ErrRateLimited is returned until a new one is
// sent. Unknown emails, missing or expired codes: ErrOTPInvalid.
func (db *DB) CheckOTP(ctx context.Context, email, hash string, maxAttempts int) (*tonegrid.User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := liveUserByEmail(ctx, tx, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrOTPInvalid
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find user: %w", err))
	}
	var stored string
	var attempts int
	var expires time.Time
	err = tx.QueryRowContext(ctx, `SELECT code_hash, attempts, expires_at FROM email_otps WHERE user_id = $1`+tx.db.dialect.forUpdate(), u.ID).
		Scan(&stored, &attempts, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrOTPInvalid
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find otp: %w", err))
	}
	if attempts >= maxAttempts {
		return nil, tonegrid.ErrRateLimited
	}
	if !expires.After(tx.now) {
		return nil, tonegrid.ErrOTPInvalid
	}
	if !secret.Equal(stored, hash) {
		attempts++
		if _, err := tx.ExecContext(ctx, `UPDATE email_otps SET attempts = $1 WHERE user_id = $2`, attempts, u.ID); err != nil {
			return nil, translate(fmt.Errorf("count otp attempt: %w", err))
		}
		if err := tx.commit(); err != nil {
			return nil, err
		}
		if attempts >= maxAttempts {
			return nil, tonegrid.ErrRateLimited
		}
		return nil, tonegrid.ErrOTPInvalid
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM email_otps WHERE user_id = $1`, u.ID); err != nil {
		return nil, translate(fmt.Errorf("spend otp: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET email_verified_at = $1, updated_at = $1 WHERE id = $2`, tx.now, u.ID); err != nil {
		return nil, translate(fmt.Errorf("verify email: %w", err))
	}
	// Routes that need a verified email read it from the cached
	// authentication state, which must not keep the unverified user.
	tx.authChanged = true
	if err := tx.audit(ctx, &tonegrid.Principal{User: u, Role: u.Role}, u.TenantID, "auth.email_verified", "user", u.UUID, nil); err != nil {
		return nil, err
	}
	if u, err = findUserByID(ctx, tx, u.ID); err != nil {
		return nil, err
	}
	return u, tx.commit()
}

// StartPasswordReset stores a reset token for the live user with email,
// within tenant, and queues its mail (link built from linkPath + token).
// It does nothing when there is no such user.
func (db *DB) StartPasswordReset(ctx context.Context, email, withinTenantUUID, tokenHash, token string, expires time.Time) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := liveUserByEmail(ctx, tx, email)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return translate(fmt.Errorf("find user: %w", err))
	}
	t, err := findTenant(ctx, tx, u.TenantID)
	if err != nil {
		return err
	}
	if withinTenantUUID != "" && withinTenantUUID != t.UUID {
		var within string
		if err := tx.QueryRowContext(ctx, `SELECT path FROM tenants WHERE uuid = $1`, withinTenantUUID).Scan(&within); err != nil {
			return translate(fmt.Errorf("find tenant: %w", err))
		}
		if len(t.Path) < len(within) || t.Path[:len(within)] != within {
			return nil
		}
	}
	if err := tx.insertPasswordToken(ctx, u.ID, "reset", tokenHash, expires); err != nil {
		return err
	}
	link, err := tx.link(ctx, t, "/reset-password?token="+token)
	if err != nil {
		return err
	}
	if err := tx.mail(ctx, tonegrid.Mail{To: u.Email, Template: "password_reset", Locale: u.Locale,
		Data: map[string]string{"link": link, "name": u.Name}}); err != nil {
		return err
	}
	if err := tx.audit(ctx, &tonegrid.Principal{User: u, Tenant: t, Role: u.Role}, t.ID, "auth.password_reset_requested", "user", u.UUID, nil); err != nil {
		return err
	}
	return tx.commit()
}

// ResetPassword spends a reset or invitation token: it sets the password,
// marks the email verified (the link proved the inbox), and cuts every
// session. Unknown, spent or expired tokens: ErrResetTokenInvalid.
func (db *DB) ResetPassword(ctx context.Context, tokenHash, passwordHash string) (*tonegrid.User, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var id, userID int64
	var purpose string
	var expires time.Time
	var used sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT id, user_id, purpose, expires_at, used_at FROM password_tokens WHERE token_hash = $1`+tx.db.dialect.forUpdate(),
		tokenHash).Scan(&id, &userID, &purpose, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, tonegrid.ErrResetTokenInvalid
	}
	if err != nil {
		return nil, translate(fmt.Errorf("find reset token: %w", err))
	}
	if used.Valid || !expires.After(tx.now) {
		return nil, tonegrid.ErrResetTokenInvalid
	}
	u, err := findUserByID(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	var deleted sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT deleted_at FROM users WHERE id = $1`, userID).Scan(&deleted); err != nil {
		return nil, translate(fmt.Errorf("check user: %w", err))
	}
	if deleted.Valid {
		return nil, tonegrid.ErrResetTokenInvalid
	}
	if _, err := tx.ExecContext(ctx, `UPDATE password_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, tx.now, userID); err != nil {
		return nil, translate(fmt.Errorf("spend reset tokens: %w", err))
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, email_verified_at = COALESCE(email_verified_at, $2), updated_at = $2 WHERE id = $3`,
		passwordHash, tx.now, userID); err != nil {
		return nil, translate(fmt.Errorf("set password: %w", err))
	}
	if err := tx.cutSessions(ctx, userID); err != nil {
		return nil, err
	}
	action := "auth.password_reset"
	if purpose == "invite" {
		action = "auth.invitation_accepted"
	}
	if err := tx.audit(ctx, &tonegrid.Principal{User: u, Role: u.Role}, u.TenantID, action, "user", u.UUID, nil); err != nil {
		return nil, err
	}
	if u, err = findUserByID(ctx, tx, userID); err != nil {
		return nil, err
	}
	return u, tx.commit()
}

// SetPassword replaces the password of the principal's user and cuts every
// session of that user.
func (db *DB) SetPassword(ctx context.Context, p *tonegrid.Principal, passwordHash string) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, passwordHash, tx.now, p.User.ID); err != nil {
		return translate(fmt.Errorf("set password: %w", err))
	}
	if err := tx.cutSessions(ctx, p.User.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, p, p.User.TenantID, "user.password_changed", "user", p.User.UUID, nil); err != nil {
		return err
	}
	return tx.commit()
}
