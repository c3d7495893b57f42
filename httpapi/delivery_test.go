package httpapi_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"tonegrid"
	"tonegrid/app"
	"tonegrid/app/apptest"
	"tonegrid/delivery/transport"
	"tonegrid/delivery/transport/sftptest"
)

// fastDelivery makes deliveries retry and acknowledgements get read within
// a test's patience.
var fastDelivery = apptest.WithConfig(func(c *app.Config) {
	c.DeliveryMaxAttempts = 3
	c.DeliveryRetryBase = 50 * time.Millisecond
	c.AckPollInterval = 300 * time.Millisecond
	c.TransportTimeout = 10 * time.Second
})

// delivery is a delivery as the API lists it.
type delivery struct {
	UUID        string     `json:"uuid"`
	DSP         string     `json:"dsp"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error"`
	Reason      string     `json:"reason"`
	MessageID   string     `json:"message_id"`
	BatchID     string     `json:"batch_id"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

// storeMedia puts content in the blob store and describes it as media.
func storeMedia(t *testing.T, srv *apptest.Server, kind, contentType string, content []byte) (*tonegrid.Media, string, string) {
	t.Helper()
	key := "media/test/" + uuid.NewString()
	if _, err := srv.App.Blobs.Put(context.Background(), key, bytes.NewReader(content), int64(len(content)), contentType); err != nil {
		t.Fatal(err)
	}
	m5, s256 := md5.Sum(content), sha256.Sum256(content)
	md, sh := hex.EncodeToString(m5[:]), hex.EncodeToString(s256[:])
	return &tonegrid.Media{Kind: kind, BlobKey: key, Size: int64(len(content)), ContentType: contentType, MD5: md, SHA256: sh}, md, sh
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// approvedRelease makes a release with tracks whose audio (audioSize bytes
// each) and artwork are real blobs, attaches dsps, submits it and has the
// platform approve it. It returns the release's uuid and UPC.
func approvedRelease(t *testing.T, srv *apptest.Server, label *apptest.Account, tracks, audioSize int, dsps ...string) (string, string) {
	t.Helper()
	ctx := context.Background()
	p := srv.Principal(t, label)
	artist := srv.Artist(t, label.Token, "Nova Lane")
	upc := apptest.UniqueUPC()
	rel := srv.Release(t, label.Token, artist, map[string]any{"upc": upc, "title": "Delivered", "localized_titles": map[string]string{"fr": "Livré"}})
	for i := range tracks {
		tr := srv.Track(t, label.Token, rel.UUID, fmt.Sprintf("Song %d", i+1))
		m, md, sh := storeMedia(t, srv, tonegrid.MediaAudio, "audio/wav", randomBytes(audioSize))
		a := apptest.StoreReadyAudio
		a.Size, a.MD5, a.SHA256 = m.Size, md, sh
		if _, _, err := srv.DB.AttachTrackAudio(ctx, p, tr.UUID, m, a); err != nil {
			t.Fatal(err)
		}
	}
	m, md, sh := storeMedia(t, srv, tonegrid.MediaImage, "image/jpeg", randomBytes(4096))
	art := apptest.StoreReadyArtwork
	art.Size, art.MD5, art.SHA256 = m.Size, md, sh
	if _, _, err := srv.DB.AttachReleaseArtwork(ctx, p, rel.UUID, m, art); err != nil {
		t.Fatal(err)
	}
	srv.Post("/api/releases/"+rel.UUID+"/dsps", label.Token, map[string]any{"dsps": dsps}).ExpectStatus(t, http.StatusOK)
	srv.Post("/api/releases/"+rel.UUID+"/submit", label.Token, nil).ExpectStatus(t, http.StatusOK)
	srv.Post("/api/releases/"+rel.UUID+"/approve", srv.Admin(t).Token, nil).ExpectStatus(t, http.StatusOK)
	return rel.UUID, upc
}

// useSFTP points a store at the test SFTP server.
func useSFTP(t *testing.T, srv *apptest.Server, slug string, s *sftptest.Server) {
	t.Helper()
	srv.Patch("/api/dsps/"+slug, srv.Admin(t).Token, map[string]any{"delivery": map[string]any{
		"protocol": "sftp",
		"sftp": map[string]any{"host": "127.0.0.1", "port": s.Port, "user": sftptest.User, "password": sftptest.Password,
			"host_key_fingerprint": s.Fingerprint},
	}}).ExpectStatus(t, http.StatusOK)
}

// deliveries lists a release's deliveries.
func deliveries(t *testing.T, srv *apptest.Server, token, releaseUUID string) []delivery {
	t.Helper()
	var list []delivery
	srv.Get("/api/releases/"+releaseUUID+"/ddex/deliveries", token).Data(t, http.StatusOK, &list)
	return list
}

// waitDeliveries waits until every delivery of kind is in one of statuses.
func waitDeliveries(t *testing.T, srv *apptest.Server, token, releaseUUID, kind string, statuses ...string) []delivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got []delivery
		done := true
		for _, d := range deliveries(t, srv, token, releaseUUID) {
			if d.Kind != kind {
				continue
			}
			got = append(got, d)
			ok := false
			for _, s := range statuses {
				ok = ok || d.Status == s
			}
			done = done && ok
		}
		if done && len(got) > 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s deliveries not %v after 30 s: %+v", kind, statuses, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// releaseStatus reads a release's status.
func releaseStatus(t *testing.T, srv *apptest.Server, token, releaseUUID string) string {
	t.Helper()
	var r struct {
		Status string `json:"status"`
	}
	srv.Get("/api/releases/"+releaseUUID, token).Data(t, http.StatusOK, &r)
	return r.Status
}

// files lists the files under root, relative and sorted.
func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// wantBatch checks that root holds one complete batch of the release.
func wantBatch(t *testing.T, root, upc, batchID, prefix string, tracks int) {
	t.Helper()
	folder := prefix + "_" + batchID
	want := []string{folder + "/" + upc + "/resources/" + upc + ".jpg", folder + "/" + upc + "/" + upc + ".xml"}
	for i := range tracks {
		want = append(want, fmt.Sprintf("%s/%s/resources/%s_01_%03d.wav", folder, upc, upc, i+1))
	}
	want = append(want, folder+"/BatchComplete_"+batchID+".xml")
	var got []string
	for _, f := range files(t, root) {
		if strings.HasPrefix(f, folder+"/") {
			got = append(got, f)
		}
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("batch under %s:\n got %v\nwant %v", root, got, want)
	}
}

// ackXML is a store's acknowledgement that a release was ingested (or
// rejected with reason).
func ackXML(upc, messageID string, live bool, reason string) string {
	status, file := "SuccessfullyIngestedByReleaseDistributor", "FileOK"
	extra := ""
	if !live {
		status, file = "ProcessingErrorAtReleaseDistributor", "ResourceMissing"
		extra = "<ErrorText>" + reason + "</ErrorText>"
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<ern-c-sftp:AcknowledgementMessage xmlns:ern-c-sftp="http://ddex.net/xml/ern-c-sftp/18" AvsVersionId="3">
  <MessageHeader>
    <MessageId>ACK-` + upc + `</MessageId>
    <MessageSender><PartyId>PADPIDA2024020202S</PartyId></MessageSender>
    <MessageRecipient><PartyId>PADPIDATONEGRID</PartyId></MessageRecipient>
    <MessageCreatedDateTime>2026-03-15T10:00:00Z</MessageCreatedDateTime>
  </MessageHeader>
  <ReleaseStatus><ReleaseId><ICPN>` + upc + `</ICPN></ReleaseId><ReleaseStatus>` + status + `</ReleaseStatus>` + extra + `
    <Acknowledgement><MessageType>NewReleaseMessage</MessageType><BatchId>1</BatchId><MessageId>` + messageID + `</MessageId>
      <MessageStatus><Status>` + file + `</Status></MessageStatus></Acknowledgement>
  </ReleaseStatus>
</ern-c-sftp:AcknowledgementMessage>
`
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// validateERN checks a message against the ERN 4.3 XSD with xmllint when
// the schema and xmllint are there (TONEGRID_DDEX_XSD, else
// ../shared/ddex/ern/43 next to the repository); under CI=true they must be.
func validateERN(t *testing.T, doc []byte) {
	t.Helper()
	xsd := os.Getenv("TONEGRID_DDEX_XSD")
	if xsd == "" {
		xsd = filepath.Join("..", "..", "shared", "ddex", "ern", "43", "release-notification.xsd")
	}
	_, statErr := os.Stat(xsd)
	_, lintErr := exec.LookPath("xmllint")
	if statErr != nil || lintErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("XSD validation unavailable: %v %v", statErr, lintErr)
		}
		return
	}
	path := filepath.Join(t.TempDir(), "message.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", xsd, path).CombinedOutput(); err != nil {
		t.Errorf("message does not validate: %v\n%s", err, out)
	}
}

