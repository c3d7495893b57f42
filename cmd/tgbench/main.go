// Command tgbench measures ToneGrid's HTTP hot paths end to end over
// loopback, each against a bare net/http handler served in the same run, so
// the ratio says what the full pipeline costs on this machine.
//
//	go run ./cmd/tgbench -scenario health -duration 10s -concurrency 32
//
// It starts the full server in process on a temporary SQLite database (or
// the PostgreSQL of -postgres), alternates rounds of the bare handler and the
// scenario to even out drift, and prints requests per second and latency
// percentiles of each.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tonegrid"
	"tonegrid/app"
	"tonegrid/password"
)

// scenario is one measured request: a path on the full server, prepared by
// setup (which may create data and return headers to send).
type scenario struct {
	name  string
	about string
	setup func(ctx context.Context, a *app.App, base string) (path string, header http.Header, err error)
}

var scenarios = []scenario{
	{
		name:  "health",
		about: "GET /api/health through the whole middleware chain (database ping included)",
		setup: func(context.Context, *app.App, string) (string, http.Header, error) {
			return "/api/health", nil, nil
		},
	},
	{
		name:  "me-jwt",
		about: "GET /api/users/me with an access JWT (token check + one query for user, tenant and suspension)",
		setup: func(ctx context.Context, a *app.App, _ string) (string, http.Header, error) {
			sess, _, err := benchUser(ctx, a)
			if err != nil {
				return "", nil, err
			}
			return "/api/users/me", bearerHeader(sess.AccessToken), nil
		},
	},
	{
		name:  "tenant-jwt",
		about: "GET /api/tenants/me with an access JWT (authentication + the tenant read)",
		setup: func(ctx context.Context, a *app.App, _ string) (string, http.Header, error) {
			sess, _, err := benchUser(ctx, a)
			if err != nil {
				return "", nil, err
			}
			return "/api/tenants/me", bearerHeader(sess.AccessToken), nil
		},
	},
	{
		name:  "tenant-apikey",
		about: "GET /api/tenants/me with an API key (hash lookup, cached for 5 s + the tenant read)",
		setup: func(ctx context.Context, a *app.App, _ string) (string, http.Header, error) {
			_, key, err := benchUser(ctx, a)
			if err != nil {
				return "", nil, err
			}
			return "/api/tenants/me", bearerHeader(key), nil
		},
	},
	{
		name:  "release-get",
		about: "GET /api/releases/:uuid with an access JWT: a release with 12 tracks (audio, credits), read with its tracks",
		setup: func(ctx context.Context, a *app.App, _ string) (string, http.Header, error) {
			sess, _, err := benchUser(ctx, a)
			if err != nil {
				return "", nil, err
			}
			p, err := a.Auth.Authenticate(ctx, sess.AccessToken, netip.MustParseAddr("127.0.0.1"))
			if err != nil {
				return "", nil, err
			}
			rel, err := benchReleases(ctx, a, p, 1, 12)
			if err != nil {
				return "", nil, err
			}
			return "/api/releases/" + rel, bearerHeader(sess.AccessToken), nil
		},
	},
	{
		name:  "release-list",
		about: "GET /api/releases?per_page=100 with an access JWT, 10 000 releases in the tenant (first page, newest first)",
		setup: func(ctx context.Context, a *app.App, _ string) (string, http.Header, error) {
			sess, _, err := benchUser(ctx, a)
			if err != nil {
				return "", nil, err
			}
			p, err := a.Auth.Authenticate(ctx, sess.AccessToken, netip.MustParseAddr("127.0.0.1"))
			if err != nil {
				return "", nil, err
			}
			if _, err := benchReleases(ctx, a, p, 10000, 0); err != nil {
				return "", nil, err
			}
			return "/api/releases?per_page=100", bearerHeader(sess.AccessToken), nil
		},
	},
}

