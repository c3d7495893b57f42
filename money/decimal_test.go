package money

import (
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// newRand returns a seeded generator and logs the seed so a failure can be
// replayed.
func newRand(t testing.TB) *rand.Rand {
	t.Helper()
	seed := rand.Uint64()
	t.Logf("random seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// randomDecimal returns a random valid decimal string with up to maxDigits
// digits and up to maxScale fractional digits.
func randomDecimal(r *rand.Rand, maxDigits, maxScale int) string {
	n := 1 + r.IntN(maxDigits)
	scale := min(r.IntN(maxScale+1), n)
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteByte('-')
	}
	for i := range n {
		if i == n-scale {
			if i == 0 {
				b.WriteByte('0')
			}
			b.WriteByte('.')
		}
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	return b.String()
}

func rat(t testing.TB, d Decimal) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		t.Fatalf("big.Rat cannot read %q", d.String())
	}
	return r
}

func mustParse(t testing.TB, s string) Decimal {
	t.Helper()
	d, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return d
}

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"0", "0"},
		{"-0", "0"},
		{"+7", "7"},
		{"-0.00", "0.00"},
		{"12.345678", "12.345678"},
		{"-0.0000000001", "-0.0000000001"},
		{"0.0034125000", "0.0034125000"},
		{"007.50", "7.50"},
		{"5.", "5"},
		{".5", "0.5"},
		{"-.5", "-0.5"},
		{"99999999999999999999999999999999999999", "99999999999999999999999999999999999999"},
		{"-9999999999999999999.9999999999999999999", "-9999999999999999999.9999999999999999999"},
		{"0.00000000000000000000000000000000000001", "0.00000000000000000000000000000000000001"},
		{"12345678901234567890", "12345678901234567890"},
	}
	for _, tt := range tests {
		d, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := d.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrSyntax},
		{"-", ErrSyntax},
		{".", ErrSyntax},
		{"1e3", ErrSyntax},
		{"1E-2", ErrSyntax},
		{" 1", ErrSyntax},
		{"1 ", ErrSyntax},
		{"1,000", ErrSyntax},
		{"1.2.3", ErrSyntax},
		{"--1", ErrSyntax},
		{"NaN", ErrSyntax},
		{"Inf", ErrSyntax},
		{"0x10", ErrSyntax},
		{"１", ErrSyntax},
		{"100000000000000000000000000000000000000", ErrOverflow},
		{"0.000000000000000000000000000000000000001", ErrPrecision},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q) error = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestParseAmountAndPercentage(t *testing.T) {
	if _, err := ParseAmount("0.0034125000"); err != nil {
		t.Errorf("ParseAmount(10 digits): %v", err)
	}
	if _, err := ParseAmount("0.00341250001"); !errors.Is(err, ErrPrecision) {
		t.Errorf("ParseAmount(11 digits) error = %v, want ErrPrecision", err)
	}
	if _, err := ParseAmountBytes([]byte("-12.5")); err != nil {
		t.Errorf("ParseAmountBytes: %v", err)
	}
	for _, ok := range []string{"0", "33.3333", "100", "100.0000", "0.0001"} {
		if _, err := ParsePercentage(ok); err != nil {
			t.Errorf("ParsePercentage(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"33.33333", "100.0001", "-1", "abc"} {
		if _, err := ParsePercentage(bad); err == nil {
			t.Errorf("ParsePercentage(%q) succeeded, want an error", bad)
		}
	}
}

func TestParseDoesNotAllocate(t *testing.T) {
	in := []byte("0.0034125000")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseAmountBytes(in); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseAmountBytes allocates %.0f times, want 0", allocs)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		coef  int64
		scale int
		want  string
	}{
		{12345, 2, "123.45"},
		{-5, 3, "-0.005"},
		{0, 4, "0.0000"},
		{-9223372036854775808, 0, "-9223372036854775808"},
	}
	for _, tt := range tests {
		if got := New(tt.coef, tt.scale).String(); got != tt.want {
			t.Errorf("New(%d, %d) = %s, want %s", tt.coef, tt.scale, got, tt.want)
		}
	}
}

func TestArithmeticMatchesBigRat(t *testing.T) {
	r := newRand(t)
	for range 5000 {
		a := mustParse(t, randomDecimal(r, 19, 12))
		b := mustParse(t, randomDecimal(r, 19, 12))
		ra, rb := rat(t, a), rat(t, b)

		sum, err := a.Add(b)
		if err != nil {
			t.Fatalf("%s + %s: %v", a, b, err)
		}
		if want := new(big.Rat).Add(ra, rb); rat(t, sum).Cmp(want) != 0 {
			t.Fatalf("%s + %s = %s, want %s", a, b, sum, want.FloatString(12))
		}
		if sum.Scale() != max(a.Scale(), b.Scale()) {
			t.Fatalf("%s + %s has scale %d", a, b, sum.Scale())
		}
		diff, err := a.Sub(b)
		if err != nil {
			t.Fatalf("%s - %s: %v", a, b, err)
		}
		if want := new(big.Rat).Sub(ra, rb); rat(t, diff).Cmp(want) != 0 {
			t.Fatalf("%s - %s = %s, want %s", a, b, diff, want.FloatString(12))
		}
		prod, err := a.Mul(b)
		if err != nil {
			t.Fatalf("%s × %s: %v", a, b, err)
		}
		if want := new(big.Rat).Mul(ra, rb); rat(t, prod).Cmp(want) != 0 {
			t.Fatalf("%s × %s = %s, want %s", a, b, prod, want.FloatString(24))
		}
		if got, want := a.Cmp(b), ra.Cmp(rb); got != want {
			t.Fatalf("Cmp(%s, %s) = %d, want %d", a, b, got, want)
		}
		if got := a.Sign(); got != ra.Sign() {
			t.Fatalf("Sign(%s) = %d", a, got)
		}
	}
}

func TestCmpAcrossScales(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.5", "1.50", 0},
		{"0", "-0.000", 0},
		{"-1", "0.1", -1},
		{"2", "1.99999999999999999999999999999999999", 1},
		{"99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001", 1},
		{"-99999999999999999999999999999999999999", "-0.1", -1},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.a).Cmp(mustParse(t, tt.b)); got != tt.want {
			t.Errorf("Cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestOverflowIsAnError(t *testing.T) {
	biggest := mustParse(t, "99999999999999999999999999999999999999")
	if _, err := biggest.Add(New(1, 0)); !errors.Is(err, ErrOverflow) {
		t.Errorf("max + 1 error = %v, want ErrOverflow", err)
	}
	if _, err := biggest.Neg().Sub(New(1, 0)); !errors.Is(err, ErrOverflow) {
		t.Errorf("-max - 1 error = %v, want ErrOverflow", err)
	}
	if _, err := biggest.Add(mustParse(t, "0.1")); !errors.Is(err, ErrOverflow) {
		t.Errorf("max + 0.1 error = %v, want ErrOverflow (rescaling overflows)", err)
	}
	if _, err := mustParse(t, "10000000000000000000").Mul(mustParse(t, "10000000000000000000")); !errors.Is(err, ErrOverflow) {
		t.Errorf("1e19 × 1e19 error = %v, want ErrOverflow", err)
	}
	// Exact results that fit are returned even when an operand's scale would
	// overflow: trailing zeros are dropped.
	big37 := mustParse(t, "10000000000000000000000000000000000000")
	if got, err := big37.Add(mustParse(t, "1.0")); err != nil || got.String() != "10000000000000000000000000000000000001" {
		t.Errorf("1e37 + 1.0 = %s, %v; want 10000000000000000000000000000000000001", got, err)
	}
	if got, err := big37.Add(mustParse(t, "0.00000")); err != nil || got.Cmp(big37) != 0 {
		t.Errorf("1e37 + 0.00000 = %s, %v; want 1e37", got, err)
	}
	if got, err := biggest.Sub(biggest); err != nil || !got.IsZero() {
		t.Errorf("max - max = %v, %v; want 0", got, err)
	}
}

func TestMulDropsTrailingZerosOnlyWhenNeeded(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{"1.50", "2", "3.00"},
		{"0.5", "0.2", "0.10"},
		{"-1.5", "0", "0.0"},
		{"0.0000000000000000000000000000000000001", "10", "0.0000000000000000000000000000000000010"},
		// Scale 40 would exceed 38: the product's trailing zeros are dropped.
		{"0.10000000000000000000", "0.10000000000000000000", "0.01000000000000000000000000000000000000"},
		{"10000000000000000000.000", "1000000000000000000.000", "10000000000000000000000000000000000000"},
	}
	for _, tt := range tests {
		got, err := mustParse(t, tt.a).Mul(mustParse(t, tt.b))
		if err != nil {
			t.Errorf("%s × %s: %v", tt.a, tt.b, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("%s × %s = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
	_, err := mustParse(t, "0.0000000000000000001").Mul(mustParse(t, "0.00000000000000000001"))
	if !errors.Is(err, ErrPrecision) {
		t.Errorf("1e-19 × 1e-20 error = %v, want ErrPrecision", err)
	}
}

func TestSumTenMillionAmounts(t *testing.T) {
	amount := mustParse(t, "0.0034125000")
	var sum Decimal
	var err error
	for range 10_000_000 {
		if sum, err = sum.Add(amount); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := sum.String(), "34125.0000000000"; got != want {
		t.Errorf("sum = %s, want %s", got, want)
	}
}

func TestInt64(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"42", 42, true},
		{"-42.000", -42, true},
		{"42.5", 0, false},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false},
		{"-9223372036854775808", -9223372036854775808, true},
		{"-9223372036854775809", 0, false},
	}
	for _, tt := range tests {
		got, ok := mustParse(t, tt.in).Int64()
		if got != tt.want || ok != tt.ok {
			t.Errorf("Int64(%s) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestJSON(t *testing.T) {
	type payload struct {
		Amount Decimal     `json:"amount"`
		Fee    NullDecimal `json:"fee"`
	}
	in := payload{Amount: mustParse(t, "-12.3400"), Fee: NullDecimal{}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"amount":"-12.3400","fee":null}`; got != want {
		t.Errorf("Marshal = %s, want %s", got, want)
	}
	var out payload
	if err := json.Unmarshal([]byte(`{"amount":"5.21","fee":"0.10"}`), &out); err != nil {
		t.Fatal(err)
	}
	if out.Amount.String() != "5.21" || !out.Fee.Valid || out.Fee.Decimal.String() != "0.10" {
		t.Errorf("Unmarshal = %+v", out)
	}
	for _, bad := range []string{`{"amount":5.21}`, `{"amount":"5e2"}`, `{"amount":true}`} {
		if err := json.Unmarshal([]byte(bad), &out); err == nil {
			t.Errorf("Unmarshal(%s) succeeded, want an error", bad)
		}
	}
}

func TestSQL(t *testing.T) {
	var d Decimal
	for _, src := range []any{"1.25", []byte("1.25")} {
		if err := d.Scan(src); err != nil || d.String() != "1.25" {
			t.Errorf("Scan(%#v) = %s, %v", src, d, err)
		}
	}
	if err := d.Scan(int64(-7)); err != nil || d.String() != "-7" {
		t.Errorf("Scan(int64) = %s, %v", d, err)
	}
	for _, src := range []any{1.25, nil, true} {
		if err := d.Scan(src); err == nil {
			t.Errorf("Scan(%#v) succeeded, want an error", src)
		}
	}
	v, err := mustParse(t, "0.0034125000").Value()
	if err != nil || v != "0.0034125000" {
		t.Errorf("Value = %#v, %v", v, err)
	}
	var n NullDecimal
	if err := n.Scan(nil); err != nil || n.Valid {
		t.Errorf("NullDecimal.Scan(nil) = %+v, %v", n, err)
	}
	if v, _ := n.Value(); v != nil {
		t.Errorf("NullDecimal{}.Value() = %#v, want nil", v)
	}
	if err := n.Scan("3"); err != nil || !n.Valid || n.Decimal.String() != "3" {
		t.Errorf("NullDecimal.Scan(3) = %+v, %v", n, err)
	}
}
