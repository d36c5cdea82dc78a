package handlers_test

import (
	"net/http"
	"testing"

	"gatehouse/internal/store/storetest"
)

// TestRule09NewestLinkIsDeliveredLast checks SECURITY.md rule 9 as people
// meet it: a new link revokes the older ones, so when several activation
// emails to one address go out in one batch, the one delivered last (on top
// of the inbox) must carry the link that works.
func TestRule09NewestLinkIsDeliveredLast(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		for range 5 {
			mustRedirect(t, app.Browser().Post("/register", registration("twice@example.com")), "/register/sent")
		}
		mails := app.Mail("twice@example.com")
		if len(mails) != 5 {
			t.Fatalf("%d activation mails, want 5", len(mails))
		}
		for i, m := range mails {
			links := secLinks(m.Text, "/activate")
			if len(links) != 1 {
				t.Fatalf("mail %d has links %q", i, links)
			}
			want := http.StatusGone
			if i == len(mails)-1 {
				want = http.StatusSeeOther
			}
			if p := app.Browser().Get(links[0]); p.StatusCode != want {
				t.Errorf("mail %d of %d (in delivery order): link answers %d, want %d", i+1, len(mails), p.StatusCode, want)
			}
		}
	})
}
