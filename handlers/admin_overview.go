package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/internal/i18n"
)

// adminOverview is the console's front page: today's and this week's
// figures and the 30-day sign-up funnel.
func (s *server) adminOverview(c *gin.Context) {
	ctx := c.Request.Context()
	st, err := s.Account.Stats(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := components.AdminOverviewView{
		Today: components.AdminCounts(st.Today),
		Week:  components.AdminCounts(st.Week),
	}
	for _, d := range st.Funnel {
		v.Funnel = append(v.Funnel, components.AdminFunnelDay{Label: i18n.ShortDate(ctx, d.Day),
			Registered: d.Registered, Activated: d.Activated, SignIn: d.SignIn})
		v.Max = max(v.Max, d.Registered, d.Activated, d.SignIn)
	}
	s.render(c, http.StatusOK, components.AdminOverviewPage(v))
}
