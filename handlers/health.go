package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/internal/logctx"
)

func (s *server) healthz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte("ok\n"))
}

// readyz says whether this instance can serve: the database must answer.
func (s *server) readyz(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err != nil {
		logctx.From(ctx).WarnContext(ctx, "not ready", "err", err)
		c.Data(http.StatusServiceUnavailable, "text/plain; charset=utf-8", []byte("database unavailable\n"))
		return
	}
	c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte("ready\n"))
}
