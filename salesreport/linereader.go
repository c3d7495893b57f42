package salesreport

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
)

// lineReader yields the lines of a text stream without their terminators
// (LF or CRLF), counting them. It decompresses gzip input and skips a UTF-8
// byte order mark. Slices it returns are valid until the next call.
type lineReader struct {
	src     io.Reader
	br      *bufio.Reader
	long    []byte // a line longer than br's buffer, assembled
	lineNo  int64  // number of the line last returned
	started bool
}

const readBufferSize = 64 << 10

func newLineReader(r io.Reader) *lineReader { return &lineReader{src: r} }

func (lr *lineReader) start() error {
	lr.br = bufio.NewReaderSize(lr.src, readBufferSize)
	if magic, _ := lr.br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(lr.br)
		if err != nil {
			return fmt.Errorf("open gzip stream: %w", err)
		}
		lr.br = bufio.NewReaderSize(gz, readBufferSize)
	}
	if bom, _ := lr.br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = lr.br.Discard(3)
	}
	return nil
}

// next returns the next line, io.EOF after the last, ErrLineTooLong for a
// line over MaxLineBytes (which it skips), or a read error.
func (lr *lineReader) next() ([]byte, error) {
	if !lr.started {
		lr.started = true
		if err := lr.start(); err != nil {
			return nil, err
		}
	}
	line, err := lr.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		lr.long = append(lr.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = lr.br.ReadSlice('\n')
			if len(lr.long)+len(line) > MaxLineBytes+2 {
				lr.lineNo++
				if err == bufio.ErrBufferFull {
					err = lr.skipLine()
				}
				if err != nil && err != io.EOF {
					return nil, lr.readError(err)
				}
				return nil, ErrLineTooLong
			}
			lr.long = append(lr.long, line...)
		}
		line = lr.long
	}
	if err != nil && err != io.EOF {
		return nil, lr.readError(err)
	}
	if len(line) == 0 {
		return nil, io.EOF
	}
	lr.lineNo++
	if line[len(line)-1] == '\n' {
		line = line[:len(line)-1]
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
	}
	return line, nil
}

// skipLine discards input up to and including the next newline.
func (lr *lineReader) skipLine() error {
	for {
		_, err := lr.br.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

func (lr *lineReader) readError(err error) error {
	return fmt.Errorf("read line %d: %w", lr.lineNo+1, err)
}
