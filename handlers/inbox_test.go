package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/resendfake"
)

// drain sends whatever the outbox holds.
func (a *testApp) drain() {
	a.t.Helper()
	for {
		n, err := a.Worker.RunOnce(context.Background())
		if err != nil {
			a.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// sentTo is the newest email the fake Resend accepted for addr.
func (a *testApp) sentTo(addr string) resendfake.Email {
	a.t.Helper()
	var last *resendfake.Email
	for _, e := range a.Resend.Emails() {
		if strings.EqualFold(e.To, addr) {
			e := e
			last = &e
		}
	}
	if last == nil {
		a.t.Fatalf("the fake Resend has no email to %s", addr)
	}
	return *last
}

// event posts, signed, an event of typ about the newest email to addr, as
// Resend would: late, twice, and with a "delayed" that overtook it.
func (a *testApp) event(addr, typ string) {
	a.t.Helper()
	e := a.sentTo(addr)
	evs := []resendfake.Event{resendfake.EventFor(e, "email.delivery_delayed", time.Now().Add(-time.Second)), resendfake.EventFor(e, typ, time.Now())}
	first, second, err := resendfake.DeliverEvents(context.Background(), a.URL+paths.ResendWebhook, a.WebhookSecret, evs, 0)
	if err != nil {
		a.t.Fatal(err)
	}
	// A redelivery is a replay: refused, and it changes nothing.
	for i, st := range first {
		if st != http.StatusNoContent || second[i] != http.StatusBadRequest {
			a.t.Fatalf("event %s for %s: %v then %v, want 204s then 400s", typ, addr, first, second)
		}
	}
}

// activeAccount makes an active account for addr through the service.
func (a *testApp) activeAccount(addr string) {
	a.t.Helper()
	ctx := context.Background()
	f := registration(addr)
	var r account.Registration
	for _, name := range account.RegistrationFieldNames {
		r.Set(name, f.Get(name))
	}
	if _, err := a.Account.Register(ctx, r, account.Meta{Locale: "en"}); err != nil {
		a.t.Fatal(err)
	}
	a.drain()
	var raw string
	for _, l := range linkRE.FindAllString(a.sentTo(addr).Text, -1) {
		if u, err := url.Parse(l); err == nil && u.Path == paths.Activate {
			raw = u.Query().Get("token")
		}
	}
	if err := a.Account.Complete(ctx, account.Activation, raw, goodPassword, goodPassword, account.Meta{Locale: "en"}); err != nil {
		a.t.Fatal(err)
	}
	a.drain()
}

// status asks the status fragment as htmx does, saying which state the
// page shows.
func (b *browser) status(path, shown string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.abs(path+"?shown="+url.QueryEscape(shown)), nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "div#delivery-status")
	return b.do(req)
}

// The rule: what "check your inbox" shows is the progress of the
// message this browser's request produced, and it is the same, byte for
// byte at every stage, whether the address has an active account, a
// pending one or none: each request writes one email (reset, activation,
// "no account here"; on sign-up activation or "you already have an
// account"), and the fake Resend's events drive them alike.
func TestDeliveryStatusRevealsNoAccount(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, withResend)
		app.activeAccount("known@example.com")
		app.activeAccount("known-b@example.com")
		mustRedirect(t, app.Browser().Post(paths.Register, registration("pending@example.com")), paths.RegisterSent)
		mustRedirect(t, app.Browser().Post(paths.Register, registration("pending-b@example.com")), paths.RegisterSent)
		app.drain()

		type visitor struct {
			addr string
			b    *browser
		}
		flows := []struct {
			name     string
			f        *account.Flow
			start    func(b *browser, addr string) page
			visitors []string
			final    string // the event the fake sends last
		}{
			{"forgot delivered", account.Recovery, func(b *browser, addr string) page {
				return b.Post(paths.PasswordForgot, url.Values{"email": {addr}})
			}, []string{"known@example.com", "pending@example.com", "nobody@example.com"}, "email.delivered"},
			{"sign-up bounced", account.Activation, func(b *browser, addr string) page {
				return b.Post(paths.Register, registration(addr))
			}, []string{"known-b@example.com", "pending-b@example.com", "new@example.com"}, "email.bounced"},
		}
		for _, fl := range flows {
			var vs []visitor
			for _, addr := range fl.visitors {
				b := app.Browser()
				mustRedirect(t, fl.start(b, addr), fl.f.Paths.Sent)
				vs = append(vs, visitor{addr, b})
			}
			// same checks that every visitor sees the same bytes.
			same := func(stage string, get func(v visitor) page, wantStatus int, contains ...string) string {
				t.Helper()
				var first string
				for i, v := range vs {
					p := get(v)
					if p.StatusCode != wantStatus {
						t.Fatalf("%s, %s, %s: status %d, want %d\n%s", fl.name, stage, v.addr, p.StatusCode, wantStatus, p.Body)
					}
					if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
						t.Errorf("%s, %s: Cache-Control %q, want no-store", fl.name, stage, cc)
					}
					body := secMaskEmail(p.Body, v.addr)
					if i == 0 {
						first = body
						for _, s := range contains {
							if !strings.Contains(body, s) {
								t.Fatalf("%s, %s: lacks %q\n%s", fl.name, stage, s, body)
							}
						}
						continue
					}
					if body != first {
						t.Fatalf("%s, %s: %s sees\n%s\nbut %s sees\n%s", fl.name, stage, v.addr, body, vs[0].addr, first)
					}
				}
				return first
			}
			status := func(shown string) func(v visitor) page {
				return func(v visitor) page { return v.b.status(fl.f.Paths.Status, shown) }
			}
			pageOf := func(v visitor) page { return v.b.Get(fl.f.Paths.Sent) }

			// Queued: the page and the fragment say so and keep asking.
			same("queued page", pageOf, http.StatusOK, `data-state="queued"`, `hx-trigger="every 3s"`)
			same("queued fragment", status(""), http.StatusOK, `data-state="queued"`, `hx-get="`+fl.f.Paths.Status+`?shown=queued"`)
			same("queued unchanged", status("queued"), http.StatusNoContent)

			app.drain()
			same("sent fragment", status("queued"), http.StatusOK, `data-state="sent"`, `hx-trigger="every 3s"`)
			same("sent page", pageOf, http.StatusOK, `data-state="sent"`)

			for _, v := range vs {
				app.event(v.addr, fl.final)
			}
			if fl.final == "email.delivered" {
				p := same("delivered fragment", status("sent"), http.StatusOK, `data-state="delivered"`)
				if strings.Contains(p, "hx-trigger") || strings.Contains(p, "hx-get") {
					t.Errorf("delivered fragment still polls:\n%s", p)
				}
				same("delivered page", pageOf, http.StatusOK, `data-state="delivered"`, `data-testid="delivery-refresh"`)
			} else {
				p := same("bounced fragment", status("sent"), http.StatusOK, `data-state="bounced"`, "This address doesn&#39;t accept mail — check it or use another.",
					`href="`+fl.f.Paths.Start+`" data-testid="delivery-change-address"`)
				if strings.Contains(p, "hx-trigger") {
					t.Errorf("bounced fragment still polls:\n%s", p)
				}
				same("bounced page", pageOf, http.StatusOK, `data-state="bounced"`)

				// "Send again" writes an email for every address (an
				// active account gets "already registered" again), and
				// the bounce suppressed every one of them alike.
				app.Advance(account.ResendCooldown + time.Second)
				for _, v := range vs {
					mustRedirect(t, v.b.Post(fl.f.Paths.Resend, nil), fl.f.Paths.Sent+"?notice=resent")
				}
				same("resent fragment", status(""), http.StatusOK, `data-state="queued"`)
				app.drain()
				p = same("suppressed fragment", status("queued"), http.StatusOK, `data-state="suppressed_bounce"`,
					"Not sent: mail to this address bounced before", `data-testid="delivery-change-address"`)
				if strings.Contains(p, "hx-trigger") {
					t.Errorf("suppressed fragment still polls:\n%s", p)
				}
			}
		}
	})
}

