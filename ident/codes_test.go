package ident

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// normalizeCase is one input of a Normalize* function and what it must give;
// want "" means the input is refused.
type normalizeCase struct {
	in, want string
}

func checkNormalize(t *testing.T, name string, normalize func(string) (string, bool), cases []normalizeCase) {
	t.Helper()
	for _, c := range cases {
		got, ok := normalize(c.in)
		if c.want == "" {
			if ok || got != "" {
				t.Errorf("%s(%q) = %q, %v; want refused", name, c.in, got, ok)
			}
			continue
		}
		if !ok || got != c.want {
			t.Errorf("%s(%q) = %q, %v; want %q, true", name, c.in, got, ok, c.want)
		}
	}
}

func TestNormalizeISRC(t *testing.T) {
	checkNormalize(t, "NormalizeISRC", NormalizeISRC, []normalizeCase{
		{"USRC17607839", "USRC17607839"},
		{"US-RC1-76-07839", "USRC17607839"},
		{"us-rc1-76-07839", "USRC17607839"},
		{"  GBAYE6700012\t", "GBAYE6700012"},
		{"gb-aye-67-00012", "GBAYE6700012"},
		{"FR6V81234567", "FR6V81234567"},
		{"DE-A12-24-00001", "DEA122400001"},
		// Agency prefixes that are not countries, and a former country.
		{"QM-ZG3-25-00017", "QMZG32500017"},
		{"QZES71900123", "QZES71900123"},
		{"ZZ-999-99-99999", "ZZ9999999999"},
		{"YUB018700001", "YUB018700001"},
		{"", ""},
		{"USRC1760783", ""},    // 11 characters
		{"USRC176078390", ""},  // 13 characters
		{"US-RC17607839", ""},  // some dashes but not all
		{"USRC1-76-07839", ""}, // some dashes but not all
		{"USR-C1-76-07839", ""},
		{"US-RC1-7607-839", ""},
		{"US RC1 76 07839", ""},
		{"US_RC1_76_07839", ""},
		{"U1RC17607839", ""}, // digit in the prefix
		{"USR_17607839", ""}, // registrant not alphanumeric
		{"USRC1A607839", ""}, // letter in the year
		{"USRC1760783X", ""}, // letter in the designation
		{"US-RC1-76-0783９", ""},
		{"ÜSRC1760783", ""},
		{"ISRC USRC17607839", ""},
	})
}

func TestValidUPC(t *testing.T) {
	cases := []struct {
		code string
		want bool
	}{
		// Body 03600029145, from the right weights 3,1,3…:
		// 5·3+4+1·3+9+2·3+0+0·3+0+6·3+3+0·3 = 58, check (10-8)%10 = 2.
		{"036000291452", true},
		// Body 72527273070: 0·3+7+0·3+3+7·3+2+7·3+2+5·3+2+7·3 = 94, check 6.
		{"725272730706", true},
		// Body 19075812340: 0·3+4+3·3+2+1·3+8+5·3+7+0·3+9+1·3 = 60, check 0.
		{"190758123400", true},
		// EAN-13 body 400638133393: 3·3+9+3·3+3+3·3+1+8·3+3+6·3+0+0·3+4 = 89, check 1.
		{"4006381333931", true},
		// EAN-13 body 590123412345: 5·3+4+3·3+2+1·3+4+3·3+2+1·3+0+9·3+5 = 83, check 7.
		{"5901234123457", true},
		{"036000291453", false},  // wrong check digit
		{"4006381333932", false}, // wrong check digit
		{"036000291425", false},  // last two digits swapped
		{"36000291452", false},   // 11 digits
		{"00036000291452", false},
		{"0 36000 29145 2", false},
		{"036000-291452", false},
		{" 036000291452", false},
		{"03600029145X", false},
		{"03600029145２", false},
		{"", false},
	}
	for _, c := range cases {
		if got := ValidUPC(c.code); got != c.want {
			t.Errorf("ValidUPC(%q) = %v, want %v", c.code, got, c.want)
		}
	}
}

func TestCheckDigit(t *testing.T) {
	cases := []struct {
		digits string
		want   byte
	}{
		{"03600029145", '2'},
		{"72527273070", '6'},
		{"19075812340", '0'},
		{"400638133393", '1'},
		{"590123412345", '7'},
	}
	for _, c := range cases {
		got, err := CheckDigit(c.digits)
		if err != nil || got != c.want {
			t.Errorf("CheckDigit(%q) = %q, %v; want %q", c.digits, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "0360002914", "0360002914521", "0360002914X", "03600029145 ", "４00638133393"} {
		if got, err := CheckDigit(bad); err == nil {
			t.Errorf("CheckDigit(%q) = %q, nil; want an error", bad, got)
		} else if !strings.HasPrefix(err.Error(), "compute UPC check digit: ") {
			t.Errorf("CheckDigit(%q) error %q lacks its prefix", bad, err)
		}
	}
}

// TestCheckDigitCompletesValidCodes checks, on random prefixes, that a prefix
// plus its check digit is valid and that changing any one digit of the result
// makes it invalid (GS1 weights 1 and 3 are prime to 10, so every single-digit
// change moves the sum off a multiple of 10).
func TestCheckDigitCompletesValidCodes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		prefix := make([]byte, 11+rng.IntN(2))
		for i := range prefix {
			prefix[i] = byte('0' + rng.IntN(10))
		}
		c, err := CheckDigit(string(prefix))
		if err != nil {
			t.Fatalf("CheckDigit(%q): %v", prefix, err)
		}
		code := append(prefix, c)
		if !ValidUPC(string(code)) {
			t.Fatalf("ValidUPC(%q) = false for a prefix completed by CheckDigit", code)
		}
		for i := range code {
			orig := code[i]
			for d := byte('0'); d <= '9'; d++ {
				if d == orig {
					continue
				}
				code[i] = d
				if ValidUPC(string(code)) {
					t.Fatalf("ValidUPC(%q) = true after changing digit %d of a valid code", code, i+1)
				}
			}
			code[i] = orig
		}
	}
}