// benchReleases creates n releases of one artist through the store, each
// with tracks tracks carrying audio, and returns the last release's uuid.
func benchReleases(ctx context.Context, a *app.App, p *tonegrid.Principal, n, tracks int) (string, error) {
	artist, err := a.DB.CreateArtist(ctx, p, tonegrid.ArtistInput{Name: "Bench Artist"})
	if err != nil {
		return "", err
	}
	featured, err := a.DB.CreateArtist(ctx, p, tonegrid.ArtistInput{Name: "Bench Guest"})
	if err != nil {
		return "", err
	}
	date := tonegrid.DateOf(time.Now().AddDate(0, 1, 0))
	credits := []tonegrid.ArtistCredit{{ArtistUUID: artist.UUID, Role: tonegrid.ArtistPrimary}}
	var last string
	for i := 0; i < n; i++ {
		if i > 0 && i%1000 == 0 {
			fmt.Fprintf(os.Stderr, "created %d releases\n", i)
		}
		rel, err := a.DB.CreateRelease(ctx, p, tonegrid.ReleaseInput{
			Title: fmt.Sprintf("Bench Release %d", i), Type: tonegrid.ReleaseTypeAlbum, Artists: credits, Genre: "Jazz",
			Language: "en", ReleaseDate: &date, PLine: &tonegrid.Line{Year: 2026, Holder: "Bench Records"},
			CLine: &tonegrid.Line{Year: 2026, Holder: "Bench Records"}, Territories: []string{tonegrid.Worldwide},
			LocalizedTitles: map[string]string{"fr": fmt.Sprintf("Disque %d", i)},
		})
		if err != nil {
			return "", err
		}
		for j := 0; j < tracks; j++ {
			tr, err := a.DB.CreateTrack(ctx, p, rel.UUID, tonegrid.TrackInput{
				Title: fmt.Sprintf("Track %d", j+1), ISRC: fmt.Sprintf("USTGB26%05d", i*100+j),
				Artists:      []tonegrid.ArtistCredit{{ArtistUUID: artist.UUID, Role: tonegrid.ArtistPrimary}, {ArtistUUID: featured.UUID, Role: tonegrid.ArtistFeatured}},
				Contributors: []tonegrid.Contributor{{Name: "Bench Composer", Role: "composer"}, {Name: "Bench Producer", Role: "producer"}},
			})
			if err != nil {
				return "", err
			}
			if _, err := a.DB.WriteDB().ExecContext(ctx, `UPDATE tracks SET audio = $1 WHERE uuid = $2`,
				`{"media_uuid":"","format":"wav","sample_rate":44100,"bit_depth":24,"channels":2,"duration_ms":215000,"size":37930000,"md5":"0f343b0931126a20f133d67c2b018a3b","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}`, tr.UUID); err != nil {
				return "", err
			}
		}
		last = rel.UUID
	}
	return last, nil
}

// benchUser creates a label admin in the root tenant and returns a session
// and an API key of theirs.
func benchUser(ctx context.Context, a *app.App) (*tonegrid.Session, string, error) {
	const email, pw = "bench@tonegrid.test", "bench-password-123"
	hash, err := password.Hash(pw, password.Default)
	if err != nil {
		return nil, "", err
	}
	if _, err := a.DB.CreateUser(ctx, "", email, "Bench", tonegrid.RoleLabelAdmin, hash); err != nil {
		return nil, "", err
	}
	sess, err := a.Auth.Login(ctx, email, pw, nil)
	if err != nil {
		return nil, "", err
	}
	p, err := a.Auth.Authenticate(ctx, sess.AccessToken, netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		return nil, "", err
	}
	_, key, err := a.Auth.CreateAPIKey(ctx, p, tonegrid.APIKeyInput{Name: "bench", Scopes: []string{string(tonegrid.PermCatalogRead)}})
	return sess, key, err
}

func bearerHeader(tok string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+tok)
	return h
}

func main() {
	name := flag.String("scenario", "health", "what to measure: "+scenarioNames())
	duration := flag.Duration("duration", 10*time.Second, "length of each measured round")
	rounds := flag.Int("rounds", 3, "rounds of each side, alternated")
	concurrency := flag.Int("concurrency", 32, "concurrent keep-alive connections")
	pg := flag.String("postgres", "", "PostgreSQL URL to run on instead of a temporary SQLite file")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	loader := flag.String("load", "go", "load generator: go (built in) or wrk (needs wrk on PATH; lighter, so closer to the server's own cost)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "tgbench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	load := loadGo
	switch *loader {
	case "go":
	case "wrk":
		load = loadWrk
	default:
		fmt.Fprintf(os.Stderr, "tgbench: -load %q: want go or wrk\n", *loader)
		os.Exit(2)
	}
	if err := run(load, *name, *duration, *rounds, *concurrency, *pg); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "tgbench:", err)
		os.Exit(1)
	}
}

func scenarioNames() string {
	var names []string
	for _, s := range scenarios {
		names = append(names, s.name)
	}
	return strings.Join(names, ", ")
}

// loadFunc sends GETs to url from concurrency connections for d.
type loadFunc func(url string, header http.Header, d time.Duration, concurrency int) (result, error)

