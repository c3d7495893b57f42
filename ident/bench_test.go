package ident

import "testing"

func BenchmarkNormalizeISRC(b *testing.B) {
	for _, in := range []struct{ name, isrc string }{
		{"canonical", "USRC17607839"},
		{"dashed-lowercase", "us-rc1-76-07839"},
		{"invalid", "US-RC1-76-0783X"},
	} {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				NormalizeISRC(in.isrc)
			}
		})
	}
}

func BenchmarkValidUPC(b *testing.B) {
	for _, in := range []struct{ name, code string }{
		{"upc-a", "036000291452"},
		{"ean-13", "4006381333931"},
		{"wrong-check", "036000291453"},
	} {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				ValidUPC(in.code)
			}
		})
	}
}
