package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"tonegrid"
	"tonegrid/secret"
	"tonegrid/sqlstore"
	"tonegrid/sqlstore/sqltest"
)

// countingJobs counts the jobs the store inserts (the queue itself has its
// own tests).
type countingJobs struct{ n *int }

func (c countingJobs) InsertTx(context.Context, *sql.Tx, sqlstore.JobArgs) error {
	*c.n++
	return nil
}

// deliveryDB is db with a sealer and a job counter.
func deliveryDB(t *testing.T, db *sqlstore.DB) *int {
	t.Helper()
	s, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	db.SetSealer(s)
	n := 0
	db.SetJobInserter(countingJobs{&n})
	return &n
}

// TestDeliveryLifecycle walks a release through queueing, attempts,
// acknowledgements and a takedown at the storage level, checking the
// release's status, the jobs and the events at each step.
func TestDeliveryLifecycle(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		jobs := deliveryDB(t, db)
		p := rootPrincipal(t, db)
		artist, err := db.CreateArtist(ctx, p, tonegrid.ArtistInput{Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.CreateRelease(ctx, p, tonegrid.ReleaseInput{Title: "R", Type: "single", Genre: "Pop", Language: "en", UPC: "036000291452",
			Artists: []tonegrid.ArtistCredit{{ArtistUUID: artist.UUID, Role: tonegrid.ArtistPrimary}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateTrack(ctx, p, r.UUID, tonegrid.TrackInput{Title: "T"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AttachDSPs(ctx, p, r.UUID, []string{"spotify", "deezer"}); err != nil {
			t.Fatal(err)
		}
		newReq := tonegrid.DeliveryRequest{Kind: tonegrid.DeliveryNew}
		if _, err := db.QueueDeliveries(ctx, p, r.UUID, newReq); !errors.Is(err, tonegrid.ErrReleaseNotDeliverable) {
			t.Fatalf("draft: %v", err)
		}
		if _, err := db.WriteDB().ExecContext(ctx, `UPDATE releases SET status = 'approved' WHERE uuid = $1`, r.UUID); err != nil {
			t.Fatal(err)
		}
		status := func(want string) {
			t.Helper()
			got, err := db.FindRelease(ctx, p, r.UUID)
			if err != nil || got.Status != want {
				t.Fatalf("release status %v (%v), want %s", got.Status, err, want)
			}
		}
		if _, err := db.QueueDeliveries(ctx, p, r.UUID, tonegrid.DeliveryRequest{Kind: tonegrid.DeliveryTakedown, Reason: "x"}); !errors.Is(err, tonegrid.ErrReleaseNotDelivered) {
			t.Fatalf("takedown before delivery: %v", err)
		}
		queued, err := db.QueueDeliveries(ctx, p, r.UUID, newReq)
		if err != nil || len(queued) != 2 || *jobs != 2 {
			t.Fatalf("queued %d deliveries, %d jobs: %v", len(queued), *jobs, err)
		}
		status(tonegrid.ReleaseDelivering)
		deezer, spotify := queued[0], queued[1]
		if deezer.DSP != "deezer" || spotify.DSP != "spotify" || deezer.Status != tonegrid.DeliveryQueued || deezer.MessageID == spotify.MessageID {
			t.Fatalf("queued %+v %+v", deezer, spotify)
		}

		// An update queued now waits for the first delivery to settle.
		upd, err := db.QueueDeliveries(ctx, p, r.UUID, tonegrid.DeliveryRequest{Kind: tonegrid.DeliveryUpdate, DSPs: []string{"spotify"}})
		if err != nil || len(upd) != 1 {
			t.Fatalf("update: %v", err)
		}
		if _, err := db.StartDeliveryAttempt(ctx, upd[0].ID); !errors.Is(err, tonegrid.ErrDeliveryWaiting) {
			t.Fatalf("update started before the new delivery settled: %v", err)
		}
		w, err := db.StartDeliveryAttempt(ctx, spotify.ID)
		if err != nil || w == nil || w.Delivery.Attempts != 1 || w.Release.UPC != "036000291452" || len(w.Release.Tracks) != 1 ||
			w.Store == nil || w.DSP.Slug != "spotify" || w.Endpoint.Protocol != "dir" {
			t.Fatalf("work %+v, %v", w, err)
		}
		if err := db.FinishDeliveryAttempt(ctx, spotify.ID, 1, tonegrid.AttemptResult{MessageKey: "ddex/x.xml", MessageSize: 10}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.StartDeliveryAttempt(ctx, upd[0].ID); err != nil {
			t.Fatalf("update after the new delivery settled: %v", err)
		}
		if err := db.FinishDeliveryAttempt(ctx, upd[0].ID, 1, tonegrid.AttemptResult{}); err != nil {
			t.Fatal(err)
		}
		status(tonegrid.ReleaseDelivering) // deezer is still queued
		for attempt := 1; attempt <= 2; attempt++ {
			w, err := db.StartDeliveryAttempt(ctx, deezer.ID)
			if err != nil || w.Delivery.Attempts != attempt {
				t.Fatalf("deezer attempt %d: %+v, %v", attempt, w, err)
			}
			if err := db.FinishDeliveryAttempt(ctx, deezer.ID, attempt, tonegrid.AttemptResult{Err: "connection reset", Final: attempt == 2}); err != nil {
				t.Fatal(err)
			}
		}
		if w, err := db.StartDeliveryAttempt(ctx, deezer.ID); w != nil || err != nil {
			t.Fatalf("a failed delivery started again: %+v, %v", w, err)
		}
		status(tonegrid.ReleaseDelivered)
		list, total, err := db.ListDeliveries(ctx, p, r.UUID, tonegrid.Page{Page: 1, PerPage: 20})
		if err != nil || total != 3 || list[0].Kind != tonegrid.DeliveryUpdate {
			t.Fatalf("list: %d, %v", total, err)
		}
		for _, d := range list {
			switch d.DSP {
			case "spotify":
				if d.Kind == tonegrid.DeliveryUpdate {
					continue
				}
				if d.Status != tonegrid.DeliveryDelivered || d.DeliveredAt == nil || d.MessageKey != "ddex/x.xml" {
					t.Errorf("spotify %+v", d)
				}
			case "deezer":
				if d.Status != tonegrid.DeliveryFailed || d.Attempts != 2 || d.LastError != "connection reset" {
					t.Errorf("deezer %+v", d)
				}
			}
		}

		// An acknowledgement applies once, by message id.
		spotifyID := spotify.DSPID
		if ids, err := db.DSPsAwaitingAcks(ctx); err != nil || len(ids) != 1 || ids[0] != spotifyID {
			t.Fatalf("awaiting acks: %v, %v", ids, err)
		}
		if err := db.ApplyAck(ctx, spotifyID, "ACK_1.xml", []tonegrid.AckResult{{MessageIDs: []string{upd[0].MessageID}, Live: true}}); err != nil {
			t.Fatal(err)
		}
		if err := db.ApplyAck(ctx, spotifyID, "ACK_1.xml", []tonegrid.AckResult{{MessageIDs: []string{upd[0].MessageID}, Reason: "late"}}); err != nil {
			t.Fatal(err)
		}
		if seen, err := db.AckSeen(ctx, spotifyID, "ACK_1.xml"); !seen || err != nil {
			t.Errorf("ack not seen: %v", err)
		}
		status(tonegrid.ReleaseLive)
		d, err := db.FindDelivery(ctx, p, r.UUID, upd[0].UUID)
		if err != nil || d.Status != tonegrid.DeliveryLive || d.AckedAt == nil || d.Reason != "" {
			t.Fatalf("after ack: %+v, %v", d, err)
		}

		// A takedown goes to the stores that got the release: deezer's
		// delivery failed, so only spotify.
		tds, err := db.QueueDeliveries(ctx, p, r.UUID, tonegrid.DeliveryRequest{Kind: tonegrid.DeliveryTakedown, Reason: "rights"})
		if err != nil || len(tds) != 1 || tds[0].DSP != "spotify" || tds[0].Reason != "rights" {
			t.Fatalf("takedowns: %+v, %v", tds, err)
		}
		status(tonegrid.ReleaseLive)
		for _, td := range tds {
			if _, err := db.StartDeliveryAttempt(ctx, td.ID); err != nil {
				t.Fatal(err)
			}
			if err := db.FinishDeliveryAttempt(ctx, td.ID, 1, tonegrid.AttemptResult{}); err != nil {
				t.Fatal(err)
			}
		}
		status(tonegrid.ReleaseTakenDown)

		events, err := db.EventsAfter(ctx, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, e := range events {
			counts[e.Type]++
		}
		want := map[string]int{
			"release.dsp.spotify.queued": 3, "release.dsp.deezer.queued": 1, "release.dsp.spotify.delivered": 2,
			"release.dsp.deezer.failed": 1, "release.dsp.spotify.live": 1, "release.dsp.spotify.taken_down": 1, "release.dsp.deezer.taken_down": 0,
		}
		for k, v := range want {
			if counts[k] != v {
				t.Errorf("%d %s events, want %d (all: %v)", counts[k], k, v, counts)
			}
		}

		// Another workspace sees none of it.
		other, err := db.FindDelivery(ctx, &tonegrid.Principal{Tenant: &tonegrid.Tenant{ID: p.Tenant.ID + 1000}}, r.UUID, spotify.UUID)
		if !errors.Is(err, tonegrid.ErrReleaseNotFound) {
			t.Errorf("other tenant: %+v, %v", other, err)
		}
	})
}

// TestDSPSettingsAreSealed creates and changes a store: its endpoint is
// sealed, read back whole, and credentials survive a change of host.
func TestDSPSettingsAreSealed(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		deliveryDB(t, db)
		p := rootPrincipal(t, db)
		ep := tonegrid.DSPDelivery{Protocol: "s3", S3: tonegrid.DSPS3{Bucket: "inbox", AccessKey: "AK", SecretKey: "very-secret"}}
		d, err := db.CreateDSP(ctx, p, "cloud-store", tonegrid.DSPInput{Name: "Cloud", DDEXPartyID: "PADPIDACLOUD", ERNVersion: "4.3", IsActive: true, Delivery: ep})
		if err != nil || d.DeliveryProtocol != "s3" {
			t.Fatalf("create: %+v, %v", d, err)
		}
		if _, err := db.CreateDSP(ctx, p, "cloud-store", tonegrid.DSPInput{Name: "Again", Delivery: ep}); !errors.Is(err, tonegrid.ErrDSPTaken) {
			t.Fatalf("create twice: %v", err)
		}
		var sealed string
		if err := db.WriteDB().QueryRowContext(ctx, `SELECT delivery_sealed FROM dsps WHERE slug = 'cloud-store'`).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if sealed == "" || strings.Contains(sealed, "very-secret") || strings.Contains(sealed, "inbox") {
			t.Errorf("not sealed: %q", sealed)
		}
		next := tonegrid.DSPDelivery{Protocol: "s3", S3: tonegrid.DSPS3{Bucket: "inbox2", AccessKey: "AK"}}
		if _, err := db.UpdateDSP(ctx, p, "cloud-store", tonegrid.DSPUpdate{Delivery: &next}); err != nil {
			t.Fatal(err)
		}
		_, got, err := db.DSPEndpointBySlug(ctx, "cloud-store")
		if err != nil || got.S3.Bucket != "inbox2" || got.S3.SecretKey != "very-secret" {
			t.Errorf("endpoint %+v, %v", got, err)
		}
		// Back to dir: nothing sealed remains.
		dir := tonegrid.DSPDelivery{Protocol: "dir"}
		if _, err := db.UpdateDSP(ctx, p, "cloud-store", tonegrid.DSPUpdate{Delivery: &dir}); err != nil {
			t.Fatal(err)
		}
		if _, got, err := db.DSPEndpointBySlug(ctx, "cloud-store"); err != nil || got != dir {
			t.Errorf("dir endpoint %+v, %v", got, err)
		}
		if _, err := db.UpdateDSP(ctx, p, "no-such-store", tonegrid.DSPUpdate{}); !errors.Is(err, tonegrid.ErrDSPNotFound) {
			t.Errorf("unknown store: %v", err)
		}
	})
}
