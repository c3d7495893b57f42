// Command tgmediabench measures a big audio upload end to end: a generated
// WAV file (1 GiB by default) is POSTed as multipart to /api/tracks/:uuid/audio
// of a `tonegrid serve` child process over loopback, and compared with `cp` of
// the same file on the same disk (plain, and followed by an fsync of the copy,
// as the blob store syncs what it stores). The server's resident memory is
// read from /proc before the upload and at its peak during it (VmHWM, reset
// through clear_refs first).
//
//	go build -o /tmp/tonegrid ./cmd/tonegrid
//	go run ./cmd/tgmediabench -server /tmp/tonegrid -dir /work/tmp -size 1073741824 -rounds 3
//
// Everything it writes lives under a temporary directory inside -dir and is
// removed at the end.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"tonegrid/media/mediatest"
)

func main() {
	server := flag.String("server", "", "path of a built tonegrid binary (required)")
	dir := flag.String("dir", os.TempDir(), "directory on the disk to measure (the WAV, its copies and the server's data go under it)")
	size := flag.Int64("size", 1<<30, "WAV size in bytes (rounded down to whole sample frames)")
	rounds := flag.Int("rounds", 3, "rounds of cp and upload, alternated")
	flag.Parse()
	if *server == "" {
		fmt.Fprintln(os.Stderr, "tgmediabench: -server is required (go build -o /tmp/tonegrid ./cmd/tonegrid)")
		os.Exit(2)
	}
	if err := run(*server, *dir, *size, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "tgmediabench:", err)
		os.Exit(1)
	}
}

func run(server, dir string, size int64, rounds int) error {
	work, err := os.MkdirTemp(dir, "tgmediabench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	src := filepath.Join(work, "master.wav")
	n, err := writeWAV(src, size)
	if err != nil {
		return err
	}
	fmt.Printf("file: %s, %d bytes (%.0f MiB)\n", src, n, float64(n)/(1<<20))

	srv, err := startServer(server, work)
	if err != nil {
		return err
	}
	defer srv.stop()
	token, track, err := srv.fixture()
	if err != nil {
		return err
	}

	for r := 1; r <= rounds; r++ {
		// cp is timed twice and the faster run kept: the baseline is
		// what the disk and kernel can do, not the other tenants' noise.
		dst := filepath.Join(work, "copy.wav")
		cp := time.Duration(1<<63 - 1)
		for range 2 {
			d, err := timed(func() error { return exec.Command("cp", src, dst).Run() })
			if err != nil {
				return fmt.Errorf("cp: %w", err)
			}
			cp = min(cp, d)
			os.Remove(dst)
		}
		cpSync, err := timed(func() error {
			if err := exec.Command("cp", src, dst).Run(); err != nil {
				return err
			}
			return exec.Command("sync", dst).Run()
		})
		if err != nil {
			return fmt.Errorf("cp + sync: %w", err)
		}
		os.Remove(dst)

		// References for what the upload must do besides copying: a copy
		// through user space, and the MD5 the contract asks for.
		dd, err := timed(func() error {
			return exec.Command("dd", "if="+src, "of="+dst, "bs=1M", "status=none").Run()
		})
		if err != nil {
			return fmt.Errorf("dd: %w", err)
		}
		os.Remove(dst)
		md5sum, err := timed(func() error { return exec.Command("md5sum", src).Run() })
		if err != nil {
			return fmt.Errorf("md5sum: %w", err)
		}

		before, err := srv.memory("VmRSS")
		if err != nil {
			return err
		}
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", srv.cmd.Process.Pid), []byte("5"), 0); err != nil {
			return fmt.Errorf("reset the server's peak RSS: %w", err)
		}
		up, err := timed(func() error { return srv.upload(token, track, src) })
		if err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		peak, err := srv.memory("VmHWM")
		if err != nil {
			return err
		}
		mbps := func(d time.Duration) float64 { return float64(n) / (1 << 20) / d.Seconds() }
		fmt.Printf("round %d: cp %.2fs (%.0f MiB/s), cp+sync %.2fs (%.0f MiB/s), dd bs=1M %.2fs (%.0f MiB/s), md5sum %.2fs (%.0f MiB/s)\n"+
			"  upload %.2fs (%.0f MiB/s) = %.0f%% of cp, %.0f%% of cp+sync, %.0f%% of dd; server RSS %d MiB before, peak %d MiB, growth %d MiB\n",
			r, cp.Seconds(), mbps(cp), cpSync.Seconds(), mbps(cpSync), dd.Seconds(), mbps(dd), md5sum.Seconds(), mbps(md5sum),
			up.Seconds(), mbps(up), 100*cp.Seconds()/up.Seconds(), 100*cpSync.Seconds()/up.Seconds(), 100*dd.Seconds()/up.Seconds(),
			before>>10, peak>>10, (peak-before)>>10)
	}
	return nil
}

