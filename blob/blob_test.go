package blob

import (
	"context"
	"errors"
	"mime"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/minio/minio-go/v7"
)

func TestOpenURL(t *testing.T) {
	dir := filepath.ToSlash(t.TempDir())
	cases := []struct {
		url     string
		wantErr string
	}{
		{"file://" + dir, ""},
		{"file://localhost" + dir + "/nested/new", ""},
		{"file://relative/path", "want file:///absolute/path"},
		{"file:relative", "must be absolute"},
		{"file://" + dir + "?mode=x", "nothing else"},
		{"s3://AK:SK@bucket", ""},
		{"s3://AK:SK@my.bucket-1?endpoint=minio:9000&region=eu-central-1&path_style=true&secure=false&prefix=/tonegrid/", ""},
		{"s3://AK:SK@bucket?path_style=false", ""},
		{"s3://bucket", "needs credentials"},
		{"s3://AK@bucket", "both an access key and a secret"},
		{"s3://AK:SK@Bad_Bucket", "bucket name"},
		{"s3://AK:SK@bucket/path", "takes no path"},
		{"s3://AK:SK@bucket?endpont=x", `unknown s3 URL parameter "endpont"`},
		{"s3://AK:SK@bucket?secure=yes", "want true or false"},
		{"s3://AK:SK@bucket?path_style=1", "want true or false"},
		{"s3://AK:SK@bucket?endpoint=http://host", "not host[:port]"},
		{"s3://AK:SK@bucket?region=a&region=b", "given 2 times"},
		{"s3://AK:SK@bucket?prefix=../up", "prefix"},
		{"gs://bucket", "unknown scheme"},
		{"::not a url", "does not parse"},
	}
	for _, c := range cases {
		s, err := Open(c.url)
		if c.wantErr == "" {
			if err != nil {
				t.Errorf("Open(%q): %v", c.url, err)
				continue
			}
			s.Close()
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("Open(%q) error = %v, want one saying %q", c.url, err, c.wantErr)
		}
	}
}

func TestOpenErrorsHideTheSecret(t *testing.T) {
	const secret = "Sup3rS3cr3tValue"
	for _, u := range []string{
		"s3://AK:" + secret + "@bucket?bogus=1",
		"s3://AK:" + secret + "%zz@bucket",
		"s3://AK:" + secret + "@Bad_Bucket",
		"s3://AK:" + secret + "@bucket?secure=maybe",
		"s3://AK:" + secret + "@bucket/path",
		"s3://AK:" + secret + "@bucket?prefix=%00",
		"s3://AK:" + secret + "@bucket?endpoint=a/b",
	} {
		_, err := Open(u)
		if err == nil {
			t.Errorf("Open(%q) succeeded, want an error", u)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("Open error repeats the secret: %v", err)
		}
	}
}

func TestValidKey(t *testing.T) {
	for _, key := range badKeys {
		if err := ValidKey(key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidKey(%q) = %v, want ErrInvalidKey", key, err)
		}
	}
	for _, key := range []string{"a", "audio/0193d7a2/9f2c", "a.b/c..d", "ß/ü", strings.Repeat("k", MaxSegmentLength)} {
		if err := ValidKey(key); err != nil {
			t.Errorf("ValidKey(%q) = %v, want nil", key, err)
		}
	}
	prefixes := []struct {
		prefix string
		ok     bool
	}{
		{"", true}, {"audio/", true}, {"audio/01", true}, {"a", true},
		{"/", false}, {"../", false}, {"a//", false}, {"a/.", false}, {".", false}, {"a\\", false},
	}
	for _, c := range prefixes {
		if err := validPrefix(c.prefix); (err == nil) != c.ok {
			t.Errorf("validPrefix(%q) = %v, want ok %t", c.prefix, err, c.ok)
		}
	}
}

