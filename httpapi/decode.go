package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"tonegrid"
)

// decodeJSON reads the request body, bounded by the route's limit, into v.
// Invalid JSON, a value of the wrong JSON type, an empty body or trailing
// data answer 400 Malformed JSON body.; an oversized body answers 413.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return decodeError(err)
		}
		return tonegrid.ErrMalformedJSON
	}
	return nil
}

func decodeError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return tonegrid.ErrBodyTooLarge.Format(megabytes(tooLarge.Limit))
	}
	return tonegrid.ErrMalformedJSON
}

// megabytes renders a byte limit in whole megabytes, at least 1.
func megabytes(n int64) int64 {
	mb := n >> 20
	if mb < 1 {
		mb = 1
	}
	return mb
}
