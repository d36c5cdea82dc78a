package components

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"

	"gatehouse/internal/i18n"
)

// Email kinds; the account package writes these to the outbox.
const (
	KindActivation        = "activation"
	KindAlreadyRegistered = "already_registered"
	KindReset             = "reset"
	KindPasswordChanged   = "password_changed"
)

// EmailFor chooses the copy of an email kind in ctx's language from the
// outbox data.
func EmailFor(ctx context.Context, kind string, data map[string]string) (EmailData, error) {
	name := map[string]any{"Name": data["FirstName"]}
	d := EmailData{Greeting: t(ctx, "email.greeting", name), LinkLabel: t(ctx, "email.link_label")}
	switch kind {
	case KindActivation:
		d.Subject = t(ctx, "email.activation.subject")
		d.Paras = []string{t(ctx, "email.activation.body")}
		withLinkAndCode(ctx, &d, data, t(ctx, "email.activation.button"))
		d.After = []string{t(ctx, "email.link_expires", map[string]any{"When": when(ctx, data["ExpiresAt"])}), t(ctx, "email.activation.not_you")}
	case KindAlreadyRegistered:
		d.Subject = t(ctx, "email.already_registered.subject")
		d.Paras = []string{t(ctx, "email.already_registered.body")}
		d.Button, d.Link = t(ctx, "email.already_registered.button"), data["LoginURL"]
		d.After = []string{t(ctx, "email.already_registered.forgot", map[string]any{"URL": data["ResetURL"]}), t(ctx, "email.already_registered.not_you")}
	case KindReset:
		d.Subject = t(ctx, "email.reset.subject")
		d.Paras = []string{t(ctx, "email.reset.body")}
		withLinkAndCode(ctx, &d, data, t(ctx, "email.reset.button"))
		d.After = []string{t(ctx, "email.link_expires", map[string]any{"When": when(ctx, data["ExpiresAt"])}), t(ctx, "email.reset.not_you")}
	case KindPasswordChanged:
		if data["Initial"] == "true" {
			d.Subject = t(ctx, "email.password_set.subject")
			d.Paras = []string{t(ctx, "email.password_set.body", map[string]any{"When": when(ctx, data["ChangedAt"])})}
		} else {
			d.Subject = t(ctx, "email.password_changed.subject")
			d.Paras = []string{t(ctx, "email.password_changed.body", map[string]any{"When": when(ctx, data["ChangedAt"])})}
		}
		d.After = []string{t(ctx, "email.password_changed.not_you", map[string]any{"URL": data["ResetURL"]})}
	default:
		return EmailData{}, fmt.Errorf("components: unknown email kind %q", kind)
	}
	return d, nil
}

// withLinkAndCode adds the button (when there is a link) and the code
// (when there is one) of a verification email.
func withLinkAndCode(ctx context.Context, d *EmailData, data map[string]string, button string) {
	if data["Link"] != "" {
		d.Button, d.Link = button, data["Link"]
	}
	if data["Code"] != "" {
		d.Code = data["Code"]
		if d.Link != "" {
			d.CodeLabel = t(ctx, "email.code_or")
		} else {
			d.CodeLabel = t(ctx, "email.code_only")
		}
	}
}

// when formats an RFC 3339 time for the reader's language.
func when(ctx context.Context, rfc3339 string) string {
	tm, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return i18n.Date(ctx, tm)
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// RenderEmail renders both parts of an email.
func RenderEmail(ctx context.Context, d EmailData) (htmlPart, textPart string, err error) {
	var h, tx bytes.Buffer
	if err := EmailHTML(d).Render(ctx, &h); err != nil {
		return "", "", err
	}
	if err := EmailText(d).Render(ctx, &tx); err != nil {
		return "", "", err
	}
	text := html.UnescapeString(tx.String())
	text = blankLines.ReplaceAllString(strings.TrimSpace(text), "\n\n") + "\n"
	return h.String(), text, nil
}

// RenderOutbox renders an outbox row's email in the language stored with
// it: the recipient's, never that of whoever caused the send.
func RenderOutbox(ctx context.Context, catalog *i18n.Catalog, kind, locale, data string) (subject, htmlPart, textPart string, err error) {
	var fields map[string]string
	if err := json.Unmarshal([]byte(data), &fields); err != nil {
		return "", "", "", fmt.Errorf("components: decode %s email data: %w", kind, err)
	}
	ctx = i18n.With(ctx, catalog.Localizer(catalog.Match(locale)))
	d, err := EmailFor(ctx, kind, fields)
	if err != nil {
		return "", "", "", err
	}
	htmlPart, textPart, err = RenderEmail(ctx, d)
	return d.Subject, htmlPart, textPart, err
}