func run(load loadFunc, name string, duration time.Duration, rounds, concurrency int, pg string) error {
	var sc *scenario
	for i := range scenarios {
		if scenarios[i].name == name {
			sc = &scenarios[i]
		}
	}
	if sc == nil {
		return fmt.Errorf("unknown scenario %q (have %s)", name, scenarioNames())
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "tgbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := app.Config{DataDir: dir, RateLimitStandard: 1 << 30}
	if pg != "" {
		cfg.DatabaseURL = pg
	}
	db, err := app.OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := app.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	full, err := serve(a.Handler)
	if err != nil {
		return err
	}
	bare, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"success":true,"data":{"status":"ok"}}`)
	}))
	if err != nil {
		return err
	}
	path, header, err := sc.setup(ctx, a, full)
	if err != nil {
		return fmt.Errorf("setup %s: %w", sc.name, err)
	}
	fmt.Printf("scenario %s: %s\n%d connections, %d rounds of %s per side, database %s\n\n",
		sc.name, sc.about, concurrency, rounds, duration, db.Dialect())

	var bareRes, fullRes []result
	var ratios []float64
	for i := 0; i < rounds; i++ {
		b, err := load(bare+"/", nil, duration, concurrency)
		if err != nil {
			return err
		}
		f, err := load(full+path, header, duration, concurrency)
		if err != nil {
			return err
		}
		bareRes, fullRes = append(bareRes, b), append(fullRes, f)
		ratios = append(ratios, f.rps/b.rps)
		fmt.Printf("round %d  bare %9.0f req/s p99 %6.2f ms   %s %9.0f req/s p99 %6.2f ms   ratio %5.1f%%\n",
			i+1, b.rps, ms(b.p99), sc.name, f.rps, ms(f.p99), 100*f.rps/b.rps)
	}
	sort.Float64s(ratios)
	b, f := median(bareRes), median(fullRes)
	fmt.Printf("\nmedian   bare %9.0f req/s p50 %6.2f ms p99 %6.2f ms\n", b.rps, ms(b.p50), ms(b.p99))
	fmt.Printf("median   %-4s %9.0f req/s p50 %6.2f ms p99 %6.2f ms\n", sc.name, f.rps, ms(f.p50), ms(f.p99))
	fmt.Printf("ratio    %.1f%% of bare (median of the rounds' paired ratios; range %.1f%%–%.1f%%)\n",
		100*ratios[len(ratios)/2], 100*ratios[0], 100*ratios[len(ratios)-1])
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// serve starts h on a free loopback port and returns its base URL.
func serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go (&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// result is one round's throughput and latency percentiles.
type result struct {
	rps           float64
	p50, p99, max time.Duration
}

// loadGo sends GETs to url from concurrency connections for d and measures
// them; any non-200 answer is an error.
func loadGo(url string, header http.Header, d time.Duration, concurrency int) (result, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: concurrency, MaxConnsPerHost: concurrency, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		lat      []time.Duration
		failures atomic.Int64
		firstErr atomic.Value
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1<<14)
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				for k, v := range header {
					req.Header[k] = v
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
					}
				}
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if n := failures.Load(); n > 0 {
		return result{}, fmt.Errorf("%d failed requests, first: %v", n, firstErr.Load())
	}
	if len(lat) == 0 {
		return result{}, errors.New("no request completed")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	return result{rps: float64(len(lat)) / elapsed.Seconds(), p50: pct(0.50), p99: pct(0.99), max: lat[len(lat)-1]}, nil
}

// median picks the round with the median throughput.
func median(rs []result) result {
	s := append([]result(nil), rs...)
	sort.Slice(s, func(i, j int) bool { return s[i].rps < s[j].rps })
	return s[len(s)/2]
}

// loadWrk runs wrk against url and reads its throughput and latency
// percentiles; non-2xx answers are an error.
func loadWrk(url string, header http.Header, d time.Duration, concurrency int) (result, error) {
	args := []string{"-t2", fmt.Sprintf("-c%d", concurrency), fmt.Sprintf("-d%ds", int(d.Seconds())), "--latency"}
	for k, vs := range header {
		for _, v := range vs {
			args = append(args, "-H", k+": "+v)
		}
	}
	out, err := exec.Command("wrk", append(args, url)...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	text := string(out)
	if strings.Contains(text, "Non-2xx") || strings.Contains(text, "Socket errors") {
		return result{}, fmt.Errorf("wrk saw errors:\n%s", text)
	}
	var res result
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			res.rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			res.p50, _ = time.ParseDuration(f[1])
		case len(f) == 2 && f[0] == "99%":
			res.p99, _ = time.ParseDuration(f[1])
		}
	}
	if res.rps == 0 {
		return result{}, fmt.Errorf("cannot read wrk's output:\n%s", text)
	}
	return res, nil
}
