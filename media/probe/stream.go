package probe

// keepBuffer is the largest read buffer a stream keeps between reads; a
// bigger one (a moov box) is dropped once its step has run.
const keepBuffer = 64 << 10

// stream drives a parser over bytes that arrive in chunks of any size. The
// parser asks for the next n bytes (read) or to pass over n bytes (discard);
// stream hands each read to the parser as one slice, copying only when the
// bytes straddle chunks, so memory is bounded by the largest single read.
type stream struct {
	pos  int64 // offset of the next byte the parser has not consumed
	skip int64 // bytes still to pass over before the next read
	need int   // length of the pending read
	next func([]byte)
	buf  []byte // the part of the pending read that has arrived
	err  error  // the first problem found; parsing stops there
	peak int    // the largest buffer capacity held, for memory tests

	back  int      // bytes of the last read to hand over again
	again [32]byte // where they wait
}

// read asks for the next n (≥ 1) bytes, after any pending discard, to be
// handed to next. next must not keep the slice.
func (s *stream) read(n int, next func([]byte)) {
	s.need, s.next = n, next
}

// unread hands the last n (≤ 32) bytes of the read just delivered over
// again, ahead of the rest of the stream: a parser peeks this way.
func (s *stream) unread(n int) {
	s.back = n
}

// discard passes over the next n bytes.
func (s *stream) discard(n int64) {
	s.skip += n
}

// fail records err, unless a problem is already recorded, and stops parsing.
func (s *stream) fail(err error) {
	if s.err == nil {
		s.err = err
	}
	s.next = nil
	s.skip = 0
}

// stop ends parsing once a pending discard is done: the rest of the stream
// is not looked at.
func (s *stream) stop() {
	s.next = nil
}

// write feeds p to the parser.
func (s *stream) write(p []byte) {
	for len(p) > 0 && (s.skip > 0 || s.next != nil) {
		if s.skip > 0 {
			k := min(int64(len(p)), s.skip)
			s.skip -= k
			s.pos += k
			p = p[k:]
			continue
		}
		if s.next == nil {
			return
		}
		var chunk []byte
		if len(s.buf) == 0 && len(p) >= s.need {
			chunk, p = p[:s.need], p[s.need:]
		} else {
			k := min(s.need-len(s.buf), len(p))
			s.buf = append(s.buf, p[:k]...)
			s.peak = max(s.peak, cap(s.buf))
			p = p[k:]
			if len(s.buf) < s.need {
				return
			}
			chunk = s.buf
		}
		s.pos += int64(len(chunk))
		next := s.next
		s.next = nil
		next(chunk)
		back := min(s.back, len(chunk), len(s.again))
		if back > 0 {
			// When chunk itself was cut from again by the recursive write
			// below, the bytes still to come in p lie after chunk in again;
			// copying at most len(chunk) bytes to its front leaves them be.
			copy(s.again[:back], chunk[len(chunk)-back:])
			s.back = 0
			s.pos -= int64(back)
		}
		s.buf = s.buf[:0]
		if cap(s.buf) > keepBuffer {
			s.buf = nil
		}
		if back > 0 {
			s.write(s.again[:back])
		}
	}
}
