package money

import "testing"

var sink Decimal

func BenchmarkParseAmount(b *testing.B) {
	in := []byte("0.0034125000")
	b.ReportAllocs()
	for b.Loop() {
		d, err := ParseAmountBytes(in)
		if err != nil {
			b.Fatal(err)
		}
		sink = d
	}
}

func BenchmarkAdd(b *testing.B) {
	amount := MustParse("0.0034125000")
	var sum Decimal
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if sum, err = sum.Add(amount); err != nil {
			b.Fatal(err)
		}
	}
	sink = sum
}

func BenchmarkAddMixedScale(b *testing.B) {
	amount := MustParse("0.0034125")
	sum := MustParse("0.0000000000")
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if sum, err = sum.Add(amount); err != nil {
			b.Fatal(err)
		}
	}
	sink = sum
}

func BenchmarkString(b *testing.B) {
	d := MustParse("-123456.0034125000")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = d.AppendText(buf[:0])
	}
}

func BenchmarkAllocate(b *testing.B) {
	total := MustParse("1234.56")
	weights := []Decimal{MustParse("33.3333"), MustParse("33.3333"), MustParse("20"), MustParse("13.3334"), MustParse("0")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Allocate(total, weights, 2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProrate(b *testing.B) {
	total, part, whole := MustParse("5.21"), New(1000, 0), New(1523, 0)
	b.ReportAllocs()
	for b.Loop() {
		d, err := Prorate(total, part, whole, 10)
		if err != nil {
			b.Fatal(err)
		}
		sink = d
	}
}
