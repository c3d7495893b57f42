package salesreport

import "bytes"

// DSR flat files escape delimiters with backslashes (DSR Part 1, 6.6.4):
// a literal TAB is `\`+TAB, a literal pipe `\\|`, a literal backslash `\\\`.
// Cells are split on unescaped TABs, multi-value cells on unescaped pipes.

// escapeLen returns the length of the escape sequence starting at s[0], a
// backslash: 3 for `\\\` and `\\|`, 2 for `\`+TAB, and 1 for a backslash that
// escapes nothing (invalid, kept as a literal backslash).
func escapeLen(s []byte) int {
	if len(s) >= 3 && s[1] == '\\' && (s[2] == '\\' || s[2] == '|') {
		return 3
	}
	if len(s) >= 2 && s[1] == '\t' {
		return 2
	}
	return 1
}

// splitCells cuts a record into raw cells (escapes kept) on unescaped TABs.
func splitCells(dst [][]byte, rec []byte) [][]byte {
	dst = dst[:0]
	if bytes.IndexByte(rec, '\\') < 0 {
		for {
			i := bytes.IndexByte(rec, '\t')
			if i < 0 {
				return append(dst, rec)
			}
			dst = append(dst, rec[:i])
			rec = rec[i+1:]
		}
	}
	start := 0
	for i := 0; i < len(rec); {
		switch rec[i] {
		case '\\':
			i += escapeLen(rec[i:])
		case '\t':
			dst = append(dst, rec[start:i])
			i++
			start = i
		default:
			i++
		}
	}
	return append(dst, rec[start:])
}

// nextValue returns the first raw value of a multi-value cell (up to an
// unescaped pipe) and the rest after that pipe; more is false when this was
// the last value.
func nextValue(raw []byte) (value, rest []byte, more bool) {
	if bytes.IndexByte(raw, '\\') < 0 {
		if i := bytes.IndexByte(raw, '|'); i >= 0 {
			return raw[:i], raw[i+1:], true
		}
		return raw, nil, false
	}
	for i := 0; i < len(raw); {
		switch raw[i] {
		case '\\':
			i += escapeLen(raw[i:])
		case '|':
			return raw[:i], raw[i+1:], true
		default:
			i++
		}
	}
	return raw, nil, false
}

// unescape appends the value raw stands for to dst.
func unescape(dst, raw []byte) []byte {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\\')
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		switch n := escapeLen(raw); n {
		case 3:
			dst = append(dst, raw[2])
			raw = raw[3:]
		case 2:
			dst = append(dst, '\t')
			raw = raw[2:]
		default:
			dst = append(dst, '\\')
			raw = raw[1:]
		}
	}
	return dst
}

// escapeValue appends one value escaped for a DSR cell to dst.
func escapeValue(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\t':
			dst = append(dst, '\\', '\t')
		case '|':
			dst = append(dst, '\\', '\\', '|')
		case '\\':
			dst = append(dst, '\\', '\\', '\\')
		case '\n', '\r':
			dst = append(dst, ' ') // a record is one line: no line breaks
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
