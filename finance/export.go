package finance

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"tonegrid/sqlstore"
)

// StatementCSV renders a statement: its lines, its totals, then each payee
// statement with its lines, one record per row with a record type first.
func StatementCSV(d *sqlstore.StatementExportData) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	s := d.Statement
	rows := [][]string{{"record", "period", "currency", "payee_uuid", "payee_name", "release_uuid", "release_title", "track_uuid", "isrc",
		"dsp", "territory", "units", "percentage", "amount"}}
	for _, l := range s.Lines {
		rows = append(rows, []string{"line", d.Period.Code, s.Currency, "", "", l.ReleaseUUID, l.ReleaseTitle, l.TrackUUID, l.ISRC,
			l.DSP, l.Territory, strconv.FormatInt(l.Units, 10), "", l.Amount})
	}
	for _, t := range [][2]string{{"gross", s.Gross}, {"fee", s.Fee}, {"net", s.Net}} {
		rows = append(rows, []string{t[0], d.Period.Code, s.Currency, "", "", "", "", "", "", "", "", "", "", t[1]})
	}
	for _, ps := range d.PayeeStatements {
		rows = append(rows, []string{"payee", d.Period.Code, ps.Currency, ps.PayeeUUID, ps.PayeeName, "", "", "", "", "", "", "", "", ps.Amount})
		for _, l := range ps.Lines {
			rows = append(rows, []string{"payee_line", d.Period.Code, ps.Currency, ps.PayeeUUID, ps.PayeeName, l.ReleaseUUID, l.Title, l.TrackUUID,
				l.ISRC, "", "", "", l.Percentage, l.Share})
		}
	}
	for _, r := range rows {
		for i, c := range r {
			// Free-text cells (names, titles, stores, territories) starting
			// with a formula character are prefixed so that spreadsheets
			// show them as text.
			if (i == 4 || i == 6 || i == 9 || i == 10) && c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				r[i] = "'" + c
			}
		}
		if err := w.Write(r); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// pdfDoc builds a minimal PDF 1.4: text pages in Helvetica, an xref table
// with exact byte offsets and a trailer.
type pdfDoc struct {
	pages [][]string
}

const (
	pdfLinesPerPage = 64
	pdfPageWidth    = 595
	pdfPageHeight   = 842
)

// page adds the lines as one or more pages (a long payee statement
// continues on the next page).
func (d *pdfDoc) page(lines []string) {
	for len(lines) > pdfLinesPerPage {
		d.pages = append(d.pages, lines[:pdfLinesPerPage])
		lines = append([]string{lines[0] + " (continued)"}, lines[pdfLinesPerPage:]...)
	}
	d.pages = append(d.pages, lines)
}

// pdfText escapes a string for a PDF literal: backslash, parentheses, and
// anything outside printable ASCII (the standard font's encoding) as "?".
func pdfText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == '(' || r == ')':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 32 || r > 126:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (d *pdfDoc) bytes() []byte {
	var buf bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, buf.Len())
		fmt.Fprintf(&buf, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(d.pages)
	// 1 catalog, 2 pages, 3 font, then per page: page object and content.
	kids := make([]string, n)
	for i := range d.pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, lines := range d.pages {
		var c strings.Builder
		c.WriteString("BT\n/F1 9 Tf\n11 TL\n40 800 Td\n")
		for j, l := range lines {
			if j == 0 {
				c.WriteString("/F1 13 Tf\n")
			}
			fmt.Fprintf(&c, "(%s) Tj T*\n", pdfText(l))
			if j == 0 {
				c.WriteString("/F1 9 Tf\n")
			}
		}
		c.WriteString("ET")
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>",
			pdfPageWidth, pdfPageHeight, 5+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.String()))
	}
	xref := buf.Len()
	fmt.Fprintf(&buf, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&buf, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&buf, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return buf.Bytes()
}

// StatementPDF renders a statement as a PDF: a summary page with the
// statement's lines and totals, then one page per payee with the period,
// the payee's lines and total.
func StatementPDF(d *sqlstore.StatementExportData) []byte {
	s := d.Statement
	var doc pdfDoc
	head := fmt.Sprintf("Statement %s - %s", d.Period.Code, d.TenantName)
	summary := []string{head,
		fmt.Sprintf("Period %s to %s   Currency %s   Status %s", d.Period.StartsOn, d.Period.EndsOn, s.Currency, s.Status), ""}
	summary = append(summary, fmt.Sprintf("%-30.30s %-14.14s %-12.12s %-6.6s %10s %18s", "Release / track", "ISRC", "DSP", "Terr.", "Units", "Amount"))
	for _, l := range s.Lines {
		title := l.ReleaseTitle
		if l.TrackTitle != "" {
			title = l.TrackTitle
		}
		summary = append(summary, fmt.Sprintf("%-30.30s %-14.14s %-12.12s %-6.6s %10d %18s", title, l.ISRC, l.DSP, l.Territory, l.Units, l.Amount))
	}
	summary = append(summary, "", "Gross "+s.Gross+" "+s.Currency, "Fee "+s.Fee+" "+s.Currency, "Net "+s.Net+" "+s.Currency)
	doc.page(summary)
	for _, ps := range d.PayeeStatements {
		lines := []string{fmt.Sprintf("Payee statement - %s", ps.PayeeName),
			fmt.Sprintf("Period %s (%s to %s)   Currency %s   Status %s", d.Period.Code, d.Period.StartsOn, d.Period.EndsOn, ps.Currency, ps.Status), ""}
		lines = append(lines, fmt.Sprintf("%-34.34s %-14.14s %10s %18s %18s", "Title", "ISRC", "Share %", "Gross", "Share"))
		for _, l := range ps.Lines {
			lines = append(lines, fmt.Sprintf("%-34.34s %-14.14s %10s %18s %18s", l.Title, l.ISRC, l.Percentage, l.Gross, l.Share))
		}
		lines = append(lines, "", "Total payable "+ps.Amount+" "+ps.Currency)
		doc.page(lines)
	}
	return doc.bytes()
}
