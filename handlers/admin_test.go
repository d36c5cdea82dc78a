package handlers_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/logctx"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// adminPending signs email up without activating it.
func adminPending(t *testing.T, app *testApp, email, company string) {
	t.Helper()
	ctx := logctx.With(context.Background(), slog.New(slog.NewTextHandler(app.Logs, nil)))
	f := registration(email)
	f.Set("company", company)
	var r account.Registration
	for _, name := range account.RegistrationFieldNames {
		r.Set(name, f.Get(name))
	}
	if _, err := app.Account.Register(ctx, r, account.Meta{Locale: "en"}); err != nil {
		t.Fatal(err)
	}
}

// adminEvents are the audit events of kind, newest first.
func adminEvents(t *testing.T, st *store.Store, kind account.Event) []store.AuditEvent {
	t.Helper()
	all, err := st.ListAuditEvents(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEvent
	for _, e := range all {
		if e.Kind == string(kind) {
			out = append(out, e)
		}
	}
	return out
}

// adminMustActor checks the newest event of kind names the operator.
func adminMustActor(t *testing.T, st *store.Store, kind account.Event, operatorID int64) {
	t.Helper()
	list := adminEvents(t, st, kind)
	if len(list) == 0 {
		t.Fatalf("no %s event", kind)
	}
	if list[0].ActorID == nil || *list[0].ActorID != operatorID {
		t.Errorf("%s: actor %v, want the operator %d", kind, list[0].ActorID, operatorID)
	}
}

// TestAdminAccountActions: each action on an account's page does what the
// command line does, lands back on the page with a notice (303 without
// script, HX-Location with htmx), and is audited with the operator as its
// actor. A disabled account then signs in as a wrong password would.
func TestAdminAccountActions(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		op := adminOperator(t, app, "op@example.com")
		opID := secUser(t, app.Store, "op@example.com").ID
		adminPending(t, app, "grace@example.com", "Navy Yard")
		grace := secUser(t, app.Store, "grace@example.com")
		page := paths.AdminUserURL(paths.AdminUser, grace.PublicID)

		before := len(app.Mail("grace@example.com"))
		mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserResend, grace.PublicID), nil), page+"?done=resent")
		if n := len(app.Mail("grace@example.com")); n != before+1 {
			t.Errorf("resend: %d emails, want %d", n, before+1)
		}
		adminMustActor(t, app.Store, account.EventActivationResentByOperator, opID)
		p := op.Get(page + "?done=resent")
		must(t, p, http.StatusOK, "A new activation email is on its way.", "Navy Yard", "activation",
			"Activation email sent again by an administrator", "by op@example.com")

		secSignUpDirect(t, app, "ada@example.com")
		ada := secUser(t, app.Store, "ada@example.com")
		adaBrowser := app.signIn("ada@example.com", goodPassword)
		adaPage := paths.AdminUserURL(paths.AdminUser, ada.PublicID)
		// Resending to an active account is refused with a reason.
		p = op.Post(paths.AdminUserURL(paths.AdminUserResend, ada.PublicID), nil)
		must(t, p, http.StatusConflict, "there is no activation email to send")

		// A cross-site post, even with the operator's cookie, is refused
		// (rule 32) and changes nothing.
		p = secPost(op, paths.AdminUserURL(paths.AdminUserDisable, ada.PublicID), nil,
			map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, "")
		must(t, p, http.StatusForbidden)
		if u := secUser(t, app.Store, "ada@example.com"); u.Status != store.UserActive {
			t.Fatalf("a cross-site post disabled the account: %s", u.Status)
		}
		// htmx: the same action answers HX-Location.
		req, _ := http.NewRequest("POST", op.abs(paths.AdminUserURL(paths.AdminUserDisable, ada.PublicID)), nil)
		req.Header.Set("HX-Request", "true")
		p = op.do(req)
		if p.StatusCode != http.StatusNoContent || !strings.Contains(p.Header.Get("HX-Location"), adaPage+"?done=disabled") {
			t.Fatalf("htmx disable: %d %q", p.StatusCode, p.Header.Get("HX-Location"))
		}
		if u := secUser(t, app.Store, "ada@example.com"); u.Status != store.UserDisabled {
			t.Fatalf("after disable: %s", u.Status)
		}
		adminMustActor(t, app.Store, account.EventDisabledByOperator, opID)
		// Every session ended, and sign-in answers as a wrong password does.
		mustRedirect(t, adaBrowser.Get(paths.Account), paths.Login)
		wrong := app.Browser().Post(paths.Login, url.Values{"email": {"ada@example.com"}, "password": {"not the password at all"}})
		right := app.Browser().Post(paths.Login, url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
		if wrong.StatusCode != right.StatusCode || secMaskEmail(wrong.Body, "ada@example.com") != secMaskEmail(right.Body, "ada@example.com") {
			t.Errorf("a disabled account's sign-in differs from a wrong password's: %d vs %d", right.StatusCode, wrong.StatusCode)
		}

		mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserEnable, ada.PublicID), nil), adaPage+"?done=enabled")
		adminMustActor(t, app.Store, account.EventEnabledByOperator, opID)
		adaBrowser = app.signIn("ada@example.com", goodPassword)
		mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserEndSessions, ada.PublicID), nil), adaPage+"?done=sessions_ended")
		mustRedirect(t, adaBrowser.Get(paths.Account), paths.Login)
		adminMustActor(t, app.Store, account.EventSessionsEndedByOperator, opID)

		// A throttled account is unlocked.
		for range 6 {
			app.Browser().Post(paths.Login, url.Values{"email": {"ada@example.com"}, "password": {"wrong wrong wrong wrong"}})
		}
		must(t, op.Get(adaPage), http.StatusOK, "Lift the Sign-In Throttle")
		mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserUnlock, ada.PublicID), nil), adaPage+"?done=unlocked")
		if lt, _ := app.Store.LoginThrottleFor(context.Background(), ada.ID); lt.Failures != 0 {
			t.Errorf("after unlock: %d failures", lt.Failures)
		}
		adminMustActor(t, app.Store, account.EventUnlockedByOperator, opID)
		app.signIn("ada@example.com", goodPassword)

		// The operator cannot disable or delete themselves here.
		me := secUser(t, app.Store, "op@example.com")
		must(t, op.Post(paths.AdminUserURL(paths.AdminUserDisable, me.PublicID), nil), http.StatusConflict, "another operator can")
		must(t, op.Post(paths.AdminUserURL(paths.AdminUserDelete, me.PublicID), nil), http.StatusConflict)

		mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserDelete, ada.PublicID), nil), paths.AdminUsers+"?done=deleted")
		secNoUser(t, app.Store, "ada@example.com")
		adminMustActor(t, app.Store, account.EventDeletedByOperator, opID)
		must(t, op.Get(adaPage), http.StatusNotFound)
		must(t, op.Get(paths.AdminUserURL(paths.AdminUser, "no-such-id")), http.StatusNotFound)
	})
}