func FuzzValidKey(f *testing.F) {
	for _, k := range append([]string{"audio/0193/9f2c", "a b/ü", "x/y.z"}, badKeys...) {
		f.Add(k)
	}
	root := filepath.FromSlash("/srv/blobs")
	f.Fuzz(func(t *testing.T, key string) {
		if ValidKey(key) != nil {
			return
		}
		rel, err := filepath.Rel(root, filepath.Join(root, filepath.FromSlash(key)))
		if err != nil || rel != filepath.FromSlash(key) {
			t.Errorf("valid key %q does not name a path below the root (%q, %v)", key, rel, err)
		}
		if !utf8.ValidString(key) || strings.ContainsAny(key, "\x00\\") || strings.HasPrefix(key, ".") || strings.Contains(key, "/.") {
			t.Errorf("ValidKey accepted %q", key)
		}
		if err := validPrefix(key); err != nil {
			t.Errorf("valid key %q is not a valid prefix: %v", key, err)
		}
	})
}

func TestContentDisposition(t *testing.T) {
	cases := []struct{ name, want string }{
		{"cover.jpg", `attachment; filename="cover.jpg"`},
		{"Müller – Live.wav", `attachment; filename="M_ller _ Live.wav"; filename*=UTF-8''M%C3%BCller%20%E2%80%93%20Live.wav`},
		{`say "hi".txt`, `attachment; filename="say _hi_.txt"; filename*=UTF-8''say%20%22hi%22.txt`},
		{"../../etc/passwd", `attachment; filename=".._.._etc_passwd"`},
		{"evil\r\nSet-Cookie: x", `attachment; filename="evilSet-Cookie: x"`},
		{"\x00\x01", "attachment"},
		{"", "attachment"},
	}
	for _, c := range cases {
		if got := ContentDisposition(c.name); got != c.want {
			t.Errorf("ContentDisposition(%q) = %s, want %s", c.name, got, c.want)
		}
	}
}

func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"cover.jpg", "Müller – Live.wav", `a"b\c/d`, "x\r\ny", "日本語.flac", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v := ContentDisposition(name)
		for i := 0; i < len(v); i++ {
			if v[i] < 0x20 || v[i] >= 0x7f {
				t.Fatalf("ContentDisposition(%q) = %q holds byte %#x", name, v, v[i])
			}
		}
		disposition, params, err := mime.ParseMediaType(v)
		if err != nil || disposition != "attachment" {
			t.Fatalf("ContentDisposition(%q) = %q does not parse: %v", name, v, err)
		}
		var want strings.Builder
		for _, c := range name {
			switch {
			case c == utf8.RuneError || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0):
			case c == '/' || c == '\\':
				want.WriteByte('_')
			default:
				want.WriteRune(c)
			}
		}
		if params["filename"] != want.String() {
			t.Errorf("ContentDisposition(%q) = %q names the file %q, want %q", name, v, params["filename"], want.String())
		}
	})
}

func FuzzOpenS3URL(f *testing.F) {
	for _, s := range []string{
		"AK:SK@bucket?endpoint=h:9000&secure=false",
		"AK:SK@bucket?prefix=a/b&path_style=true",
		"AK:S%2FK@bucket",
		"bucket",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rest string) {
		s, err := Open("s3://" + rest)
		if err == nil {
			s.Close()
			return
		}
		i, j := strings.Index(rest, ":"), strings.LastIndex(rest, "@")
		if i < 0 || j < i+9 {
			return
		}
		// A secret long enough not to turn up by chance, and not also
		// written elsewhere in the URL, where an error may rightly quote it.
		secret := rest[i+1 : j]
		if !strings.Contains(rest[:i], secret) && !strings.Contains(rest[j:], secret) && strings.Contains(err.Error(), secret) {
			t.Errorf("Open error repeats the secret %q: %v", secret, err)
		}
	})
}

// TestS3Prefix checks that a store with a prefix keeps its objects under it
// and shows keys without it.
func TestS3Prefix(t *testing.T) {
	fake := newFakeS3(t)
	store, err := Open(fake.storeURL("/tenants/tg/"))
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, store, "audio/x", []byte("data"))
	core := fake.core(t)
	if _, err := core.StatObject(context.Background(), testBucket, "tenants/tg/audio/x", minio.StatObjectOptions{}); err != nil {
		t.Errorf("object not stored under the prefix: %v", err)
	}
	if got := listKeys(t, store, ""); len(got) != 1 || got[0] != "audio/x" {
		t.Errorf("List = %q, want [audio/x]", got)
	}
}
