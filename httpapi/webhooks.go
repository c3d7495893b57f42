package httpapi

import (
	"net/http"
	"strconv"

	"tonegrid"
	"tonegrid/webhook"
)

// webhookBody is the JSON of a subscription, for create and update.
type webhookBody struct {
	Name        field[string]   `json:"name"`
	Description field[string]   `json:"description"`
	URL         field[string]   `json:"url"`
	Events      field[[]string] `json:"events"`
	IsActive    field[bool]     `json:"is_active"`
}

// maxWebhookEvents bounds the event patterns of a subscription.
const maxWebhookEvents = 50

// check validates the body; for a create, url and events are required.
func (b *webhookBody) check(create bool) (tonegrid.WebhookUpdate, error) {
	var c checker
	var upd tonegrid.WebhookUpdate
	if b.Name.set {
		upd.Name = ptr(c.name("name", b.Name.value, false, 100))
	}
	if b.Description.set {
		upd.Description = ptr(c.name("description", b.Description.value, false, 500))
	}
	if create || b.URL.set {
		upd.URL = ptr(c.text("url", b.URL.value, true, webhook.MaxURLLength))
	}
	if create || b.Events.set {
		events := b.Events.value
		switch {
		case len(events) == 0:
			c.add("events", "required")
		case len(events) > maxWebhookEvents:
			c.add("events", "too_many", "max", maxWebhookEvents)
		default:
			seen := map[string]bool{}
			for i, e := range events {
				f := "events." + strconv.Itoa(i)
				if !webhook.ValidPattern(e) {
					c.add(f, "invalid_event")
				} else if seen[e] {
					c.add(f, "duplicate")
				}
				seen[e] = true
			}
		}
		upd.Events = &events
	}
	if b.IsActive.set {
		if create {
			c.add("is_active", "not_allowed")
		}
		upd.IsActive = ptr(b.IsActive.value)
	}
	return upd, c.err()
}

func (s *Server) handleWebhookList(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	list, total, err := s.deps.Ingest.ListWebhooks(r.Context(), principalOf(r), page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(list), metaOf(page, total))
	return nil
}

func (s *Server) handleWebhookCreate(w http.ResponseWriter, r *http.Request) error {
	var b webhookBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	upd, err := b.check(true)
	if err != nil {
		return err
	}
	wh, err := s.deps.Ingest.CreateWebhook(r.Context(), principalOf(r), tonegrid.WebhookInput{
		Name: deref(upd.Name), Description: deref(upd.Description), URL: deref(upd.URL), Events: deref(upd.Events),
	})
	if err != nil {
		return err
	}
	writeData(w, http.StatusCreated, wh)
	return nil
}

func (s *Server) handleWebhookGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWebhookNotFound)
	if err != nil {
		return err
	}
	wh, err := s.deps.Ingest.FindWebhook(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, wh)
	return nil
}

func (s *Server) handleWebhookUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWebhookNotFound)
	if err != nil {
		return err
	}
	var b webhookBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	upd, err := b.check(false)
	if err != nil {
		return err
	}
	wh, err := s.deps.Ingest.UpdateWebhook(r.Context(), principalOf(r), id, upd)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, wh)
	return nil
}

func (s *Server) handleWebhookDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWebhookNotFound)
	if err != nil {
		return err
	}
	if err := s.deps.Ingest.DeleteWebhook(r.Context(), principalOf(r), id); err != nil {
		return err
	}
	writeDataMessage(w, http.StatusOK, nil, "Webhook deleted.")
	return nil
}

func (s *Server) handleWebhookRotate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWebhookNotFound)
	if err != nil {
		return err
	}
	wh, err := s.deps.Ingest.RotateWebhookSecret(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusOK, wh)
	return nil
}

func (s *Server) handleWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWebhookNotFound)
	if err != nil {
		return err
	}
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	list, total, err := s.deps.Ingest.ListWebhookDeliveries(r.Context(), principalOf(r), id, page)
	if err != nil {
		return err
	}
	writeList(w, nonNil(list), metaOf(page, total))
	return nil
}

func (s *Server) handleWebhookRedeliver(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWebhookNotFound)
	if err != nil {
		return err
	}
	delivery, err := pathUUID(r, "delivery_uuid", tonegrid.ErrWebhookDeliveryNotFound)
	if err != nil {
		return err
	}
	d, err := s.deps.Ingest.RedeliverWebhook(r.Context(), principalOf(r), id, delivery)
	if err != nil {
		return err
	}
	writeData(w, http.StatusAccepted, d)
	return nil
}

func (s *Server) handleWebhookTest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r, "uuid", tonegrid.ErrWebhookNotFound)
	if err != nil {
		return err
	}
	d, err := s.deps.Ingest.TestWebhook(r.Context(), principalOf(r), id)
	if err != nil {
		return err
	}
	writeData(w, http.StatusAccepted, d)
	return nil
}