// writeWAV writes a 16-bit stereo 44.1 kHz WAV of about size bytes.
func writeWAV(path string, size int64) (int64, error) {
	frames := (size - 44) / 4
	r, n := mediatest.WAV(44100, 16, 2, frames)
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	return n, f.Close()
}

func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// child is a running `tonegrid serve`.
type child struct {
	cmd  *exec.Cmd
	base string
}

const (
	adminEmail    = "bench@example.com"
	adminPassword = "bench-password-0123456789"
)

func startServer(bin, work string) (*child, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "TONEGRID_HTTP_ADDR="+addr, "TONEGRID_DATA_DIR="+filepath.Join(work, "data"),
		"TONEGRID_ADMIN_EMAIL="+adminEmail, "TONEGRID_ADMIN_PASSWORD="+adminPassword, "TONEGRID_PUBLIC_HOST=127.0.0.1",
		"TONEGRID_LOG_FORMAT=json", "TONEGRID_DATABASE_URL=", "TONEGRID_STORAGE_URL=")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, base: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(c.base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, errors.New("the server did not come up within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *child) stop() {
	c.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// memory reads a /proc/<pid>/status field in KiB.
func (c *child) memory(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, c.cmd.Process.Pid)
}

// call sends a JSON request and decodes the data of the answer.
func (c *child) call(method, path, token string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return err
	}
	return json.Unmarshal(env.Data, out)
}

// fixture logs the admin in and creates an artist, a release and a track.
func (c *child) fixture() (token, track string, err error) {
	var sess struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.call("POST", "/api/auth/login", "", map[string]any{"email": adminEmail, "password": adminPassword}, &sess); err != nil {
		return "", "", err
	}
	var obj struct {
		UUID string `json:"uuid"`
	}
	if err := c.call("POST", "/api/artists", sess.AccessToken, map[string]any{"name": "Bench Artist"}, &obj); err != nil {
		return "", "", err
	}
	release := map[string]any{"title": "Bench", "type": "single", "artist_uuid": obj.UUID, "genre": "Jazz", "language": "en",
		"p_line": map[string]any{"year": 2026, "holder": "Bench"}, "c_line": map[string]any{"year": 2026, "holder": "Bench"}}
	if err := c.call("POST", "/api/releases", sess.AccessToken, release, &obj); err != nil {
		return "", "", err
	}
	if err := c.call("POST", "/api/releases/"+obj.UUID+"/tracks", sess.AccessToken, map[string]any{"title": "Long take"}, &obj); err != nil {
		return "", "", err
	}
	return sess.AccessToken, obj.UUID, nil
}

// uploadClient writes request bodies in 1 MiB writes; the default
// transport's 4 KiB buffer would cost the client a quarter of a million
// write calls per GB, taken from the CPU the server is measured on.
var uploadClient = &http.Client{Transport: &http.Transport{WriteBufferSize: 1 << 20}}

// upload streams the file as a multipart body with a Content-Length.
func (c *child) upload(token, track, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile("audio", filepath.Base(path)); err != nil {
		return err
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	body := io.MultiReader(bytes.NewReader(head.Bytes()), f, strings.NewReader(tail))
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+"/api/tracks/"+track+"/audio", body)
	if err != nil {
		return err
	}
	req.ContentLength = int64(head.Len()) + st.Size() + int64(len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := uploadClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%d %s", resp.StatusCode, raw)
	}
	return nil
}
