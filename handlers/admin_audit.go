package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
)

// adminAudit is the export form, a month back by default.
func (s *server) adminAudit(c *gin.Context) {
	now := s.Now().UTC()
	// The organisation's console page links here with its id filled in.
	org := strings.TrimSpace(c.Query("org"))
	if len(org) > 200 {
		org = ""
	}
	v := s.auditView(c, components.Form{}, now.AddDate(0, -1, 0).Format(time.DateOnly), "", "", org, "csv", nil)
	s.render(c, http.StatusOK, components.AdminAuditPage(v))
}

func (s *server) auditView(c *gin.Context, f components.Form, since, until, email, org, format string, kinds []string) components.AdminAuditView {
	v := components.AdminAuditView{Since: since, Until: until, Email: email, Org: org, Format: format, Form: f}
	for _, k := range account.Events {
		v.Kinds = append(v.Kinds, components.AdminKindOption{Value: string(k), Label: eventText(c, k), Checked: slices.Contains(kinds, string(k))})
	}
	return v
}

// adminAuditExport streams the events the form selects as a file, written
// as they are read from the database.
func (s *server) adminAuditExport(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	since, until, email, format := c.PostForm("since"), c.PostForm("until"), strings.TrimSpace(c.PostForm("email")), c.PostForm("format")
	org := strings.TrimSpace(c.PostForm("org"))
	kinds := c.PostFormArray("kind")
	errs := account.FieldErrors{}
	q := account.AuditQuery{Email: email, Org: org}
	var err error
	if q.Since, err = time.Parse(time.DateOnly, since); err != nil {
		errs["since"] = i18n.Msg("page.admin.error.date")
	}
	if until != "" {
		t, err := time.Parse(time.DateOnly, until)
		switch {
		case err != nil:
			errs["until"] = i18n.Msg("page.admin.error.date")
		case !t.After(q.Since) && errs["since"].ID == "":
			errs["until"] = i18n.Msg("page.admin.error.until_before_since")
		default:
			// The last day is included: the period ends at its end.
			q.Until = t.AddDate(0, 0, 1)
		}
	}
	for _, k := range kinds {
		if !slices.Contains(account.Events, account.Event(k)) {
			continue // an unknown kind selects nothing; the known ones stay
		}
		q.Kinds = append(q.Kinds, account.Event(k))
	}
	if format != account.ExportJSON {
		format = account.ExportCSV
	}
	if email != "" {
		if _, err := s.Account.ShowUser(c.Request.Context(), email); err != nil {
			errs["email"] = i18n.Msg("page.admin.error.no_account")
		}
	}
	if org != "" {
		_, err := s.Account.FindOrganisation(c.Request.Context(), org)
		switch {
		case errors.Is(err, account.ErrUnknownOrg):
			errs["org"] = i18n.Msg("page.admin.error.no_org")
		case errors.Is(err, account.ErrAmbiguousOrg):
			errs["org"] = i18n.Msg("page.admin.error.org_ambiguous")
		case err != nil:
			s.fail(c, err)
			return
		}
	}
	if len(errs) > 0 {
		v := s.auditView(c, components.Form{Errors: map[string]i18n.Message(errs)}, since, until, email, org, format, kinds)
		s.render(c, http.StatusUnprocessableEntity, components.AdminAuditPage(v))
		return
	}
	_, _, by := s.current(c)
	name := fmt.Sprintf("gatehouse-audit-%s.%s", s.Now().UTC().Format("20060102-150405"), format)
	if format == account.ExportCSV {
		c.Header("Content-Type", "text/csv; charset=utf-8")
	} else {
		c.Header("Content-Type", "application/json; charset=utf-8")
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Status(http.StatusOK)
	if err := s.Account.ExportAudit(c.Request.Context(), q, format, c.Writer, by); err != nil {
		if !c.Writer.Written() {
			c.Header("Content-Disposition", "")
			s.fail(c, err)
			return
		}
		// The status is gone with the first bytes; the log says why the
		// file stops short.
		ctx := c.Request.Context()
		logctx.From(ctx).ErrorContext(ctx, "audit export failed", "err", err)
	}
}