// TestAdminReauth: a destructive action asks for the password again when
// it was typed more than 15 minutes ago; the page carries the action
// through, a wrong password changes nothing, the right one does the
// action at once, and for the next 15 minutes nothing is asked.
func TestAdminReauth(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		op := adminOperator(t, app, "op@example.com")
		secSignUpDirect(t, app, "ada@example.com")
		secSignUpDirect(t, app, "bob@example.com")
		ada, bob := secUser(t, app.Store, "ada@example.com"), secUser(t, app.Store, "bob@example.com")
		disable := paths.AdminUserURL(paths.AdminUserDisable, ada.PublicID)

		app.Advance(16 * time.Minute)
		p := op.Post(disable, url.Values{"note": {"kept"}})
		must(t, p, http.StatusOK, `name="reauth_password"`, `action="`+disable+`"`, `name="note" value="kept"`)
		if u := secUser(t, app.Store, "ada@example.com"); u.Status != store.UserActive {
			t.Fatal("disabled before the password was entered")
		}
		p = op.Post(disable, url.Values{"reauth_password": {"not my password at all"}})
		must(t, p, http.StatusOK, `name="reauth_password"`, "f-reauth_password")
		if u := secUser(t, app.Store, "ada@example.com"); u.Status != store.UserActive {
			t.Fatal("disabled after a wrong password")
		}
		// Non-destructive actions and pages never ask.
		must(t, op.Get(paths.AdminUsers), http.StatusOK)
		mustRedirect(t, op.Post(disable, url.Values{"reauth_password": {goodPassword}}),
			paths.AdminUserURL(paths.AdminUser, ada.PublicID)+"?done=disabled")
		if u := secUser(t, app.Store, "ada@example.com"); u.Status != store.UserDisabled {
			t.Fatal("not disabled after the right password")
		}
		if len(adminEvents(t, app.Store, account.EventPasswordConfirmed)) != 1 {
			t.Error("the confirmation is not in the audit trail")
		}
		app.Advance(10 * time.Minute)
		mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserDisable, bob.PublicID), nil),
			paths.AdminUserURL(paths.AdminUser, bob.PublicID)+"?done=disabled")
	})
}

