package account_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// TestStats: today's and this week's figures count the trail and the
// outbox from midnight UTC and from Monday; the funnel follows each day's
// registrations to activation and a first sign-in.
func TestStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 4)
		now := e.clk.Now() // Wednesday 2 January 2030, 09:00 UTC
		add := func(email string, created time.Time, activated, signedIn bool) {
			t.Helper()
			u := &store.User{PublicID: store.NewPublicID(), Email: email, Country: "GB", Locale: "en", Status: store.UserPending,
				CreatedAt: created, UpdatedAt: created}
			if activated {
				a := created.Add(time.Hour)
				u.ActivatedAt, u.Status = &a, store.UserActive
			}
			if _, err := st.CreateUserIfAbsent(e.ctx, u); err != nil {
				t.Fatal(err)
			}
			ev := []store.AuditEvent{{UserID: &u.ID, Kind: string(account.EventRegistered), CreatedAt: created}}
			if activated {
				ev = append(ev, store.AuditEvent{UserID: &u.ID, Kind: string(account.EventActivated), CreatedAt: *u.ActivatedAt})
			}
			if signedIn {
				ev = append(ev, store.AuditEvent{UserID: &u.ID, Kind: string(account.EventLoginOK), CreatedAt: created.Add(2 * time.Hour)})
			}
			for i := range ev {
				if err := st.AddAuditEvent(e.ctx, &ev[i]); err != nil {
					t.Fatal(err)
				}
			}
		}
		today := time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)
		add("a@example.com", today.Add(-3*time.Hour), true, true)     // yesterday 21:00; activated and signed in yesterday
		add("b@example.com", today.Add(-2*24*time.Hour), true, false) // Monday
		add("c@example.com", today.Add(-2*24*time.Hour), false, false)
		add("d@example.com", today.Add(-10*24*time.Hour), true, true) // last week
		add("e@example.com", today.Add(-40*24*time.Hour), true, true) // before the funnel
		add("f@example.com", now.Add(-5*time.Hour), false, false)     // today 04:00
		bounce := now.Add(-time.Hour)
		if err := st.Enqueue(e.ctx, &store.OutboxMessage{Kind: "activation", Recipient: "f@example.com", Locale: "en", Data: "{}", CreatedAt: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		rows, _ := st.ListMail(e.ctx, "", 1)
		if err := st.MarkOutboxFailed(e.ctx, rows[0].ID, "boom"); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkOutboxSentWithIDs(e.ctx, []int64{rows[0].ID}, []string{"m1"}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := st.RecordMailEvent(e.ctx, store.MailEvent{ID: "ev1", Type: store.DeliveryBounced, MessageID: "m1", At: bounce}); err != nil {
			t.Fatal(err)
		}

		s, err := e.svc.Stats(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (account.Counts{SignUps: 1, Bounces: 1}); s.Today != want {
			t.Errorf("today %+v, want %+v", s.Today, want)
		}
		if want := (account.Counts{SignUps: 4, Activations: 2, SignIns: 1, Bounces: 1}); s.Week != want {
			t.Errorf("week %+v, want %+v", s.Week, want)
		}
		if len(s.Funnel) != account.FunnelDays || !s.Funnel[len(s.Funnel)-1].Day.Equal(today) {
			t.Fatalf("funnel of %d days ending %v", len(s.Funnel), s.Funnel[len(s.Funnel)-1].Day)
		}
		at := func(d time.Time) account.FunnelDay {
			return s.Funnel[account.FunnelDays-1-int(today.Sub(d)/(24*time.Hour))]
		}
		for _, c := range []struct {
			day  time.Time
			want [3]int
		}{{today, [3]int{1, 0, 0}}, {today.AddDate(0, 0, -1), [3]int{1, 1, 1}}, {today.AddDate(0, 0, -2), [3]int{2, 1, 0}},
			{today.AddDate(0, 0, -10), [3]int{1, 1, 1}}, {today.AddDate(0, 0, -5), [3]int{0, 0, 0}}} {
			d := at(c.day)
			if got := [3]int{d.Registered, d.Activated, d.SignIn}; got != c.want {
				t.Errorf("%s: %v, want %v", c.day.Format(time.DateOnly), got, c.want)
			}
		}
		total := 0
		for _, d := range s.Funnel {
			total += d.Registered
		}
		if total != 5 {
			t.Errorf("the funnel counts %d sign-ups, want 5 (e is older than 30 days)", total)
		}
	})
}

// TestExportAuditCSVSafe: a user agent a visitor chose cannot become a
// spreadsheet formula, and the export names the command line's operator.
func TestExportAuditCSVSafe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 4)
		if err := st.AddAuditEvent(e.ctx, &store.AuditEvent{Kind: "login_failed", IP: "192.0.2.1", UserAgent: "=HYPERLINK(\"http://x\")", CreatedAt: e.clk.Now()}); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := e.svc.ExportAudit(e.ctx, account.AuditQuery{}, account.ExportCSV, &buf, account.Operator{Name: "cli ops"}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("%v %v", err, recs)
		}
		if recs[1][6] != "'=HYPERLINK(\"http://x\")" {
			t.Errorf("user agent exported as %q", recs[1][6])
		}
		if recs[2][2] != string(account.EventAuditExported) || recs[2][4] != "cli ops" {
			t.Errorf("the export's own event: %v", recs[2])
		}
		if err := e.svc.ExportAudit(e.ctx, account.AuditQuery{}, "xml", &buf, account.Operator{}); err == nil {
			t.Error("an unknown format was accepted")
		}
	})
}

