package delivery

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"tonegrid"
	"tonegrid/blob"
)

// mediaStore serves media rows from memory; the attempt needs nothing else
// of the storage.
type mediaStore struct {
	Store
	media map[string]*tonegrid.Media
}

func (m *mediaStore) MediaByUUID(_ context.Context, _ int64, uuid string) (*tonegrid.Media, error) {
	if x, ok := m.media[uuid]; ok {
		return x, nil
	}
	return nil, tonegrid.ErrMediaNotFound
}

// albumWork is a delivery of a 20-track album whose audio files are
// audioSize bytes each, stored in blobs.
func albumWork(b *testing.B, blobs blob.Store, audioSize int) (*tonegrid.DeliveryWork, *mediaStore) {
	b.Helper()
	ms := &mediaStore{media: map[string]*tonegrid.Media{}}
	put := func(id string, size int) (int64, string) {
		content := make([]byte, size)
		rand.Read(content)
		key := "media/bench/" + id
		if _, err := blobs.Put(context.Background(), key, bytes.NewReader(content), int64(size), ""); err != nil {
			b.Fatal(err)
		}
		sum := md5.Sum(content)
		ms.media[id] = &tonegrid.Media{UUID: id, BlobKey: key, Size: int64(size), MD5: hex.EncodeToString(sum[:])}
		return int64(size), hex.EncodeToString(sum[:])
	}
	date := tonegrid.Date{Year: 2026, Month: 12, Day: 24}
	rel := &tonegrid.Release{
		UUID: "01930000-0000-7000-8000-000000000001", Title: "Twenty", LocalizedTitles: map[string]string{"fr": "Vingt"},
		Type: tonegrid.ReleaseTypeAlbum, LabelName: "Night Owl Records", UPC: "0123456789012", ReleaseDate: &date,
		Genre: "Jazz", Language: "en", PLine: &tonegrid.Line{Year: 2026, Holder: "Night Owl"}, CLine: &tonegrid.Line{Year: 2026, Holder: "Night Owl"},
		ParentalAdvisory: tonegrid.AdvisoryNone, Territories: []string{"WW"},
		Artists: []tonegrid.ArtistCredit{{ArtistUUID: "a1", Name: "Nova Lane", Role: tonegrid.ArtistPrimary}},
	}
	size, sum := put("art", 256<<10)
	rel.Artwork = &tonegrid.Artwork{MediaUUID: "art", Format: "jpeg", Width: 3000, Height: 3000, ColorModel: "RGB", Size: size, MD5: sum}
	for i := 1; i <= 20; i++ {
		id := fmt.Sprintf("track-%02d", i)
		size, sum := put(id, audioSize)
		rel.Tracks = append(rel.Tracks, &tonegrid.Track{
			UUID: id, Title: fmt.Sprintf("Song %d", i), ISRC: fmt.Sprintf("USTGT26%05d", i), Position: i, DiscNumber: 1, Language: "en",
			Artists: []tonegrid.ArtistCredit{{ArtistUUID: "a1", Name: "Nova Lane", Role: tonegrid.ArtistPrimary},
				{ArtistUUID: "a2", Name: "Guest", Role: tonegrid.ArtistFeatured}},
			Audio: &tonegrid.Audio{MediaUUID: id, Format: "wav", SampleRate: 44100, BitDepth: 24, Channels: 2, DurationMS: 215000,
				Size: size, MD5: sum},
		})
	}
	w := &tonegrid.DeliveryWork{
		Delivery: &tonegrid.Delivery{UUID: "d1", Kind: tonegrid.DeliveryNew, MessageID: "TG-BENCH",
			CreatedAt: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)},
		TenantUUID: "t1",
		DSP:        &tonegrid.DSP{Slug: "spotify", Name: "Spotify", DDEXPartyID: "PADPIDASPOTIFY", DeliveryProtocol: "dir"},
		Endpoint:   tonegrid.DSPDelivery{Protocol: "dir"},
		Release:    rel,
	}
	return w, ms
}

// BenchmarkDeliveryAttemptDir runs whole delivery attempts of a 20-track
// album (1 MiB of audio per track) to a local directory: build the ERN,
// keep it, read the media from blob storage and lay out a fresh batch with
// BatchComplete last.
func BenchmarkDeliveryAttemptDir(b *testing.B) {
	blobs, err := blob.Open("file://" + b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer blobs.Close()
	w, ms := albumWork(b, blobs, 1<<20)
	s := New(ms, blobs, Config{DataDir: b.TempDir()}, nil)
	b.ReportAllocs()
	b.SetBytes(21 << 20)
	n := 0
	for b.Loop() {
		n++
		w.Delivery.BatchID = fmt.Sprintf("2026112412%07d", n)
		if _, err := s.attempt(context.Background(), w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildAlbumMessage builds the delivery message of the same album
// as the worker does (deals included).
func BenchmarkBuildAlbumMessage(b *testing.B) {
	blobs, err := blob.Open("file://" + b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer blobs.Close()
	w, ms := albumWork(b, blobs, 16)
	s := New(ms, blobs, Config{}, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.build(messageInput{kind: tonegrid.DeliveryNew, messageID: "TG-BENCH", createdAt: w.Delivery.CreatedAt,
			dsp: w.DSP, release: w.Release}); err != nil {
			b.Fatal(err)
		}
	}
}
