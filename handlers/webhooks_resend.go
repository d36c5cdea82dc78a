package handlers

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/mail"
)

// resendWebhook hands one delivery event to internal/mail: 400 for one
// that does not verify, is stale, malformed or replayed (Svix retries it a
// few times and gives up; nothing changed), 500 when the database failed
// (nothing was recorded, and Resend's retry brings it again), 204 once
// recorded.
func (s *server) resendWebhook(c *gin.Context) {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		c.String(http.StatusRequestEntityTooLarge, "body too large\n")
		return
	}
	ctx := c.Request.Context()
	switch err := s.ResendWebhook.Handle(ctx, c.Request.Header, body); {
	case errors.Is(err, mail.ErrBadWebhook):
		s.Log.WarnContext(ctx, "resend webhook rejected", "err", err)
		c.String(http.StatusBadRequest, "rejected\n")
	case err != nil:
		s.Log.ErrorContext(ctx, "resend webhook not recorded", "err", err)
		c.String(http.StatusInternalServerError, "not recorded, try again\n")
	default:
		c.Status(http.StatusNoContent)
	}
}