// TestAdminUserSearch: the list finds accounts by a part of the email,
// name or company whatever the case, treats % and _ as themselves,
// filters by status, and pages by position, so an account created while
// paging neither repeats nor hides a row.
func TestAdminUserSearch(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		op := adminOperator(t, app, "op@example.com")
		adminPending(t, app, "grace@example.com", "Navy Yard")
		adminPending(t, app, "pct@example.com", "100% Fabrics")
		ctx := context.Background()
		base := app.Now().Add(-time.Hour)
		for i := range 120 {
			u := &store.User{PublicID: store.NewPublicID(), Email: fmt.Sprintf("bulk%03d@example.com", i), FirstName: "Bulk", LastName: "Person",
				Company: "Bulk Co", Country: "GB", Locale: "en", Status: store.UserActive, CreatedAt: base.Add(time.Duration(i%7) * time.Second),
				UpdatedAt: base}
			if _, err := app.Store.CreateUserIfAbsent(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		p := op.Get(paths.AdminUsers + "?q=YARD")
		must(t, p, http.StatusOK, "grace@example.com")
		if strings.Contains(p.Body, "bulk000@") {
			t.Error("search YARD lists the bulk accounts")
		}
		p = op.Get(paths.AdminUsers + "?q=" + url.QueryEscape("100%"))
		must(t, p, http.StatusOK, "pct@example.com")
		if strings.Contains(p.Body, "grace@") {
			t.Error("% matched as a wildcard")
		}
		if p = op.Get(paths.AdminUsers + "?q=" + url.QueryEscape("_")); strings.Contains(p.Body, "grace@") {
			t.Error("_ matched as a wildcard")
		}
		must(t, op.Get(paths.AdminUsers+"?status=pending"), http.StatusOK, "grace@example.com", "pct@example.com")
		if p = op.Get(paths.AdminUsers + "?status=pending"); strings.Contains(p.Body, "bulk001@") {
			t.Error("status=pending lists active accounts")
		}

		seen := map[string]int{}
		next := paths.AdminUsers + "?q=bulk"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			p := op.Get(next)
			must(t, p, http.StatusOK)
			for i := range 120 {
				if strings.Contains(p.Body, fmt.Sprintf(">bulk%03d@example.com<", i)) {
					seen[fmt.Sprintf("bulk%03d", i)]++
				}
			}
			if pages == 0 {
				// A new account at the top must not shift later pages.
				u := &store.User{PublicID: store.NewPublicID(), Email: "bulknew@example.com", FirstName: "Bulk", LastName: "New",
					Company: "Bulk Co", Country: "GB", Locale: "en", Status: store.UserActive, CreatedAt: app.Now(), UpdatedAt: app.Now()}
				if _, err := app.Store.CreateUserIfAbsent(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			next = ""
			if i := strings.Index(p.Body, `rel="next"`); i >= 0 {
				start := strings.LastIndex(p.Body[:i], `href="`) + len(`href="`)
				next = strings.ReplaceAll(p.Body[start:strings.Index(p.Body[start:], `"`)+start], "&amp;", "&")
			}
		}
		if len(seen) != 120 {
			t.Errorf("paging showed %d of 120 accounts", len(seen))
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("%s shown %d times", k, n)
			}
		}
	})
}

