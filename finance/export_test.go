package finance

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestPDFTextEscaping(t *testing.T) {
	if got := pdfText(`a(b)c\d é`); got != `a\(b\)c\\d ?` {
		t.Errorf("pdfText = %q", got)
	}
}

// TestPDFPages checks the layout rules: a long page continues on the next
// one, every object the xref lists starts where it says, and the page
// count is right.
func TestPDFPages(t *testing.T) {
	var d pdfDoc
	d.page([]string{"Summary"})
	long := []string{"Payee (x)"}
	for i := 0; i < 2*pdfLinesPerPage; i++ {
		long = append(long, fmt.Sprintf("line %d", i))
	}
	d.page(long)
	b := d.bytes()
	if len(d.pages) != 4 {
		t.Fatalf("%d pages, want 4 (1 + 3 for %d lines)", len(d.pages), len(long))
	}
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF: %.20q", b)
	}
	if !strings.Contains(string(b), "/Count 4") || !strings.Contains(string(b), `(Payee \(x\) \(continued\)) Tj`) {
		t.Errorf("page tree or continuation heading missing:\n%s", b)
	}
	var xref int
	if _, err := fmt.Sscanf(string(b[bytes.LastIndex(b, []byte("startxref\n"))+10:]), "%d", &xref); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(string(b[xref:]), "\n")
	if rows[0] != "xref" || rows[1] != fmt.Sprintf("0 %d", 3+2*len(d.pages)+1) {
		t.Fatalf("xref header %q %q", rows[0], rows[1])
	}
	for n := 1; n <= 3+2*len(d.pages); n++ {
		var off int
		if _, err := fmt.Sscanf(rows[2+n], "%010d 00000 n", &off); err != nil {
			t.Fatalf("xref row %q: %v", rows[2+n], err)
		}
		if !bytes.HasPrefix(b[off:], []byte(fmt.Sprintf("%d 0 obj\n", n))) {
			t.Errorf("object %d is not at %d", n, off)
		}
	}
	// Each content stream's /Length is its exact byte count.
	for i := 0; i < len(d.pages); i++ {
		obj := fmt.Sprintf("%d 0 obj\n<< /Length ", 5+2*i)
		at := bytes.Index(b, []byte(obj))
		var length int
		fmt.Sscanf(string(b[at+len(obj):]), "%d", &length)
		start := bytes.Index(b[at:], []byte("stream\n")) + at + len("stream\n")
		if !bytes.HasPrefix(b[start+length:], []byte("\nendstream")) {
			t.Errorf("stream %d: /Length %d does not end at endstream", i, length)
		}
	}
}
