package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// TestIdleBodyCutsOffAStalledUpload sends part of a body and then nothing:
// the handler's read fails once the idle timeout passes, instead of
// holding the request forever.
func TestIdleBodyCutsOffAStalledUpload(t *testing.T) {
	old := uploadIdleTimeout
	uploadIdleTimeout = 300 * time.Millisecond
	t.Cleanup(func() { uploadIdleTimeout = old })
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, idleBody(w, r))
		if n != 5 {
			err = fmt.Errorf("read %d bytes before the stall (%v)", n, err)
		}
		got <- err
	}))
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nhello")
	select {
	case err := <-got:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("read ended with %v, want a deadline error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stalled body was still being waited for after 10 s")
	}
}
