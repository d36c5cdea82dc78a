package main

import (
	"context"
	"encoding/json"
	"fmt"

	"gatehouse/components"
	"gatehouse/internal/i18n"
	"gatehouse/internal/mail"
	"gatehouse/internal/store"
)

// renderEmail renders an outbox row in the language stored with it: the
// recipient's, never that of whoever caused the send.
func renderEmail(catalog *i18n.Catalog) mail.RenderFunc {
	return func(ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
		var data map[string]string
		if err := json.Unmarshal([]byte(row.Data), &data); err != nil {
			return mail.Message{}, fmt.Errorf("decode outbox data: %w", err)
		}
		ctx = i18n.With(ctx, catalog.Localizer(catalog.Match(row.Locale)))
		d, err := components.EmailFor(ctx, row.Kind, data)
		if err != nil {
			return mail.Message{}, err
		}
		html, text, err := components.RenderEmail(ctx, d)
		if err != nil {
			return mail.Message{}, err
		}
		return mail.Message{Subject: d.Subject, HTML: html, Text: text}, nil
	}
}
