// Package delivery delivers releases to stores (DSPs): it implements
// tonegrid.DeliveryService (preview, queueing, listing and downloading
// messages), the background job that builds a delivery's DDEX message and
// uploads its batch through the store's transport, and the periodic job
// that reads the stores' acknowledgements.
//
// It joins the leaf packages ddex (messages), delivery/transport (dir, SFTP,
// S3) and blob (media and sent messages) to the storage through the Store
// interface; it never imports sqlstore or httpapi.
package delivery

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"tonegrid"
	"tonegrid/blob"
	"tonegrid/ddex"
	"tonegrid/delivery/transport"
)

// Store is the storage the delivery engine works on (sqlstore.DB).
type Store interface {
	DeliveryContent(ctx context.Context, p *tonegrid.Principal, releaseUUID string, req tonegrid.DeliveryRequest) (*tonegrid.DeliveryContent, error)
	PreviewContent(ctx context.Context, p *tonegrid.Principal, releaseUUID, slug string) (*tonegrid.DeliveryContent, error)
	QueueDeliveries(ctx context.Context, p *tonegrid.Principal, releaseUUID string, req tonegrid.DeliveryRequest) ([]*tonegrid.Delivery, error)
	ListDeliveries(ctx context.Context, p *tonegrid.Principal, releaseUUID string, page tonegrid.Page) ([]*tonegrid.Delivery, int, error)
	FindDelivery(ctx context.Context, p *tonegrid.Principal, releaseUUID, deliveryUUID string) (*tonegrid.Delivery, error)
	MediaByUUID(ctx context.Context, tenantID int64, uuid string) (*tonegrid.Media, error)

	StartDeliveryAttempt(ctx context.Context, deliveryID int64) (*tonegrid.DeliveryWork, error)
	FinishDeliveryAttempt(ctx context.Context, deliveryID int64, attempt int, res tonegrid.AttemptResult) error

	DSPsAwaitingAcks(ctx context.Context) ([]int64, error)
	DSPEndpoint(ctx context.Context, dspID int64) (*tonegrid.DSP, tonegrid.DSPDelivery, error)
	AckSeen(ctx context.Context, dspID int64, name string) (bool, error)
	ApplyAck(ctx context.Context, dspID int64, name string, results []tonegrid.AckResult) error

	tonegrid.DSPAdmin
	DSPEndpointBySlug(ctx context.Context, slug string) (*tonegrid.DSP, tonegrid.DSPDelivery, error)
}

// DefaultSenderDPID is the platform's DDEX Party ID when none is configured.
const DefaultSenderDPID = "PADPIDATONEGRID"