func TestNormalizeISNI(t *testing.T) {
	checkNormalize(t, "NormalizeISNI", NormalizeISNI, []normalizeCase{
		// MOD 11-2 over 000000012281955: t=(t+d)·2 gives, after the zeros,
		// 2, 8, 20, 56, 114, 246, 502, 1014; 1014%11 = 2; (12-2)%11 = 10 → X.
		{"0000 0001 2281 955X", "000000012281955X"},
		{"0000-0001-2281-955x", "000000012281955X"},
		{"000000012281955X", "000000012281955X"},
		// ORCID iDs are ISNIs: 000000021825009 gives 4, 10, 36, 76, 162,
		// 324, 648, 1314; 1314%11 = 5; (12-5)%11 = 7.
		{"0000-0002-1825-0097", "0000000218250097"},
		// 000000021694233 gives 4, 10, 32, 82, 172, 348, 702, 1410;
		// 1410%11 = 2; (12-2)%11 = 10 → X.
		{" 0000 0002 1694 233X ", "000000021694233X"},
		{"0000000218250098", ""},    // wrong check character
		{"000000012281955Y", ""},    // not a check character
		{"00000001228195X5", ""},    // X before the end
		{"0000 0001 2281 9550", ""}, // 0 where X belongs
		{"000000012281955", ""},     // 15 characters
		{"0000 0001-2281 955X", ""}, // mixed separators
		{"0000  0001 2281 955X", ""},
		{"00000 001 2281 955X", ""},
		{"0000.0001.2281.955X", ""},
		{"0000\t0001\t2281\t955X", ""},
		{"ISNI 0000 0001 2281 955X", ""},
		{"", ""},
	})
}

func TestNormalizeIPI(t *testing.T) {
	checkNormalize(t, "NormalizeIPI", NormalizeIPI, []normalizeCase{
		{"00052210040", "00052210040"},
		{"52210040", ""}, // 8 digits
		{"252210040", "00252210040"},
		{"0052210040", "00052210040"},
		{" 123456789 ", "00123456789"},
		{"99999999999", "99999999999"},
		{"000522100400", ""}, // 12 digits
		{"00052 210040", ""},
		{"0005221004O", ""},
		{"I-000000229-7", ""}, // an IPI base number, not a name number
		{"", ""},
	})
}

func TestNormalizeISWC(t *testing.T) {
	checkNormalize(t, "NormalizeISWC", NormalizeISWC, []normalizeCase{
		// 1 + 1·0+2·3+3·4+4·5+5·2+6·4+7·6+8·8+9·0 = 179; (10-9)%10 = 1.
		{"T-034.524.680-1", "T0345246801"},
		{"t-034.524.680-1", "T0345246801"},
		{"T0345246801", "T0345246801"},
		// 1 + 1·0+2·7+3·0+4·1+5·1+6·6+7·5+8·1+9·3 = 130; check 0.
		{" T-070.116.513-0 ", "T0701165130"},
		{"T-034.524.680-2", ""}, // wrong check digit
		{"T0345246802", ""},
		{"T-034524680-1", ""},
		{"T 034 524 680 1", ""},
		{"T-034.524.680.1", ""},
		{"T.034.524.680-1", ""},
		{"X0345246801", ""},
		{"T034524680", ""},
		{"T-034.5A4.680-1", ""},
		{"", ""},
	})
}

func TestValidDPID(t *testing.T) {
	cases := []struct {
		id   string
		want bool
	}{
		{"PADPIDA0000000001X", true},
		{"PADPIDA2014120301M", true},
		{"PADPIDAabc123", true},
		{"PADPIDA", false},
		{"padpida0000000001X", false},
		{"PADPIDA-0000000001X", false},
		{"PADPIDA00000 00001X", false},
		{" PADPIDA0000000001X", false},
		{"PADPIDA0000000001X ", false},
		{"PADPIDAé", false},
		{"DPID0000000001X", false},
		{"", false},
	}
	for _, c := range cases {
		if got := ValidDPID(c.id); got != c.want {
			t.Errorf("ValidDPID(%q) = %v, want %v", c.id, got, c.want)
		}
	}
}
