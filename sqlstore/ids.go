package sqlstore

import "github.com/google/uuid"

// newUUID returns a new time-ordered UUIDv7 string.
func newUUID() string { return uuid.Must(uuid.NewV7()).String() }