// dspEvents counts the outbox events so far.
func dspEvents(t *testing.T, srv *apptest.Server) map[string]int {
	t.Helper()
	evs, err := srv.DB.EventsAfter(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range evs {
		out[e.Type]++
	}
	return out
}

// TestDeliveryEndToEnd approves a release, delivers it to a store on a
// local directory and to one on SFTP, reads both stores' acknowledgements,
// then purges it.
func TestDeliveryEndToEnd(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		s := sftptest.Start(t)
		useSFTP(t, srv, "deezer", s)
		label := srv.Label(t, "Delivery Label")
		relUUID, upc := approvedRelease(t, srv, label, 3, 32<<10, "spotify", "deezer")

		// The preview is the message a delivery would send.
		prev := srv.Get("/api/releases/"+relUUID+"/ddex/spotify/preview", label.Token)
		prev.ExpectStatus(t, http.StatusOK)
		if ct := prev.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") ||
			!bytes.Contains(prev.Body, []byte("<ICPN>"+upc+"</ICPN>")) || !bytes.Contains(prev.Body, []byte("ern:NewReleaseMessage")) {
			t.Fatalf("preview %s: %.500s", ct, prev.Body)
		}

		validateERN(t, prev.Body)

		var queued []delivery
		srv.Post("/api/releases/"+relUUID+"/ddex/deliver", label.Token, nil).Data(t, http.StatusAccepted, &queued)
		if len(queued) != 2 || queued[0].Status != "queued" || queued[0].Kind != "new" {
			t.Fatalf("queued %+v", queued)
		}
		got := waitDeliveries(t, srv, label.Token, relUUID, "new", "delivered")
		if st := releaseStatus(t, srv, label.Token, relUUID); st != tonegrid.ReleaseDelivered {
			t.Errorf("release status %s after delivery, want delivered", st)
		}
		byDSP := map[string]delivery{}
		for _, d := range got {
			byDSP[d.DSP] = d
			if d.Attempts != 1 || d.DeliveredAt == nil || d.LastError != "" {
				t.Errorf("delivery %+v", d)
			}
		}
		dirRoot := filepath.Join(srv.App.Config.DataDir, "deliveries", "spotify")
		wantBatch(t, dirRoot, upc, byDSP["spotify"].BatchID, "N", 3)
		wantBatch(t, s.Dir, upc, byDSP["deezer"].BatchID, "N", 3)
		// The audio arrived byte for byte.
		sent, err := os.ReadFile(filepath.Join(dirRoot, "N_"+byDSP["spotify"].BatchID, upc, "resources", upc+"_01_001.wav"))
		if err != nil || len(sent) != 32<<10 {
			t.Errorf("audio on disk: %d bytes, %v", len(sent), err)
		}

		// The message as sent is kept and downloadable.
		msg := srv.Get("/api/releases/"+relUUID+"/ddex/deliveries/"+byDSP["deezer"].UUID+"/message", label.Token)
		msg.ExpectStatus(t, http.StatusOK)
		onServer, err := os.ReadFile(filepath.Join(s.Dir, "N_"+byDSP["deezer"].BatchID, upc, upc+".xml"))
		if err != nil || !bytes.Equal(onServer, msg.Body) || !bytes.Contains(msg.Body, []byte(byDSP["deezer"].MessageID)) {
			t.Errorf("kept message differs from the one on the SFTP server (%v)", err)
		}

		validateERN(t, msg.Body)

		// A redelivery sends the whole release again as an update.
		var updates []delivery
		srv.Post("/api/releases/"+relUUID+"/ddex/redeliver", label.Token, map[string]any{"dsps": []string{"spotify"}}).
			Data(t, http.StatusAccepted, &updates)
		if len(updates) != 1 || updates[0].Kind != "update" || updates[0].DSP != "spotify" {
			t.Fatalf("updates %+v", updates)
		}
		upd := waitDeliveries(t, srv, label.Token, relUUID, "update", "delivered")
		manifest, err := os.ReadFile(filepath.Join(dirRoot, "N_"+upd[0].BatchID, "BatchComplete_"+upd[0].BatchID+".xml"))
		if err != nil || !bytes.Contains(manifest, []byte("<DeliveryType>ReDelivery</DeliveryType>")) {
			t.Errorf("update manifest: %v %.400s", err, manifest)
		}

		// Acknowledgements: the dir store drops its ack in acks/, the SFTP
		// store in acknowledgements/.
		writeFile(t, filepath.Join(dirRoot, "acks", "ACK_1_"+upc+".xml"), ackXML(upc, upd[0].MessageID, true, ""))
		writeFile(t, filepath.Join(s.Dir, "acknowledgements", "ACK_1_"+upc+".xml"), ackXML(upc, byDSP["deezer"].MessageID, true, ""))
		waitDeliveries(t, srv, label.Token, relUUID, "update", "live")
		deadline := time.Now().Add(15 * time.Second)
		for {
			var d delivery
			for _, x := range deliveries(t, srv, label.Token, relUUID) {
				if x.UUID == byDSP["deezer"].UUID {
					d = x
				}
			}
			if d.Status == "live" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("deezer delivery not live: %+v", d)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if st := releaseStatus(t, srv, label.Token, relUUID); st != tonegrid.ReleaseLive {
			t.Errorf("release status %s after the acks, want live", st)
		}

		// Purge: a PurgeReleaseMessage to both stores, then taken_down.
		var purges []delivery
		srv.Post("/api/releases/"+relUUID+"/ddex/purge", label.Token, nil).Data(t, http.StatusAccepted, &purges)
		if len(purges) != 2 || purges[0].Kind != "purge" {
			t.Fatalf("purges %+v", purges)
		}
		done := waitDeliveries(t, srv, label.Token, relUUID, "purge", "delivered")
		deadline = time.Now().Add(10 * time.Second)
		for releaseStatus(t, srv, label.Token, relUUID) != tonegrid.ReleaseTakenDown && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if st := releaseStatus(t, srv, label.Token, relUUID); st != tonegrid.ReleaseTakenDown {
			t.Errorf("release status %s after the purge, want taken_down", st)
		}
		for _, d := range done {
			root := s.Dir
			if d.DSP == "spotify" {
				root = dirRoot
			}
			purge, err := os.ReadFile(filepath.Join(root, "P_"+d.BatchID, upc, upc+".xml"))
			if err != nil || !bytes.Contains(purge, []byte("PurgeReleaseMessage")) {
				t.Errorf("%s purge message: %v", d.DSP, err)
			}
			if _, err := os.Stat(filepath.Join(root, "P_"+d.BatchID, "BatchComplete_"+d.BatchID+".xml")); err != nil {
				t.Errorf("%s purge batch has no BatchComplete: %v", d.DSP, err)
			}
			validateERN(t, purge)
		}

		events := dspEvents(t, srv)
		for _, slug := range []string{"spotify", "deezer"} {
			for _, st := range []string{"queued", "delivered", "live", "taken_down"} {
				if events[tonegrid.DSPEvent(slug, st)] == 0 {
					t.Errorf("no %s event; events: %v", tonegrid.DSPEvent(slug, st), events)
				}
			}
		}
	}, fastDelivery)
}