// A request that writes no email (an account an operator disabled, an
// address over its email limit) moves through the states on a typical
// email's schedule: queued, sent, delivered, and the page then stops. It
// asks a browser with no binding at all nothing of the store's.
func TestDeliveryStatusWithoutEmail(t *testing.T) {
	app := newApp(t, storetest.SQLite, withResend)
	app.activeAccount("off@example.com")
	if _, _, err := app.Account.DisableUser(context.Background(), "off@example.com", account.Operator{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	b := app.Browser()
	n := len(app.Resend.Emails())
	mustRedirect(t, b.Post(paths.PasswordForgot, url.Values{"email": {"off@example.com"}}), paths.PasswordSent)
	app.drain()
	if got := len(app.Resend.Emails()); got != n {
		t.Fatalf("%d emails to a disabled account, want none", got-n)
	}
	st := account.Recovery.Paths.Status
	must(t, b.status(st, ""), http.StatusOK, `data-state="queued"`, `hx-trigger="every 3s"`)
	app.Advance(3 * time.Second)
	must(t, b.status(st, "queued"), http.StatusOK, `data-state="sent"`, `hx-trigger="every 3s"`)
	app.Advance(5 * time.Second)
	p := b.status(st, "sent")
	must(t, p, http.StatusOK, `data-state="delivered"`)
	if strings.Contains(p.Body, "hx-trigger") {
		t.Errorf("the final state still polls:\n%s", p.Body)
	}
	// Past the watch, whatever is shown is final.
	app.Advance(account.DeliveryWatch)
	if p := b.status(st, "delivered"); p.StatusCode != http.StatusOK || strings.Contains(p.Body, "hx-trigger") {
		t.Errorf("after the watch: %d\n%s", p.StatusCode, p.Body)
	}
	// Outside htmx the fragment's path is the page.
	mustRedirect(t, b.Get(st), paths.PasswordSent)
}

// The polling is limited per browser: over the limit the answer is a 429
// with Retry-After, which the page's fragment ignores (hx-status:429).
func TestDeliveryStatusLimited(t *testing.T) {
	app := newApp(t, storetest.SQLite, withResend)
	b := app.Browser()
	mustRedirect(t, b.Post(paths.PasswordForgot, url.Values{"email": {"someone@example.com"}}), paths.PasswordSent)
	must(t, b.Get(paths.PasswordSent), http.StatusOK, `hx-status:429="swap:none"`)
	st := account.Recovery.Paths.Status
	var last page
	for range account.DefaultLimits.DeliveryPerBrowser.Max + 1 {
		last = b.status(st, "queued")
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d, Retry-After %q; want 429 with one", last.StatusCode, last.Header.Get("Retry-After"))
	}
	// Another browser is not held up by this one.
	other := app.Browser()
	mustRedirect(t, other.Post(paths.PasswordForgot, url.Values{"email": {"other@example.com"}}), paths.PasswordSent)
	if p := other.status(st, ""); p.StatusCode != http.StatusOK {
		t.Errorf("another browser: %d, want 200", p.StatusCode)
	}
}

// Without delivery events (the dev mailbox here, or no
// RESEND_WEBHOOK_SECRET) nothing is heard after "sent": it is final, and
// the page stops asking there.
func TestDeliveryStatusWithoutEvents(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	b := app.Browser()
	mustRedirect(t, b.Post(paths.Register, registration("ada@example.com")), paths.RegisterSent)
	st := account.Activation.Paths.Status
	must(t, b.status(st, ""), http.StatusOK, `data-state="queued"`, `hx-trigger="every 3s"`)
	app.Mail("ada@example.com")
	p := b.status(st, "queued")
	must(t, p, http.StatusOK, `data-state="sent"`)
	if strings.Contains(p.Body, "hx-trigger") {
		t.Errorf("sent without events still polls:\n%s", p.Body)
	}
}