// TestExportAuditOrgKeepsFormerMembers: an organisation's export keeps
// what its people did while they were in it, after they were removed (by
// an operator here, whose action on them is the organisation's too) or
// left, and leaves out what they did after, in another organisation or
// in none.
func TestExportAuditOrgKeepsFormerMembers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := orgEnv(t, st)
		ada := acme(t, e, account.JoinAuto)
		e.signUp("bob@acme.example", "Bob", "Acme")
		e.signUp("cy@acme.example", "Cy", "Acme")
		e.signUp("hank@globex.example", "Hank", "Globex")
		e.who("bob@acme.example")
		cy := e.who("cy@acme.example")
		by := account.OrgOperator{Operator: consoleOperator(t, st, "ops@ops.example"), Org: ada.Org.OrgPublicID}
		if err := e.svc.RemoveMember(e.ctx, by, e.user("bob@acme.example").PublicID, meta); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Leave(e.ctx, cy, meta); err != nil {
			t.Fatal(err)
		}
		// After: Bob signs in with no organisation, Cy's sign-in is
		// refused.
		e.who("bob@acme.example")
		if _, err := e.svc.Login(e.ctx, "cy@acme.example", "wrong password", "", meta); err == nil {
			t.Fatal("a wrong password signed in")
		}

		export := func(q account.AuditQuery) []string {
			t.Helper()
			var buf bytes.Buffer
			if err := e.svc.ExportAudit(e.ctx, q, account.ExportCSV, &buf, account.Operator{Name: "cli ops"}); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range recs[1:] {
				out = append(out, r[2]+" "+r[3])
			}
			return out
		}
		got := export(account.AuditQuery{Org: ada.Org.OrgPublicID, Kinds: []account.Event{account.EventLoginOK, account.EventLoginFailed, account.EventOrgChangedByOperator}})
		want := []string{"login_ok ada@acme.example", "login_ok ada@acme.example", "login_ok bob@acme.example", "login_ok cy@acme.example",
			"org_changed_by_operator bob@acme.example"}
		if !slices.Equal(got, want) {
			t.Errorf("Acme's export after Bob's removal and Cy's leaving\n%q\nwant\n%q", got, want)
		}
		if got := export(account.AuditQuery{Email: "bob@acme.example", Kinds: []account.Event{account.EventLoginOK}}); len(got) != 2 {
			t.Errorf("Bob's own export %q, want both his sign-ins", got)
		}
	})
}