// TestDeliveryToS3 delivers to a store on S3 (an in-memory S3 server) and
// reads its acknowledgement from the bucket.
func TestDeliveryToS3(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		backend := s3mem.New()
		if err := backend.CreateBucket("dsp-inbox"); err != nil {
			t.Fatal(err)
		}
		fake := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
		t.Cleanup(fake.Close)
		s3 := map[string]any{"bucket": "dsp-inbox", "prefix": "tonegrid", "endpoint": fake.URL, "region": "us-east-1",
			"access_key": "AKIATEST", "secret_key": "s3-secret", "path_style": true}
		srv.Patch("/api/dsps/tidal", srv.Admin(t).Token, map[string]any{"delivery": map[string]any{"protocol": "s3", "s3": s3}}).
			ExpectStatus(t, http.StatusOK)
		label := srv.Label(t, "Cloud Label")
		relUUID, upc := approvedRelease(t, srv, label, 2, 16<<10, "tidal")
		srv.Post("/api/releases/"+relUUID+"/ddex/deliver/tidal", label.Token, nil).ExpectStatus(t, http.StatusAccepted)
		got := waitDeliveries(t, srv, label.Token, relUUID, "new", "delivered")

		bucket, err := transport.Dial(context.Background(), transport.Config{Protocol: transport.ProtocolS3, S3: transport.S3Config{
			Bucket: "dsp-inbox", Prefix: "tonegrid", Endpoint: fake.URL, Region: "us-east-1", AccessKey: "AKIATEST",
			SecretKey: "s3-secret", PathStyle: true}})
		if err != nil {
			t.Fatal(err)
		}
		defer bucket.Close()
		folder := "N_" + got[0].BatchID
		var names []string
		for _, dir := range []string{folder, folder + "/" + upc, folder + "/" + upc + "/resources"} {
			entries, err := bucket.List(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if !e.IsDir {
					names = append(names, e.Name)
				}
			}
		}
		sort.Strings(names)
		want := []string{"BatchComplete_" + got[0].BatchID + ".xml", upc + ".jpg", upc + ".xml", upc + "_01_001.wav", upc + "_01_002.wav"}
		sort.Strings(want)
		if strings.Join(names, " ") != strings.Join(want, " ") {
			t.Errorf("bucket holds %v, want %v", names, want)
		}

		ack := ackXML(upc, got[0].MessageID, true, "")
		if err := bucket.Put(context.Background(), "acknowledgements/ACK_1_"+upc+".xml", strings.NewReader(ack), int64(len(ack))); err != nil {
			t.Fatal(err)
		}
		waitDeliveries(t, srv, label.Token, relUUID, "new", "live")
	}, fastDelivery)
}

