package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strconv"

	"tonegrid"
	"tonegrid/blob"
)

// ddexDeliver is the permission of the delivery routes.
const ddexDeliver = tonegrid.PermDDEXDeliver

// DeliveryService is what the store configuration and DDEX delivery routes
// need.
type DeliveryService interface {
	tonegrid.DeliveryService
	tonegrid.DSPAdmin
}

// dpidPattern is the shape of a DDEX Party ID.
var dpidPattern = regexp.MustCompile(`^PADPIDA[A-Za-z0-9]{1,57}$`)

// dspBody is the body of POST and PATCH /dsps/:slug.
type dspBody struct {
	Name        field[string]       `json:"name"`
	DDEXPartyID field[string]       `json:"ddex_party_id"`
	ERNVersion  field[string]       `json:"ern_version"`
	IsActive    field[bool]         `json:"is_active"`
	Delivery    field[deliveryBody] `json:"delivery"`
}

// deliveryBody is a store's endpoint as clients send it.
type deliveryBody struct {
	Protocol string `json:"protocol"`
	SFTP     struct {
		Host               string `json:"host"`
		Port               int    `json:"port"`
		User               string `json:"user"`
		Password           string `json:"password"`
		PrivateKey         string `json:"private_key"`
		Passphrase         string `json:"passphrase"`
		RemoteDir          string `json:"remote_dir"`
		HostKeyFingerprint string `json:"host_key_fingerprint"`
	} `json:"sftp"`
	S3 struct {
		Bucket    string `json:"bucket"`
		Prefix    string `json:"prefix"`
		Endpoint  string `json:"endpoint"`
		Region    string `json:"region"`
		AccessKey string `json:"access_key"`
		SecretKey string `json:"secret_key"`
		PathStyle bool   `json:"path_style"`
	} `json:"s3"`
}

// endpoint checks the lengths of an endpoint body and converts it; the
// transport's own rules are checked by the service.
func (c *checker) endpoint(b deliveryBody) tonegrid.DSPDelivery {
	c.oneOf("delivery.protocol", b.Protocol, true, "dir", "sftp", "s3")
	d := tonegrid.DSPDelivery{Protocol: b.Protocol}
	switch b.Protocol {
	case "sftp":
		s := b.SFTP
		d.SFTP = tonegrid.DSPSFTP{
			Host: c.text("delivery.sftp.host", s.Host, false, 253), Port: s.Port, User: c.text("delivery.sftp.user", s.User, false, 200),
			Password: c.text("delivery.sftp.password", s.Password, false, 1000), PrivateKey: c.text("delivery.sftp.private_key", s.PrivateKey, false, 20000),
			Passphrase: c.text("delivery.sftp.passphrase", s.Passphrase, false, 1000), RemoteDir: c.text("delivery.sftp.remote_dir", s.RemoteDir, false, 1000),
			HostKeyFingerprint: c.text("delivery.sftp.host_key_fingerprint", s.HostKeyFingerprint, false, 100),
		}
		if s.Port < 0 || s.Port > 65535 {
			c.add("delivery.sftp.port", "out_of_range", "min", 1, "max", 65535)
		}
	case "s3":
		s := b.S3
		d.S3 = tonegrid.DSPS3{
			Bucket: c.text("delivery.s3.bucket", s.Bucket, false, 63), Prefix: c.text("delivery.s3.prefix", s.Prefix, false, 500),
			Endpoint: c.text("delivery.s3.endpoint", s.Endpoint, false, 500), Region: c.text("delivery.s3.region", s.Region, false, 100),
			AccessKey: c.text("delivery.s3.access_key", s.AccessKey, false, 500), SecretKey: c.text("delivery.s3.secret_key", s.SecretKey, false, 1000),
			PathStyle: s.PathStyle,
		}
	}
	return d
}

func (c *checker) dpid(field, s string) string {
	s = c.text(field, s, true, 64)
	if s != "" && !dpidPattern.MatchString(s) {
		c.add(field, "invalid_value")
	}
	return s
}

func (s *Server) handleDSPCreate(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("dsp_slug")
	var in dspBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	if !dspSlug.MatchString(slug) {
		c.add("slug", "invalid_slug")
	}
	d := tonegrid.DSPInput{
		Name: c.name("name", in.Name.value, true, 200), DDEXPartyID: c.dpid("ddex_party_id", in.DDEXPartyID.value),
		ERNVersion: "4.3", IsActive: true, Delivery: tonegrid.DSPDelivery{Protocol: "dir"},
	}
	if in.ERNVersion.given() {
		c.oneOf("ern_version", in.ERNVersion.value, true, "4.3")
		d.ERNVersion = in.ERNVersion.value
	}
	if in.IsActive.given() {
		d.IsActive = in.IsActive.value
	}
	if in.Delivery.given() {
		d.Delivery = c.endpoint(in.Delivery.value)
	}
	if err := c.err(); err != nil {
		return err
	}
	dsp, err := s.deps.Delivery.CreateDSP(r.Context(), principalOf(r), slug, d)
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, viewDSP(dsp))
	return nil
}

