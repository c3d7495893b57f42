package media

import (
	"errors"
	"io"
	"sync"
)

// readAhead reads its source on its own goroutine, up to readAheadBuffers
// chunks ahead of the consumer, so that receiving an upload (network reads,
// multipart parsing) and storing it (file writes) overlap instead of taking
// turns. Close stops the reader and waits for it: the source is never read
// after Close returns.
type readAhead struct {
	filled chan []byte
	free   chan []byte
	stop   chan struct{}
	done   sync.WaitGroup
	cur    []byte
	curBuf []byte
	err    error // the source's final error, read after filled is closed
	once   sync.Once
}

const (
	readAheadBuffers = 4
	readAheadSize    = 256 << 10
)

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{filled: make(chan []byte, readAheadBuffers), free: make(chan []byte, readAheadBuffers), stop: make(chan struct{})}
	for range readAheadBuffers {
		ra.free <- make([]byte, readAheadSize)
	}
	ra.done.Add(1)
	go ra.run(r)
	return ra
}

func (ra *readAhead) run(r io.Reader) {
	defer ra.done.Done()
	defer close(ra.filled)
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.stop:
			ra.err = errReadAheadClosed
			return
		}
		n, err := io.ReadAtLeast(r, buf[:cap(buf)], 1)
		if n > 0 {
			select {
			case ra.filled <- buf[:n]:
			case <-ra.stop:
				ra.err = errReadAheadClosed
				return
			}
		}
		if err != nil {
			ra.err = err
			return
		}
	}
}

// errReadAheadClosed is what Read answers after Close.
var errReadAheadClosed = errors.New("media: read after close")

func (ra *readAhead) Read(p []byte) (int, error) {
	if len(ra.cur) == 0 {
		if ra.curBuf != nil {
			ra.free <- ra.curBuf
			ra.curBuf = nil
		}
		buf, ok := <-ra.filled
		if !ok {
			return 0, ra.err
		}
		ra.cur, ra.curBuf = buf, buf
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops reading the source and waits until the reader goroutine is
// gone.
func (ra *readAhead) Close() {
	ra.once.Do(func() { close(ra.stop) })
	ra.done.Wait()
}
