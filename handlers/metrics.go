package handlers

import "github.com/gin-gonic/gin"

// metrics serves the Prometheus registry as plain text, never cached. It
// is for the operator's scraper: keep the path away from the public at the
// proxy.
func (s *server) metrics(c *gin.Context) {
	s.Metrics.Handler().ServeHTTP(c.Writer, c.Request)
}