// TestAdminMail: the outbox shows a failed email with its error and
// retries it; a suppressed address is listed and lifted; an email's page
// shows its delivery events. Each is audited with the operator.
func TestAdminMail(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		ctx := context.Background()
		op := adminOperator(t, app, "op@example.com")
		opID := secUser(t, app.Store, "op@example.com").ID
		adminPending(t, app, "grace@example.com", "Navy Yard")
		rows, err := app.Store.OutboxTo(ctx, "grace@example.com", 10)
		if err != nil || len(rows) == 0 {
			t.Fatalf("outbox: %v %d", err, len(rows))
		}
		id := rows[0].ID
		if err := app.Store.MarkOutboxFailed(ctx, id, "resend: 422 invalid domain"); err != nil {
			t.Fatal(err)
		}
		must(t, op.Get(paths.AdminMail), http.StatusOK, "grace@example.com", "resend: 422 invalid domain", "Failed")
		mustRedirect(t, op.Post(paths.AdminMessageURL(paths.AdminMessageRetry, id), nil), paths.AdminMail+"?done=retried")
		if m, _ := app.Store.OutboxByID(ctx, id); m.Status != store.OutboxPending || m.Attempts != 0 {
			t.Errorf("after retry: %s, %d attempts", m.Status, m.Attempts)
		}
		adminMustActor(t, app.Store, account.EventMailRetriedByOperator, opID)
		app.Mail("grace@example.com")
		m, _ := app.Store.OutboxByID(ctx, id)
		must(t, op.Post(paths.AdminMessageURL(paths.AdminMessageRetry, id), nil), http.StatusNotFound) // sent: its link is gone

		if _, err := app.Store.RecordMailEvent(ctx, store.MailEvent{ID: "evt_1", Type: store.DeliveryBounced, MessageID: "msg_1",
			To: []string{"grace@example.com"}, At: app.Now(), Suppress: store.SuppressedBounce, Detail: "mailbox does not exist"}); err != nil {
			t.Fatal(err)
		}
		if m.MessageID == "" {
			// The dev mailbox names no provider id; give the row one.
			if err := app.Store.MarkOutboxSentWithIDs(ctx, []int64{id}, []string{"msg_1"}, app.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Store.RecordMailEvent(ctx, store.MailEvent{ID: "evt_2", Type: store.DeliveryBounced, MessageID: "msg_1", At: app.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		must(t, op.Get(paths.AdminMessageURL(paths.AdminMessage, id)), http.StatusOK, "Bounced")
		grace := secUser(t, app.Store, "grace@example.com")
		must(t, op.Get(paths.AdminUserURL(paths.AdminUser, grace.PublicID)), http.StatusOK, "Bounced", "the address bounced")
		must(t, op.Get(paths.AdminMail), http.StatusOK, "mailbox does not exist")
		// From the account page, the lift goes back there; a back that is
		// not an account page of the console is ignored.
		mustRedirect(t, op.Post(paths.AdminSuppressionLift, url.Values{"address": {"grace@example.com"}, "back": {"//evil.example/x"}}),
			paths.AdminMail+"?done=lifted")
		if sup, _ := app.Store.Suppressions(ctx, []string{"grace@example.com"}); len(sup) != 0 {
			t.Error("still suppressed")
		}
		adminMustActor(t, app.Store, account.EventSuppressionLiftedByOperator, opID)
		must(t, op.Post(paths.AdminSuppressionLift, url.Values{"address": {"grace@example.com"}}), http.StatusConflict)
		if _, err := app.Store.RecordMailEvent(ctx, store.MailEvent{ID: "evt_3", Type: store.DeliveryBounced, MessageID: "msg_1",
			To: []string{"grace@example.com"}, At: app.Now(), Suppress: store.SuppressedBounce}); err != nil {
			t.Fatal(err)
		}
		back := paths.AdminUserURL(paths.AdminUser, grace.PublicID)
		mustRedirect(t, op.Post(paths.AdminSuppressionLift, url.Values{"address": {"grace@example.com"}, "back": {back}}), back+"?done=lifted")
	})
}

// TestAdminOverview: today's figures count what happened, and the funnel
// is an SVG chart with a table beside it.
func TestAdminOverview(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		op := adminOperator(t, app, "op@example.com")
		adminPending(t, app, "grace@example.com", "Navy Yard")
		p := op.Get(paths.Admin)
		must(t, p, http.StatusOK, `data-testid="funnel-chart"`, `data-testid="funnel-table"`, "<svg", "Sign-up funnel")
		// Two sign-ups today (op and grace), one activation, one sign-in.
		fig := p.Body[strings.Index(p.Body, `data-testid="figures"`):]
		fig = fig[:strings.Index(fig, "</table>")]
		for _, row := range []string{"Sign-ups</th><td class=\"py-2\">2</td>", "Activations</th><td class=\"py-2\">1</td>", "Sign-ins</th><td class=\"py-2\">1</td>"} {
			if !strings.Contains(fig, row) {
				t.Errorf("figures lack %q:\n%s", row, fig)
			}
		}
		table := p.Body[strings.Index(p.Body, `data-testid="funnel-table"`):]
		if strings.Count(table[:strings.Index(table, "</table>")], "<tr>") != account.FunnelDays {
			t.Errorf("the funnel table has not %d days", account.FunnelDays)
		}
	})
}