// TestDeliveryRetriesAfterDroppedConnection delivers to an SFTP store that
// drops connections in the middle of the batch: a store that recovers gets
// the batch on a later attempt; one that never does leaves the delivery
// failed with no BatchComplete anywhere.
func TestDeliveryRetriesAfterDroppedConnection(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		s := sftptest.Start(t)
		useSFTP(t, srv, "deezer", s)
		label := srv.Label(t, "Flaky Label")

		// The first connection drops half way through the audio.
		s.DropConnections(1, 150<<10)
		relUUID, upc := approvedRelease(t, srv, label, 4, 64<<10, "deezer")
		srv.Post("/api/releases/"+relUUID+"/ddex/deliver/deezer", label.Token, nil).ExpectStatus(t, http.StatusAccepted)
		got := waitDeliveries(t, srv, label.Token, relUUID, "new", "delivered", "failed")
		if got[0].Status != "delivered" || got[0].Attempts != 2 {
			t.Fatalf("after one dropped connection: %+v", got[0])
		}
		wantBatch(t, s.Dir, upc, got[0].BatchID, "N", 4)

		// Every connection drops: three attempts, then failed.
		s.DropConnections(-1, 40<<10)
		rel2, _ := approvedRelease(t, srv, label, 4, 64<<10, "deezer")
		srv.Post("/api/releases/"+rel2+"/ddex/deliver", label.Token, nil).ExpectStatus(t, http.StatusAccepted)
		failed := waitDeliveries(t, srv, label.Token, rel2, "new", "failed")
		if failed[0].Attempts != 3 || failed[0].LastError == "" || failed[0].DeliveredAt != nil {
			t.Errorf("failed delivery %+v", failed[0])
		}
		for _, f := range files(t, filepath.Join(s.Dir, "N_"+failed[0].BatchID)) {
			if strings.Contains(f, "BatchComplete") {
				t.Errorf("a failed delivery left %s", f)
			}
		}
		if st := releaseStatus(t, srv, label.Token, rel2); st != tonegrid.ReleaseApproved {
			t.Errorf("release status %s after a failed delivery, want approved", st)
		}
		if dspEvents(t, srv)[tonegrid.DSPEvent("deezer", "failed")] == 0 {
			t.Error("no release.dsp.deezer.failed event")
		}
	}, fastDelivery)
}

