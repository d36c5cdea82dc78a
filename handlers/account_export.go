package handlers

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// exportData answers "Download my data" with a JSON file of everything
// kept about the signed-in person. It is a POST (a button), so no link or
// prefetch can start it; the answer is an attachment that caches never
// keep. Over the limit it is the translated 429 page.
func (s *server) exportData(c *gin.Context) {
	u, current, _ := s.currentUser(c)
	x, err := s.Account.ExportData(c.Request.Context(), *u, *current, s.meta(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	body, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		s.fail(c, err)
		return
	}
	name := "gatehouse-data-" + x.GeneratedAt.Format("2006-01-02") + ".json"
	h := c.Writer.Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json; charset=utf-8", append(body, '\n'))
}
