package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/i18n"
	"gatehouse/internal/paths"
)

// adminMail is the outbox (what waits or failed, by default both) and the
// suppressed addresses.
func (s *server) adminMail(c *gin.Context) {
	ctx := c.Request.Context()
	status := c.Query("status")
	if status != "pending" && status != "failed" {
		status = ""
	}
	v := components.AdminMailView{Status: status, Notice: doneNotice(c)}
	statuses := []string{status}
	if status == "" {
		statuses = []string{"failed", "pending"}
	}
	for _, st := range statuses {
		rows, to, err := s.Account.Outbox(ctx, st, 100)
		if err != nil {
			s.fail(c, err)
			return
		}
		for i, m := range rows {
			v.Rows = append(v.Rows, components.AdminMailRow{AdminEmailRow: emailRow(c, m), To: to[i]})
		}
	}
	sup, err := s.Account.Suppressions(ctx, 200)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, x := range sup {
		v.Suppressions = append(v.Suppressions, components.AdminSuppressionRow{Address: x.Address, Reason: x.Reason,
			Detail: x.Detail, Since: i18n.Date(ctx, x.Since)})
	}
	s.render(c, http.StatusOK, components.AdminMailPage(v))
}

// adminMessage is one email and its delivery events.
func (s *server) adminMessage(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.notFound(c)
		return
	}
	m, to, err := s.Account.MailMessage(ctx, id)
	if err != nil {
		if !s.adminRefusal(c, err) {
			s.fail(c, err)
		}
		return
	}
	v := components.AdminMessageView{AdminMailRow: components.AdminMailRow{AdminEmailRow: emailRow(c, m), To: to}}
	for _, e := range m.Events {
		v.Events = append(v.Events, components.AdminDeliveryEvent{State: e.Type, When: i18n.Date(ctx, e.ReceivedAt)})
	}
	s.render(c, http.StatusOK, components.AdminMessagePage(v))
}

// adminRetry makes a failed or waiting email due now.
func (s *server) adminRetry(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.notFound(c)
		return
	}
	_, _, by := s.current(c)
	if err := s.Account.RetryMail(c.Request.Context(), id, by); err != nil {
		if !s.adminRefusal(c, err) {
			s.fail(c, err)
		}
		return
	}
	redirect(c, adminDone(paths.AdminMail, components.AdminDoneRetried))
}

// adminLiftSuppression sends mail to an address again.
func (s *server) adminLiftSuppression(c *gin.Context) {
	if !s.parseForm(c) {
		return
	}
	_, _, by := s.current(c)
	if err := s.Account.LiftSuppression(c.Request.Context(), c.PostForm("address"), by); err != nil {
		if !s.adminRefusal(c, err) {
			s.fail(c, err)
		}
		return
	}
	back := paths.AdminMail
	// The account page offers the lift too, and is where it goes back to.
	if b := c.PostForm("back"); strings.HasPrefix(b, paths.AdminUsers+"/") && !strings.ContainsAny(b, "?#\\") && !strings.Contains(b, "//") {
		back = b
	}
	redirect(c, adminDone(back, components.AdminDoneLifted))
}