// TestDeliveryRejectedAndTakedown reads a rejection, then takes a release
// down at one store.
func TestDeliveryRejectedAndTakedown(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Takedown Label")
		relUUID, upc := approvedRelease(t, srv, label, 1, 1024, "spotify", "tidal")
		srv.Post("/api/releases/"+relUUID+"/ddex/deliver", label.Token, nil).ExpectStatus(t, http.StatusAccepted)
		got := waitDeliveries(t, srv, label.Token, relUUID, "new", "delivered")
		var spotify delivery
		for _, d := range got {
			if d.DSP == "spotify" {
				spotify = d
			}
		}
		root := filepath.Join(srv.App.Config.DataDir, "deliveries")
		writeFile(t, filepath.Join(root, "spotify", "acks", "ACK_2_"+upc+".xml"), ackXML(upc, spotify.MessageID, false, "audio truncated"))
		deadline := time.Now().Add(15 * time.Second)
		for {
			var d delivery
			for _, x := range deliveries(t, srv, label.Token, relUUID) {
				if x.UUID == spotify.UUID {
					d = x
				}
			}
			if d.Status == "rejected" {
				if !strings.Contains(d.Reason, "audio truncated") {
					t.Errorf("rejection reason %q", d.Reason)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not rejected: %+v", d)
			}
			time.Sleep(100 * time.Millisecond)
		}

		var tds []delivery
		srv.Post("/api/releases/"+relUUID+"/takedown", label.Token, map[string]any{"reason": "rights lapsed", "dsps": []string{"tidal"}}).
			Data(t, http.StatusAccepted, &tds)
		if len(tds) != 1 || tds[0].Kind != "takedown" || tds[0].Reason != "rights lapsed" {
			t.Fatalf("takedowns %+v", tds)
		}
		td := waitDeliveries(t, srv, label.Token, relUUID, "takedown", "delivered")
		msg := srv.Get("/api/releases/"+relUUID+"/ddex/deliveries/"+td[0].UUID+"/message", label.Token)
		msg.ExpectStatus(t, http.StatusOK)
		if !bytes.Contains(msg.Body, []byte("EndDateTime")) {
			t.Errorf("takedown message does not end its deals: %.800s", msg.Body)
		}
		if _, err := os.Stat(filepath.Join(root, "tidal", "P_"+td[0].BatchID, "BatchComplete_"+td[0].BatchID+".xml")); err != nil {
			t.Errorf("takedown batch: %v", err)
		}
		// Spotify was rejected, tidal taken down: nothing is live.
		if st := releaseStatus(t, srv, label.Token, relUUID); st != tonegrid.ReleaseTakenDown {
			t.Errorf("release status %s, want taken_down", st)
		}
		if dspEvents(t, srv)[tonegrid.DSPEvent("spotify", "rejected")] == 0 {
			t.Error("no release.dsp.spotify.rejected event")
		}
	}, fastDelivery)
}

