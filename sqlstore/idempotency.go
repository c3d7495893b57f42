package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"tonegrid"
	"tonegrid/secret"
)

// SetSealer gives the store the key that encrypts secrets at rest (stored
// responses, which can carry tokens and keys; credentials).
func (db *DB) SetSealer(s *secret.Sealer) { db.sealer = s }

// ClaimIdempotencyKey starts a request under an Idempotency-Key scope (a hash
// of principal, tenant, method, route and key). It returns:
//   - (nil, nil): the caller owns the key and must Complete or Release it;
//   - a stored response: the key completed earlier with the same body;
//   - ErrIdempotencyKeyReused: the key was used with another body;
//   - ErrIdempotencyInProgress: a request with the key is still running.
//
// A running claim whose lease has run out (its server died) is taken over;
// an expired key is forgotten.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, scope, requestHash string, lease, ttl time.Duration) (*tonegrid.StoredResponse, error) {
	// Most keys are new: one statement claims them.
	now := db.now()
	res, err := db.write.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, request_hash, state, locked_until, created_at, expires_at)
		VALUES ($1, $2, 'running', $3, $4, $5) ON CONFLICT (scope) DO NOTHING`, scope, requestHash, now.Add(lease), now, now.Add(ttl))
	if err != nil {
		return nil, translate(fmt.Errorf("claim idempotency key: %w", err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return nil, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var (
		id            int64
		hash, state   string
		lockedUntil   time.Time
		expiresAt     time.Time
		status        int
		headers, body string
	)
	err = tx.QueryRowContext(ctx, `SELECT id, request_hash, state, locked_until, expires_at, response_status, response_headers, response_body
		FROM idempotency_keys WHERE scope = $1`+tx.db.dialect.forUpdate(), scope).
		Scan(&id, &hash, &state, &lockedUntil, &expiresAt, &status, &headers, &body)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, translate(fmt.Errorf("find idempotency key: %w", err))
	case !expiresAt.After(tx.now):
		if _, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE id = $1`, id); err != nil {
			return nil, translate(fmt.Errorf("forget expired idempotency key: %w", err))
		}
	case !secret.Equal(hash, requestHash):
		return nil, tonegrid.ErrIdempotencyKeyReused
	case state == "done":
		return db.openStored(scope, status, headers, body)
	case lockedUntil.After(tx.now):
		return nil, tonegrid.ErrIdempotencyInProgress
	default:
		if _, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET locked_until = $1 WHERE id = $2`, tx.now.Add(lease), id); err != nil {
			return nil, translate(fmt.Errorf("take over idempotency key: %w", err))
		}
		return nil, tx.commit()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (scope, request_hash, state, locked_until, created_at, expires_at)
		VALUES ($1, $2, 'running', $3, $4, $5)`, scope, requestHash, tx.now.Add(lease), tx.now, tx.now.Add(ttl))
	if isUniqueViolation(err) {
		// Another request claimed it between our read and our insert.
		return nil, tonegrid.ErrIdempotencyInProgress
	}
	if err != nil {
		return nil, translate(fmt.Errorf("claim idempotency key: %w", err))
	}
	return nil, tx.commit()
}

func (db *DB) openStored(scope string, status int, headers, body string) (*tonegrid.StoredResponse, error) {
	resp := &tonegrid.StoredResponse{Status: status, Header: map[string]string{}}
	if err := json.Unmarshal([]byte(headers), &resp.Header); err != nil {
		return nil, fmt.Errorf("stored response headers: %w", err)
	}
	if body != "" {
		if db.sealer == nil {
			return nil, errors.New("stored response: no sealer configured")
		}
		plain, err := db.sealer.Open(body, "idempotency:"+scope)
		if err != nil {
			return nil, fmt.Errorf("stored response body: %w", err)
		}
		resp.Body = plain
	}
	return resp, nil
}

// CompleteIdempotencyKey stores the response of the request that owns scope.
// The body is sealed: responses can carry tokens and keys.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, scope string, resp tonegrid.StoredResponse) error {
	if db.sealer == nil {
		return errors.New("complete idempotency key: no sealer configured")
	}
	headers, err := json.Marshal(resp.Header)
	if err != nil {
		return fmt.Errorf("stored response headers: %w", err)
	}
	body := ""
	if len(resp.Body) > 0 {
		body = db.sealer.Seal(resp.Body, "idempotency:"+scope)
	}
	_, err = db.write.ExecContext(ctx, `UPDATE idempotency_keys SET state = 'done', response_status = $1, response_headers = $2, response_body = $3
		WHERE scope = $4`, resp.Status, string(headers), body, scope)
	return translate(err)
}

// ReleaseIdempotencyKey forgets a claim whose request did not complete
// (a 5xx, a panic): a retry runs the request again.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, scope string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = $1 AND state = 'running'`, scope)
	return translate(err)
}

// ExtendIdempotencyKey renews the lease of a running claim.
func (db *DB) ExtendIdempotencyKey(ctx context.Context, scope string, lease time.Duration) error {
	_, err := db.write.ExecContext(ctx, `UPDATE idempotency_keys SET locked_until = $1 WHERE scope = $2 AND state = 'running'`,
		db.now().Add(lease), scope)
	return translate(err)
}

// PurgeIdempotencyKeys deletes expired keys and reports how many.
func (db *DB) PurgeIdempotencyKeys(ctx context.Context) (int64, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at < $1`, db.now())
	if err != nil {
		return 0, translate(fmt.Errorf("purge idempotency keys: %w", err))
	}
	return res.RowsAffected()
}
