package handlers

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/metrics"
)

// "Check your inbox" says what became of the email this browser asked
// for, found by the browser's own binding secret (its "verify" cookie),
// never by an address or an id in the URL. The page shows the state as it
// is when loaded (a reload without script shows the current one); htmx
// asks the status fragment again every few seconds until it is final.

// deliveryView is the status of this browser's email for f's page; nil
// when f does not follow its email.
func (s *server) deliveryView(c *gin.Context, f *account.Flow, sent account.Sent) *components.DeliveryView {
	if f.Paths.Status == "" {
		return nil
	}
	d, err := s.Account.Delivery(c.Request.Context(), s.binding(c), sent.At, s.meta(c))
	if err != nil {
		if !errors.Is(err, account.ErrDeliveryLimited) {
			s.Log.WarnContext(c.Request.Context(), "delivery status unavailable", "err", err)
		}
		// The page still works; the fragment asks again later.
		d = account.Delivery{State: account.DeliveryQueued}
	}
	return &components.DeliveryView{Delivery: d, Poll: f.Paths.Status, Refresh: f.Paths.Sent, Change: f.Paths.Start}
}

// deliveryStatus answers the status fragment of f's "check your inbox".
// An unchanged state that can still change is 204 (htmx swaps nothing and
// asks again); a change, or a final state, is the fragment, which asks
// again only while the state can change. Over the polling limit it is 429
// with a Retry-After, which the fragment ignores (hx-status:429) until its
// next turn. A request that is not htmx's is sent to the page itself.
func (s *server) deliveryStatus(f *account.Flow) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !partial(c.Request) {
			c.Redirect(http.StatusSeeOther, f.Paths.Sent)
			return
		}
		// Without the "sent" record (expired), the request counts as
		// long past: whatever is known is final.
		sent, _ := s.sentTo(c)
		d, err := s.Account.Delivery(c.Request.Context(), s.binding(c), sent.At, s.meta(c))
		if errors.Is(err, account.ErrDeliveryLimited) {
			metrics.RateLimited("delivery")
			c.Header("Retry-After", "10")
			c.Status(http.StatusTooManyRequests)
			return
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		if !d.Final && c.Query("shown") == string(d.State) {
			c.Status(http.StatusNoContent)
			return
		}
		v := components.DeliveryView{Delivery: d, Poll: f.Paths.Status, Refresh: f.Paths.Sent, Change: f.Paths.Start}
		s.renderParts(c, http.StatusOK, components.DeliveryStatus(v))
	}
}