// TestAdminAuditExport: the export streams the selected events as CSV or
// JSON, with the operator named, and is itself audited.
func TestAdminAuditExport(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend)
		op := adminOperator(t, app, "op@example.com")
		adminPending(t, app, "grace@example.com", "Navy Yard")
		since := app.Now().AddDate(0, 0, -1).Format(time.DateOnly)
		p := op.Post(paths.AdminAuditExport, url.Values{"since": {since}, "format": {"csv"}})
		must(t, p, http.StatusOK)
		if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(p.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("CSV answered as %q, %q", ct, p.Header.Get("Content-Disposition"))
		}
		recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if err != nil || len(recs) < 4 || strings.Join(recs[0], ",") != "id,at,kind,email,actor,ip,user_agent" {
			t.Fatalf("CSV: %v\n%s", err, p.Body)
		}
		kinds := map[string]bool{}
		for _, r := range recs[1:] {
			kinds[r[2]] = true
			if r[2] == string(account.EventAuditExported) && r[4] != "op@example.com" {
				t.Errorf("export event's actor %q", r[4])
			}
		}
		for _, k := range []account.Event{account.EventRegistered, account.EventOperatorGranted, account.EventLoginOK, account.EventAuditExported} {
			if !kinds[string(k)] {
				t.Errorf("CSV lacks a %s event", k)
			}
		}

		p = op.Post(paths.AdminAuditExport, url.Values{"since": {since}, "format": {"json"}, "email": {"grace@example.com"},
			"kind": {string(account.EventRegistered)}})
		must(t, p, http.StatusOK)
		var list []map[string]any
		if err := json.Unmarshal([]byte(p.Body), &list); err != nil {
			t.Fatalf("JSON: %v\n%s", err, p.Body)
		}
		if len(list) != 1 || list[0]["kind"] != "registered" || list[0]["email"] != "grace@example.com" {
			t.Errorf("filtered JSON = %v", list)
		}
		// A bad date is a translated field error on the form, not a file.
		p = op.Post(paths.AdminAuditExport, url.Values{"since": {"yesterday"}, "email": {"nobody@example.com"}})
		must(t, p, http.StatusUnprocessableEntity, "Enter a date such as 2026-11-01.", "No account has this email address.")
		p = op.Post(paths.AdminAuditExport, url.Values{"since": {since}, "until": {app.Now().AddDate(0, 0, -3).Format(time.DateOnly)}})
		must(t, p, http.StatusUnprocessableEntity, "The end must come after the start.")
	})
}

