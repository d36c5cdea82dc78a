package handlers

import (
	"net"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/i18n"
)

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// loopbackOnly lets through only requests whose TCP peer is this machine
// and that no proxy forwarded: the dev mailbox shows every link it holds,
// so anyone else must not learn it exists (notFound). The peer address is
// the only evidence; X-Forwarded-For is what a proxy, trusted or not, says
// about someone else, and a forwarded request is never local.
func loopbackOnly(notFound gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !loopbackPeer(c.Request) {
			notFound(c)
			c.Abort()
			return
		}
		c.Next()
	}
}

func loopbackPeer(r *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// mailbox lists the dev mailbox. It exists only when DEV_MAILBOX is on.
func (s *server) mailbox(c *gin.Context) {
	kept, err := s.Mailbox.List(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	var list []components.MailboxMessage
	for _, m := range kept {
		list = append(list, components.MailboxMessage{ID: m.ID, To: m.To, Subject: m.Subject, Text: m.Text,
			When: i18n.Date(c.Request.Context(), m.At), Links: linkPattern.FindAllString(m.Text, -1)})
	}
	s.render(c, http.StatusOK, components.MailboxPage(list))
}

// mailboxHTML shows one email's HTML part as a mail client would. Emails
// carry inline styles, so this one response relaxes the style policy; it
// allows no script at all and is sandboxed.
func (s *server) mailboxHTML(c *gin.Context) {
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil {
		s.notFound(c)
		return
	}
	m, ok, err := s.Mailbox.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !ok {
		s.notFound(c)
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox allow-popups allow-top-navigation-by-user-activation")
	c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(m.HTML))
}
