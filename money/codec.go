package money

import (
	"database/sql/driver"
	"errors"
	"fmt"
)

// MarshalText renders d as String (encoding.TextMarshaler).
func (d Decimal) MarshalText() ([]byte, error) { return d.append(nil), nil }

// UnmarshalText parses text with Parse (encoding.TextUnmarshaler).
func (d *Decimal) UnmarshalText(text []byte) error {
	v, err := ParseBytes(text)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON renders d as a JSON string, "12.345678": money is never a JSON
// number.
func (d Decimal) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = d.append(b)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts a JSON string holding a decimal; JSON numbers are
// refused, as the contract has money travel as strings. null leaves d
// unchanged.
func (d *Decimal) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return fmt.Errorf("decode decimal: want a JSON string such as \"12.34\", got %.32s", data)
	}
	return d.UnmarshalText(data[1 : len(data)-1])
}

// Value stores d as its decimal string (database/sql/driver.Valuer): TEXT in
// SQLite, NUMERIC in PostgreSQL.
func (d Decimal) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a decimal from a database column (database/sql.Scanner):
// string, []byte or int64. A float64 is refused (the column would already
// have lost exactness), and so is NULL (use NullDecimal).
func (d *Decimal) Scan(src any) error {
	var err error
	switch v := src.(type) {
	case string:
		*d, err = Parse(v)
	case []byte:
		*d, err = ParseBytes(v)
	case int64:
		*d = New(v, 0)
	case float64:
		err = errors.New("refusing a float64: store money as TEXT or NUMERIC")
	case nil:
		err = errors.New("NULL value (use money.NullDecimal)")
	default:
		err = fmt.Errorf("unsupported type %T", src)
	}
	if err != nil {
		return fmt.Errorf("scan decimal: %w", err)
	}
	return nil
}

// NullDecimal is a Decimal that may be NULL in the database or JSON.
type NullDecimal struct {
	Decimal Decimal
	Valid   bool // false means NULL
}

// Value stores the decimal string, or NULL.
func (n NullDecimal) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	return n.Decimal.Value()
}

// Scan reads a decimal or NULL.
func (n *NullDecimal) Scan(src any) error {
	if src == nil {
		*n = NullDecimal{}
		return nil
	}
	if err := n.Decimal.Scan(src); err != nil {
		return err
	}
	n.Valid = true
	return nil
}

// MarshalJSON renders the decimal string, or null.
func (n NullDecimal) MarshalJSON() ([]byte, error) {
	if !n.Valid {
		return []byte("null"), nil
	}
	return n.Decimal.MarshalJSON()
}

// UnmarshalJSON accepts a decimal string or null.
func (n *NullDecimal) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		*n = NullDecimal{}
		return nil
	}
	if err := n.Decimal.UnmarshalJSON(data); err != nil {
		return err
	}
	n.Valid = true
	return nil
}