// TestDeliveryErrors provokes every error of the delivery routes.
func TestDeliveryErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		label := srv.Label(t, "Error Label")
		other := srv.Label(t, "Other Label")
		admin := srv.Admin(t)
		relUUID, _ := approvedRelease(t, srv, label, 1, 1024, "spotify")
		base := "/api/releases/" + relUUID

		// Blocked store.
		srv.Put(base+"/dsps/spotify", label.Token, map[string]any{"is_blocked": true}).ExpectStatus(t, http.StatusOK)
		srv.Post(base+"/ddex/deliver/spotify", label.Token, nil).ExpectError(t, http.StatusConflict, "dsp_blocked",
			"Delivery to Spotify is blocked via per-DSP override (is_blocked=true).")
		srv.Post(base+"/ddex/deliver", label.Token, nil).ExpectError(t, http.StatusConflict, "dsp_blocked",
			"Delivery to Spotify is blocked via per-DSP override (is_blocked=true).")
		// Nothing delivered yet: no takedown or purge.
		srv.Post(base+"/takedown", label.Token, map[string]any{"reason": "x"}).ExpectError(t, http.StatusConflict, "release_not_delivered",
			"Only delivered releases can be taken down or purged.")
		srv.Post(base+"/ddex/purge", label.Token, nil).ExpectError(t, http.StatusConflict, "release_not_delivered",
			"Only delivered releases can be taken down or purged.")
		// A store that is not attached.
		srv.Post(base+"/ddex/deliver/deezer", label.Token, nil).ExpectError(t, http.StatusNotFound, "release_dsp_not_attached",
			"DSP 'deezer' is not attached to this release.")
		srv.Post(base+"/ddex/deliver/nope", label.Token, nil).ExpectError(t, http.StatusNotFound, "dsp_not_found",
			"DSP 'nope' not found or inactive.")
		// No stores.
		srv.Delete(base+"/dsps/spotify", label.Token).ExpectStatus(t, http.StatusOK)
		srv.Post(base+"/ddex/deliver", label.Token, nil).ExpectError(t, http.StatusUnprocessableEntity, "release_no_dsps_attached",
			"No DSPs attached to this release. Add DSPs via POST /releases/:uuid/dsps first.")
		srv.Post(base+"/ddex/redeliver", label.Token, nil).ExpectError(t, http.StatusUnprocessableEntity, "release_no_dsps_attached",
			"No DSPs attached to this release. Add DSPs via POST /releases/:uuid/dsps first.")

		// Not approved.
		artist := srv.Artist(t, label.Token, "Draft Artist")
		draft := srv.Release(t, label.Token, artist, nil)
		srv.Post("/api/releases/"+draft.UUID+"/dsps", label.Token, map[string]any{"dsps": []string{"spotify"}}).ExpectStatus(t, http.StatusOK)
		srv.Post("/api/releases/"+draft.UUID+"/ddex/deliver", label.Token, nil).ExpectError(t, http.StatusConflict, "release_not_deliverable",
			"Only approved releases can be delivered.")
		// A draft without UPC cannot make a message.
		srv.Get("/api/releases/"+draft.UUID+"/ddex/spotify/preview", label.Token).ExpectError(t, http.StatusUnprocessableEntity,
			"release_invalid", "This release has blocking validation issues. See GET /releases/:uuid/validation.")

		// Another workspace sees nothing.
		srv.Get(base+"/ddex/deliveries", other.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Post(base+"/ddex/deliver", other.Token, nil).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Get(base+"/ddex/spotify/preview", other.Token).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Post(base+"/takedown", other.Token, map[string]any{"reason": "x"}).ExpectError(t, http.StatusNotFound, "release_not_found", "Release not found.")
		srv.Get(base+"/ddex/deliveries/"+uuid.NewString()+"/message", label.Token).ExpectError(t, http.StatusNotFound,
			"delivery_not_found", "Delivery not found.")

		// Takedown needs a reason.
		srv.Post(base+"/takedown", label.Token, map[string]any{}).ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")

		// Store configuration is for platform staff only.
		body := map[string]any{"name": "New Store", "ddex_party_id": "PADPIDA2026NEWSTORE"}
		srv.Post("/api/dsps/new-store", label.Token, body).ExpectError(t, http.StatusNotFound, "route_not_found", "Endpoint not found.")
		srv.Patch("/api/dsps/spotify", label.Token, map[string]any{"name": "X"}).ExpectError(t, http.StatusNotFound, "route_not_found", "Endpoint not found.")
		srv.Post("/api/dsps/spotify", admin.Token, body).ExpectError(t, http.StatusConflict, "dsp_taken", "DSP 'spotify' already exists.")
		srv.Patch("/api/dsps/unknown-store", admin.Token, map[string]any{"name": "X"}).ExpectError(t, http.StatusNotFound, "dsp_not_found",
			"DSP 'unknown-store' not found or inactive.")
		bad := srv.Patch("/api/dsps/spotify", admin.Token, map[string]any{"delivery": map[string]any{"protocol": "sftp", "sftp": map[string]any{"port": 22}}}).
			ExpectError(t, http.StatusUnprocessableEntity, "validation_failed", "Validation failed")
		for _, f := range []string{"delivery.sftp.host", "delivery.sftp.user", "delivery.sftp.password", "delivery.sftp.host_key_fingerprint"} {
			if len(bad.Errors[f]) == 0 {
				t.Errorf("no error on %s: %v", f, bad.Errors)
			}
		}
	})
}