// TestAdminPagesInEveryLanguage: every console page renders in each of
// the eight languages with no message left as its id, in the language's
// direction.
func TestAdminPagesInEveryLanguage(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	op := adminOperator(t, app, "op@example.com")
	adminPending(t, app, "grace@example.com", "Navy Yard")
	grace := secUser(t, app.Store, "grace@example.com")
	rows, _ := app.Store.OutboxTo(context.Background(), "grace@example.com", 1)
	pages := []string{paths.Admin, paths.AdminUsers, paths.AdminUserURL(paths.AdminUser, grace.PublicID), paths.AdminMail,
		paths.AdminMessageURL(paths.AdminMessage, rows[0].ID), paths.AdminAudit}
	for _, lang := range []string{"en", "de", "fr", "es", "pt-BR", "ja", "zh-Hans", "ar"} {
		for _, path := range pages {
			p := op.Get(path + "?lang=" + lang)
			must(t, p, http.StatusOK, `lang="`+lang+`"`)
			if strings.Contains(p.Body, "page.admin.") || strings.Contains(p.Body, "event.") {
				i := max(strings.Index(p.Body, "page.admin."), strings.Index(p.Body, "event."))
				t.Errorf("%s in %s shows a message id: …%s…", path, lang, p.Body[max(i-40, 0):min(i+60, len(p.Body))])
			}
			if lang == "ar" && !strings.Contains(p.Body, `dir="rtl"`) {
				t.Errorf("%s in Arabic is not right to left", path)
			}
		}
	}
}

// TestAdminEndsSessionsTellsThePlatform: sessions an operator ends (by
// disabling the account or ending them) reach the platform as a
// session.ended webhook, as a sign-out does.
func TestAdminEndsSessionsTellsThePlatform(t *testing.T) {
	app := newApp(t, storetest.SQLite, func(o *appOptions) { o.webhooks = true })
	op := adminOperator(t, app, "op@example.com")
	secSignUpDirect(t, app, "ada@example.com")
	app.signIn("ada@example.com", goodPassword)
	ada := secUser(t, app.Store, "ada@example.com")
	mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserEndSessions, ada.PublicID), nil),
		paths.AdminUserURL(paths.AdminUser, ada.PublicID)+"?done=sessions_ended")
	app.signIn("ada@example.com", goodPassword)
	mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserDisable, ada.PublicID), nil),
		paths.AdminUserURL(paths.AdminUser, ada.PublicID)+"?done=disabled")
	rows, err := app.Store.ListOutbox(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Kind != store.KindWebhook {
			continue
		}
		var w account.Webhook
		if err := json.Unmarshal([]byte(r.Data), &w); err != nil {
			t.Fatal(err)
		}
		if w.Type == account.WebhookSessionEnded && w.Data.Reason == account.EndedByOperator {
			n++
			if w.Data.UserID != ada.PublicID || w.Data.SessionsEnded != 1 {
				t.Errorf("webhook %+v", w.Data)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d session.ended webhooks from the operator, want 2", n)
	}
}