// Config tunes the delivery engine.
type Config struct {
	// Sender is the platform as the messages' sender; DefaultSenderDPID
	// and "ToneGrid" when empty.
	Sender ddex.Party
	// DataDir holds the deliveries of protocol dir, under
	// deliveries/<slug>/.
	DataDir string
	// MaxAttempts bounds the attempts of one delivery; 8 when zero.
	MaxAttempts int
	// RetryBase is the wait before the second attempt, doubled for each
	// further one (capped at an hour); 30 s when zero.
	RetryBase time.Duration
	// DialTimeout and IOTimeout bound the transports; their defaults when
	// zero.
	DialTimeout time.Duration
	IOTimeout   time.Duration
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// Service delivers releases; it implements tonegrid.DeliveryService.
type Service struct {
	store Store
	blobs blob.Store
	cfg   Config
	log   *slog.Logger
}

var (
	_ tonegrid.DeliveryService = (*Service)(nil)
	_ tonegrid.DSPAdmin        = (*Service)(nil)
)

// New returns the delivery service over store and blobs.
func New(store Store, blobs blob.Store, cfg Config, log *slog.Logger) *Service {
	if cfg.Sender.DPID == "" {
		cfg.Sender = ddex.Party{DPID: DefaultSenderDPID, Name: "ToneGrid"}
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: store, blobs: blobs, cfg: cfg, log: log}
}

// dealKinds are the ways each known store exploits releases; other stores
// stream and sell downloads.
var dealKinds = map[string][]ddex.DealKind{
	"spotify":       {ddex.DealStreaming},
	"deezer":        {ddex.DealStreaming},
	"pandora":       {ddex.DealStreaming},
	"anghami":       {ddex.DealStreaming},
	"boomplay":      {ddex.DealStreaming},
	"audiomack":     {ddex.DealStreaming},
	"youtube-music": {ddex.DealStreaming, ddex.DealUGC},
	"soundcloud":    {ddex.DealStreaming, ddex.DealUGC},
	"tiktok":        {ddex.DealUGC},
	"meta":          {ddex.DealUGC},
}

// kindsOf returns the deal kinds of a store.
func kindsOf(slug string) []ddex.DealKind {
	if k, ok := dealKinds[slug]; ok {
		return k
	}
	return []ddex.DealKind{ddex.DealStreaming, ddex.DealDownload}
}

// messageInput is one message to build.
type messageInput struct {
	kind      string
	messageID string
	createdAt time.Time
	dsp       *tonegrid.DSP
	release   *tonegrid.Release
	rights    *tonegrid.Rights
	// store is the release's attachment to the store; nil when detached.
	store *tonegrid.ReleaseDSP
}

// built is a message ready to upload.
type built struct {
	xml   []byte
	icpn  string
	files []ddex.ResourceFile
	entry ddex.BatchEntry
}

// build writes the message of in; input that cannot make a valid message
// is tonegrid.ErrReleaseInvalid, wrapped with the details.
func (s *Service) build(in messageInput) (*built, error) {
	recipient := ddex.Party{DPID: in.dsp.DDEXPartyID, Name: in.dsp.Name}
	threadID := "TG-" + strings.ReplaceAll(in.release.UUID, "-", "")
	if in.kind == tonegrid.DeliveryPurge {
		xml, err := ddex.PurgeReleaseMessage(ddex.Purge{
			MessageID: in.messageID, ThreadID: threadID, CreatedAt: in.createdAt, Control: ddex.LiveMessage,
			Sender: s.cfg.Sender, Recipient: recipient, Release: in.release,
		})
		if err != nil {
			return nil, invalid(err)
		}
		sum := md5.Sum(xml)
		return &built{xml: xml, icpn: in.release.UPC, entry: ddex.BatchEntry{
			MessageID: in.messageID, ICPN: in.release.UPC, DeliveryType: ddex.TakeDown, MD5: hex.EncodeToString(sum[:]),
		}}, nil
	}
	nr := ddex.NewRelease{
		MessageID: in.messageID, ThreadID: threadID, CreatedAt: in.createdAt, Control: ddex.LiveMessage,
		Sender: s.cfg.Sender, Recipient: recipient, Release: in.release,
	}
	if in.store != nil {
		nr.ReleaseDate = in.store.ReleaseDate
	}
	deals, dealErr := ddex.NewDeals(ddex.DealOptions{Kinds: kindsOf(in.dsp.Slug), Release: in.release, Store: in.store, Rights: in.rights})
	nr.Deals = deals
	var msg *ddex.Message
	var err error
	dtype := ddex.NewReleaseDelivery
	switch in.kind {
	case tonegrid.DeliveryTakedown:
		dtype = ddex.TakeDown
		style := ddex.TakedownEndNow
		if dealErr != nil || len(deals) == 0 {
			style = ddex.TakedownWithoutDeals
		}
		msg, err = ddex.TakedownMessage(nr, style)
	default:
		if in.kind == tonegrid.DeliveryUpdate {
			dtype = ddex.ReDelivery
		}
		if dealErr != nil {
			return nil, invalid(dealErr)
		}
		msg, err = ddex.NewReleaseMessage(nr)
	}
	if err != nil {
		return nil, invalid(err)
	}
	b := &built{xml: msg.XML, icpn: msg.ICPN, entry: msg.Entry(dtype)}
	if in.kind == tonegrid.DeliveryNew || in.kind == tonegrid.DeliveryUpdate {
		b.files = msg.Files
	}
	return b, nil
}

// invalidError is a message that cannot be built: the catalogue's
// ErrReleaseInvalid for the client, the details for logs and last_error.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }

// Unwrap gives errors.As the catalogue error (and errors.Is both).
func (e *invalidError) Unwrap() []error { return []error{tonegrid.ErrReleaseInvalid, e.err} }

func invalid(err error) error {
	if errors.Is(err, ddex.ErrInvalid) {
		return &invalidError{err: err}
	}
	return err
}

// PreviewDelivery returns the NewReleaseMessage a delivery of the release
// to the store would send now.
func (s *Service) PreviewDelivery(ctx context.Context, p *tonegrid.Principal, releaseUUID, slug string) ([]byte, error) {
	c, err := s.store.PreviewContent(ctx, p, releaseUUID, slug)
	if err != nil {
		return nil, err
	}
	t := c.Targets[0]
	b, err := s.build(messageInput{
		kind: tonegrid.DeliveryNew, messageID: "TG-PREVIEW", createdAt: s.cfg.Now().UTC().Truncate(time.Second),
		dsp: t.DSP, release: c.Release, rights: c.Rights, store: t,
	})
	if err != nil {
		return nil, err
	}
	return b.xml, nil
}

// Deliver checks the request, makes sure every message can be built, and
// queues the deliveries.
func (s *Service) Deliver(ctx context.Context, p *tonegrid.Principal, releaseUUID string, req tonegrid.DeliveryRequest) ([]*tonegrid.Delivery, error) {
	c, err := s.store.DeliveryContent(ctx, p, releaseUUID, req)
	if err != nil {
		return nil, err
	}
	for _, t := range c.Targets {
		if _, err := s.build(messageInput{
			kind: req.Kind, messageID: "TG-CHECK", createdAt: s.cfg.Now().UTC(),
			dsp: t.DSP, release: c.Release, rights: c.Rights, store: t,
		}); err != nil {
			return nil, err
		}
	}
	return s.store.QueueDeliveries(ctx, p, releaseUUID, req)
}

// ListDeliveries lists the deliveries of a release, newest first.
func (s *Service) ListDeliveries(ctx context.Context, p *tonegrid.Principal, releaseUUID string, page tonegrid.Page) ([]*tonegrid.Delivery, int, error) {
	return s.store.ListDeliveries(ctx, p, releaseUUID, page)
}

// DeliveryMessage opens the message a delivery sent.
func (s *Service) DeliveryMessage(ctx context.Context, p *tonegrid.Principal, releaseUUID, deliveryUUID string) (io.ReadCloser, int64, error) {
	d, err := s.store.FindDelivery(ctx, p, releaseUUID, deliveryUUID)
	if err != nil {
		return nil, 0, err
	}
	if d.MessageKey == "" {
		return nil, 0, tonegrid.ErrDeliveryNotFound
	}
	rc, info, err := s.blobs.Open(ctx, d.MessageKey)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, 0, tonegrid.ErrDeliveryNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open delivery message: %w", err)
	}
	return rc, info.Size, nil
}