func (s *Server) handleDSPUpdate(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugOf(r)
	if err != nil {
		return err
	}
	var in dspBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	var upd tonegrid.DSPUpdate
	if in.Name.set {
		upd.Name = ptr(c.name("name", in.Name.value, true, 200))
	}
	if in.DDEXPartyID.set {
		upd.DDEXPartyID = ptr(c.dpid("ddex_party_id", in.DDEXPartyID.value))
	}
	if in.ERNVersion.set {
		c.oneOf("ern_version", in.ERNVersion.value, true, "4.3")
		upd.ERNVersion = ptr(in.ERNVersion.value)
	}
	if in.IsActive.given() {
		upd.IsActive = ptr(in.IsActive.value)
	}
	if in.Delivery.set {
		if in.Delivery.null {
			c.add("delivery", "required")
		} else {
			upd.Delivery = ptr(c.endpoint(in.Delivery.value))
		}
	}
	if err := c.err(); err != nil {
		return err
	}
	dsp, err := s.deps.Delivery.UpdateDSP(r.Context(), principalOf(r), slug, upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, viewDSP(dsp))
	return nil
}

// writeXML writes a DDEX message.
func writeXML(w http.ResponseWriter, body io.Reader, size int64, filename string) {
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	if filename != "" {
		h.Set("Content-Disposition", blob.ContentDisposition(filename))
	}
	w.WriteHeader(http.StatusOK)
	io.Copy(w, body)
}

func (s *Server) handleDDEXPreview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	slug, err := slugOf(r)
	if err != nil {
		return err
	}
	xml, err := s.deps.Delivery.PreviewDelivery(r.Context(), principalOf(r), id, slug)
	if err != nil {
		return err
	}
	writeXML(w, bytes.NewReader(xml), int64(len(xml)), "")
	return nil
}

// storesBody is the optional body naming the stores of a delivery.
type storesBody struct {
	DSPs   []string `json:"dsps"`
	Reason string   `json:"reason"`
}

// stores checks the store slugs of a body.
func (c *checker) stores(slugs []string) {
	if len(slugs) > 100 {
		c.add("dsps", "too_many", "max", 100)
		return
	}
	for i, slug := range slugs {
		if !dspSlug.MatchString(slug) {
			c.add("dsps."+strconv.Itoa(i), "invalid_slug")
		}
	}
}

// deliver queues deliveries of kind and answers 202 with them.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request, req tonegrid.DeliveryRequest) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	list, err := s.deps.Delivery.Deliver(r.Context(), principalOf(r), id, req)
	if err != nil {
		return err
	}
	writeDataMessage(w, http.StatusAccepted, list, strconv.Itoa(len(list))+" deliveries queued.")
	return nil
}

// handleDeliveries serves deliver, redeliver and purge, whose optional body
// names the stores (every attached store when absent).
func (s *Server) handleDeliveries(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in storesBody
		if err := decodeOptionalJSON(r, &in); err != nil {
			return err
		}
		var c checker
		c.stores(in.DSPs)
		if err := c.err(); err != nil {
			return err
		}
		return s.deliver(w, r, tonegrid.DeliveryRequest{Kind: kind, DSPs: in.DSPs})
	}
}

func (s *Server) handleDeliverOne(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugOf(r)
	if err != nil {
		return err
	}
	return s.deliver(w, r, tonegrid.DeliveryRequest{Kind: tonegrid.DeliveryNew, DSPs: []string{slug}, Single: true})
}

func (s *Server) handleTakedown(w http.ResponseWriter, r *http.Request) error {
	var in storesBody
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var c checker
	reason := c.text("reason", in.Reason, true, 500)
	c.stores(in.DSPs)
	if err := c.err(); err != nil {
		return err
	}
	return s.deliver(w, r, tonegrid.DeliveryRequest{Kind: tonegrid.DeliveryTakedown, DSPs: in.DSPs, Reason: reason})
}

func (s *Server) handleDeliveryList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	list, total, err := s.deps.Delivery.ListDeliveries(r.Context(), principalOf(r), id, page)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*tonegrid.Delivery{}
	}
	writeList(w, list, listMeta{Page: page.Page, PerPage: page.PerPage, Total: total})
	return nil
}

func (s *Server) handleDeliveryMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrReleaseNotFound)
	if err != nil {
		return err
	}
	did, err := pathUUID(r, "delivery_uuid", tonegrid.ErrDeliveryNotFound)
	if err != nil {
		return err
	}
	rc, size, err := s.deps.Delivery.DeliveryMessage(r.Context(), principalOf(r), id, did)
	if err != nil {
		return err
	}
	defer rc.Close()
	writeXML(w, rc, size, "delivery-"+did+".xml")
	return nil
}
