package handlers_test

import (
	"context"

	"gatehouse/components"
	"gatehouse/internal/i18n"
	"gatehouse/internal/mail"
	"gatehouse/internal/store"
)

func renderForTest(catalog *i18n.Catalog, ctx context.Context, row store.OutboxMessage) (mail.Message, error) {
	subject, html, text, err := components.RenderOutbox(ctx, catalog, row.Kind, row.Locale, row.Data)
	return mail.Message{Subject: subject, HTML: html, Text: text}, err
}