// TestDSPConfiguration creates and changes stores: credentials are sealed
// at rest and never returned.
func TestDSPConfiguration(t *testing.T) {
	apptest.Each(t, func(t *testing.T, srv *apptest.Server) {
		admin := srv.Admin(t)
		var d map[string]any
		srv.Post("/api/dsps/indie-store", admin.Token, map[string]any{
			"name": "Indie Store", "ddex_party_id": "PADPIDA2026INDIE",
			"delivery": map[string]any{"protocol": "sftp", "sftp": map[string]any{"host": "sftp.indie.example", "user": "tg",
				"password": "hunter2-super-secret", "host_key_fingerprint": "SHA256:" + strings.Repeat("A", 43)}},
		}).Data(t, http.StatusCreated, &d)
		if d["slug"] != "indie-store" || d["delivery"].(map[string]any)["protocol"] != "sftp" || len(d["delivery"].(map[string]any)) != 1 {
			t.Errorf("created %v", d)
		}
		var sealed string
		if err := srv.DB.WriteDB().QueryRow(`SELECT delivery_sealed FROM dsps WHERE slug = 'indie-store'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if sealed == "" || strings.Contains(sealed, "hunter2") || strings.Contains(sealed, "sftp.indie.example") {
			t.Errorf("delivery settings not sealed: %q", sealed)
		}
		// A new host keeps the password.
		srv.Patch("/api/dsps/indie-store", admin.Token, map[string]any{"delivery": map[string]any{"protocol": "sftp",
			"sftp": map[string]any{"host": "sftp2.indie.example", "user": "tg", "host_key_fingerprint": "SHA256:" + strings.Repeat("B", 43)}}}).
			ExpectStatus(t, http.StatusOK)
		_, ep, err := srv.DB.DSPEndpointBySlug(context.Background(), "indie-store")
		if err != nil || ep.SFTP.Password != "hunter2-super-secret" || ep.SFTP.Host != "sftp2.indie.example" {
			t.Errorf("endpoint after patch: %+v, %v", ep.SFTP, err)
		}
		list := srv.Get("/api/dsps", admin.Token)
		list.ExpectStatus(t, http.StatusOK)
		if bytes.Contains(list.Body, []byte("hunter2")) || !bytes.Contains(list.Body, []byte(`"indie-store"`)) {
			t.Errorf("GET /dsps: %.300s", list.Body)
		}
		// Deactivated stores leave the list.
		srv.Patch("/api/dsps/indie-store", admin.Token, map[string]any{"is_active": false}).ExpectStatus(t, http.StatusOK)
		if bytes.Contains(srv.Get("/api/dsps", admin.Token).Body, []byte(`"indie-store"`)) {
			t.Error("inactive store listed")
		}
	})
}
