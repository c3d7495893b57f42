package transport

import (
	"errors"
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// startFakeS3 serves an in-memory S3 with the bucket "deliveries".
func startFakeS3(t *testing.T) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("deliveries"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestS3MissingBucket(t *testing.T) {
	cfg := s3Config(startFakeS3(t), "")
	cfg.S3.Bucket = "elsewhere"
	if _, err := Dial(t.Context(), cfg); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Dial to a missing bucket = %v, want fs.ErrNotExist", err)
	}
}

func TestS3KeysUnderPrefix(t *testing.T) {
	url := startFakeS3(t)
	tr := mustDial(t, s3Config(url, "/dsp/inbox/"))
	fx := newFixture(t, "20240601120000020", 1, 1, 1000)
	if _, err := SendBatch(t.Context(), tr, fx.batch); err != nil {
		t.Fatalf("SendBatch: %v", err)
	}
	whole := mustDial(t, s3Config(url, ""))
	got := walk(t, whole, "")
	for p := range fx.content {
		if _, ok := got["dsp/inbox/"+p]; !ok {
			t.Errorf("object dsp/inbox/%s missing; bucket holds %v", p, sortedKeys(got))
		}
	}
	if len(got) != len(fx.content) {
		t.Errorf("bucket holds %d objects, want %d", len(got), len(fx.content))
	}
}

func TestS3ListSkipsUnaddressableKeys(t *testing.T) {
	url := startFakeS3(t)
	whole := mustDial(t, s3Config(url, ""))
	for _, p := range []string{"acks/ACK_1.xml", "acks/sub/ACK_2.xml"} {
		if err := whole.Put(t.Context(), p, strings.NewReader("x"), 1); err != nil {
			t.Fatal(err)
		}
	}
	got := listNames(t, whole, "acks")
	if want := "ACK_1.xml sub/"; strings.Join(got, " ") != want {
		t.Errorf("List(acks) = %v, want %s", got, want)
	}
}