// messageKey is where a delivery's message is kept.
func messageKey(tenantUUID, deliveryUUID string) string {
	return "ddex/" + tenantUUID + "/" + deliveryUUID + ".xml"
}

// transportConfig turns a store's endpoint into a transport configuration.
func (s *Service) transportConfig(dsp *tonegrid.DSP, ep tonegrid.DSPDelivery) transport.Config {
	c := transport.Config{Protocol: ep.Protocol, DialTimeout: s.cfg.DialTimeout, IOTimeout: s.cfg.IOTimeout}
	switch ep.Protocol {
	case transport.ProtocolSFTP:
		c.SFTP = transport.SFTPConfig{
			Host: ep.SFTP.Host, Port: ep.SFTP.Port, User: ep.SFTP.User,
			Password: transport.Secret(ep.SFTP.Password), PrivateKey: transport.Secret(ep.SFTP.PrivateKey),
			Passphrase: transport.Secret(ep.SFTP.Passphrase), RemoteDir: ep.SFTP.RemoteDir,
			HostKeyFingerprint: ep.SFTP.HostKeyFingerprint,
		}
	case transport.ProtocolS3:
		c.S3 = transport.S3Config{
			Bucket: ep.S3.Bucket, Prefix: ep.S3.Prefix, Endpoint: ep.S3.Endpoint, Region: ep.S3.Region,
			AccessKey: ep.S3.AccessKey, SecretKey: transport.Secret(ep.S3.SecretKey), PathStyle: ep.S3.PathStyle,
		}
	default:
		c.Protocol = transport.ProtocolDir
		c.Dir = filepath.Join(s.cfg.DataDir, "deliveries", dsp.Slug)
	}
	return c
}

// checkEndpoint checks a store's endpoint as the transport would: a wrong
// field is a 422 on delivery.<field> ("delivery.sftp.host").
func (s *Service) checkEndpoint(ep tonegrid.DSPDelivery) error {
	var v tonegrid.Violations
	switch ep.Protocol {
	case transport.ProtocolDir:
		return nil
	case transport.ProtocolSFTP, transport.ProtocolS3:
	default:
		v.Add("delivery.protocol", "not_in_list", "allowed", "dir, sftp, s3")
		return v.Err()
	}
	err := s.transportConfig(&tonegrid.DSP{Slug: "check"}, ep).Validate()
	var ce *transport.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	for f, code := range ce.Fields {
		switch code {
		case "required":
			v.Add("delivery."+f, "required")
		case "out_of_range":
			v.Add("delivery."+f, "out_of_range", "min", 1, "max", 65535)
		default:
			v.Add("delivery."+f, "invalid_value")
		}
	}
	return v.Err()
}

// CreateDSP checks the store's endpoint and adds the store.
func (s *Service) CreateDSP(ctx context.Context, p *tonegrid.Principal, slug string, in tonegrid.DSPInput) (*tonegrid.DSP, error) {
	if err := s.checkEndpoint(in.Delivery); err != nil {
		return nil, err
	}
	return s.store.CreateDSP(ctx, p, slug, in)
}

// UpdateDSP checks the store's new endpoint, with the credentials it
// leaves empty taken from the current one, and changes the store.
func (s *Service) UpdateDSP(ctx context.Context, p *tonegrid.Principal, slug string, upd tonegrid.DSPUpdate) (*tonegrid.DSP, error) {
	if upd.Delivery != nil {
		_, old, err := s.store.DSPEndpointBySlug(ctx, slug)
		if err != nil {
			return nil, err
		}
		next := *upd.Delivery
		next.KeepSecrets(old)
		if err := s.checkEndpoint(next); err != nil {
			return nil, err
		}
	}
	return s.store.UpdateDSP(ctx, p, slug, upd)
}

// bytesFile is in-memory content as a transport file.
func bytesFile(b []byte) transport.File {
	return transport.File{Size: int64(len(b)), Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}}
}
