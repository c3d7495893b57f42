package main

import (
	"bytes"
	"context"
	"encoding/json"

	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// crashReleases is the size of the bulk call the crash test interrupts.
const crashReleases = 200

// TestBulkIngestionSurvivesSIGKILL builds the real binary, sends a bulk
// call, kills the server with SIGKILL at random moments while it works,
// restarts it and retries with the same Idempotency-Key. After every kill
// each release is either complete (with both its tracks) or absent, and the
// final retry completes the batch without a duplicate.
func TestBulkIngestionSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real server")
	}
	bin := filepath.Join(t.TempDir(), "tonegrid")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, d := range sqltest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			crashScenario(t, bin, d)
		})
	}
}

// server is one run of the binary.
type server struct {
	cmd  *exec.Cmd
	base string
	done chan struct{}
}

func startServer(t *testing.T, bin string, env []string, addr string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start: %v", err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, done: make(chan struct{})}
	go func() { cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("server exited: %s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not healthy after 30 s: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL to the server's own process and waits for it.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// call sends a JSON request and decodes the response's data.
func call(base, method, path, token, key string, body any) (int, json.RawMessage, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequest(method, base+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, env.Data, nil
}

func crashScenario(t *testing.T, bin string, dialect sqlstore.Dialect) {
	dbURL := sqltest.URL(t, dialect)
	dir := t.TempDir()
	addr := freeAddr(t)
	env := append(os.Environ(),
		"TONEGRID_HTTP_ADDR="+addr, "TONEGRID_DATA_DIR="+dir, "TONEGRID_DATABASE_URL="+dbURL,
		"TONEGRID_PUBLIC_HOST=127.0.0.1", "TONEGRID_JWT_SECRET=crash-test-secret-crash-test-secret-0123",
		"TONEGRID_ADMIN_EMAIL=root@crash.test", "TONEGRID_ADMIN_PASSWORD=correct horse battery staple",
		"TONEGRID_MAIL=dir:"+filepath.Join(dir, "mail"), "TONEGRID_RATE_LIMIT_BULK=100000", "TONEGRID_RATE_LIMIT_STANDARD=100000",
		"TONEGRID_LOG_FORMAT=json")
	srv := startServer(t, bin, env, addr)
	status, data, err := call(srv.base, "POST", "/api/auth/login", "", "", map[string]string{
		"email": "root@crash.test", "password": "correct horse battery staple"})
	if err != nil || status != http.StatusOK {
		t.Fatalf("login: %d %s %v", status, data, err)
	}
	var session struct {
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(data, &session)
	token := session.AccessToken
	status, data, err = call(srv.base, "POST", "/api/artists", token, "", map[string]string{"name": "Crash Artist"})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("artist: %d %s %v", status, data, err)
	}
	var artist struct {
		UUID string `json:"uuid"`
	}
	json.Unmarshal(data, &artist)

	releases := make([]map[string]any, crashReleases)
	for i := range releases {
		releases[i] = map[string]any{"title": "Crash " + strconv.Itoa(i), "type": "single", "genre": "Pop", "language": "en",
			"artists": []map[string]string{{"artist_uuid": artist.UUID}},
			"tracks":  []map[string]any{{"title": "A"}, {"title": "B"}}}
	}
	body := map[string]any{"releases": releases}
	key := "crash-" + string(dialect)

	for round := range 3 {
		// Send the call; a 409 means the killed run still holds the key's
		// lease: try again until the key is free, then kill the server at
		// a random moment of the run.
		for {
			res := make(chan int, 1)
			go func() {
				s, _, _ := call(srv.base, "POST", "/api/ingestion/bulk", token, key, body)
				res <- s
			}()
			select {
			case s := <-res:
				if s == http.StatusConflict {
					time.Sleep(time.Second)
					continue
				}
				t.Logf("round %d: the call finished (%d) before the kill", round, s)
			case <-time.After(time.Duration(5+rand.IntN(200)) * time.Millisecond):
			}
			break
		}
		srv.kill()
		n := checkAllOrNothing(t, dbURL)
		t.Logf("round %d: killed with %d of %d releases created", round, n, crashReleases)
		srv = startServer(t, bin, env, addr)
	}

	// The final retry completes the rest.
	var out struct {
		Results []struct {
			Index   int    `json:"index"`
			Success bool   `json:"success"`
			UUID    string `json:"uuid"`
		} `json:"results"`
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		status, data, err = call(srv.base, "POST", "/api/ingestion/bulk", token, key, body)
		if err == nil && status != http.StatusConflict {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retry: %d %v", status, err)
		}
		time.Sleep(time.Second)
	}
	if status != http.StatusOK {
		t.Fatalf("final retry: %d %s", status, data)
	}
	json.Unmarshal(data, &out)
	seen := map[string]bool{}
	for i, r := range out.Results {
		if !r.Success || r.Index != i || r.UUID == "" || seen[r.UUID] {
			t.Errorf("result %d = %+v", i, r)
		}
		seen[r.UUID] = true
	}
	if n := checkAllOrNothing(t, dbURL); n != crashReleases || len(out.Results) != crashReleases {
		t.Errorf("%d releases in the database, %d results; want %d", n, len(out.Results), crashReleases)
	}
}

// checkAllOrNothing reads the database: every release of the batch has
// both its tracks, no title appears twice. It returns how many there are.
func checkAllOrNothing(t *testing.T, dbURL string) int {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dbURL, sqlstore.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	defer db.Close()
	rows, err := db.WriteDB().Query(`SELECT r.title, COUNT(t.id) FROM releases r LEFT JOIN tracks t ON t.release_id = r.id
		WHERE r.title LIKE 'Crash %' GROUP BY r.id, r.title`)
	if err != nil {
		t.Fatalf("read releases: %v", err)
	}
	defer rows.Close()
	titles := map[string]bool{}
	for rows.Next() {
		var title string
		var tracks int
		if err := rows.Scan(&title, &tracks); err != nil {
			t.Fatal(err)
		}
		if tracks != 2 {
			t.Errorf("release %q has %d tracks: half created", title, tracks)
		}
		if titles[title] {
			t.Errorf("release %q created twice", title)
		}
		titles[title] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var items int
	if err := db.WriteDB().QueryRow(`SELECT COUNT(*) FROM ingestion_items`).Scan(&items); err != nil {
		t.Fatal(err)
	}
	if items != len(titles) {
		t.Errorf("%d items recorded for %d releases", items, len(titles))
	}
	return len(titles)
}
