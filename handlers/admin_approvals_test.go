package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/platform"
)

// adminWaiting signs email up through the pages in approval mode, so the
// account waits for an operator, and returns a browser signed in as it.
func adminWaiting(t *testing.T, app *testApp, email string) *browser {
	t.Helper()
	b := app.Browser()
	mustRedirect(t, b.Post("/register", registration(email)), "/register/sent")
	mustRedirect(t, b.Get(app.LastLink(email, "/activate")), "/password/set")
	mustRedirect(t, b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}}), "/login?notice=awaiting_approval")
	return adminSignIn(t, app, email)
}

// approvalOperator makes email, where sign-ups wait for approval, an
// approved account with the operator role, as the command line would.
func approvalOperator(t *testing.T, app *testApp, email string) {
	t.Helper()
	ctx := context.Background()
	secSignUpDirect(t, app, email)
	if err := app.Account.ApproveSignup(ctx, email, adminCLI); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Account.GrantOperator(ctx, email, adminCLI); err != nil {
		t.Fatal(err)
	}
}

// queueWaiting puts n accounts waiting for approval straight into the
// store, a second apart from an hour ago, named wait0…@example.com with
// digits-wide numbers; it returns their addresses, oldest first.
func queueWaiting(t *testing.T, app *testApp, n, digits int) []string {
	t.Helper()
	start := app.Now().Add(-time.Hour)
	emails := make([]string, n)
	for i := range n {
		num := fmt.Sprintf("%0*d", digits, i)
		u := &store.User{Email: "wait" + num + "@example.com", FirstName: "Wait", LastName: num,
			Status: store.UserPending, Approval: store.ApprovalPending, CreatedAt: start.Add(time.Duration(i) * time.Second), UpdatedAt: start}
		if _, err := app.Store.CreateUserIfAbsent(context.Background(), u); err != nil {
			t.Fatal(err)
		}
		emails[i] = u.Email
	}
	return emails
}

// adminSignIn signs email in wherever the answer sends it.
func adminSignIn(t *testing.T, app *testApp, email string) *browser {
	t.Helper()
	b := app.Browser()
	if p := b.Post("/login", url.Values{"email": {email}, "password": {goodPassword}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s: %d", email, p.StatusCode)
	}
	return b
}

// TestAdminApprovals: in approval mode the operator is emailed of a new
// sign-up, the console's navigation shows the queue with its length, the
// queue lists the account with Approve and Decline; approving (htmx or
// not) lets it reach /account and the platform, declining asks for the
// password when it is old, erases the account and emails the person; both
// are audited with the operator as actor; a non-operator gets 404.
func TestAdminApprovals(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		plat := platform.Start()
		defer plat.Close()
		app := newApp(t, backend, withPlatform(plat), func(o *appOptions) {
			o.signupMode = account.SignupApproval
			o.approvalNotify = []string{"OP@example.com"}
		})
		secSignUpDirect(t, app, "op@example.com")
		// In approval mode the operator's own sign-up waited too; the
		// command line lets it in.
		if err := app.Account.ApproveSignup(context.Background(), "op@example.com", adminCLI); err != nil {
			t.Fatal(err)
		}
		if _, err := app.Account.GrantOperator(context.Background(), "op@example.com", adminCLI); err != nil {
			t.Fatal(err)
		}
		op := adminSignIn(t, app, "op@example.com")
		opID := secUser(t, app.Store, "op@example.com").ID
		ada := adminWaiting(t, app, "ada@acme.example")
		adaUser := secUser(t, app.Store, "ada@acme.example")
		n := 0
		for _, m := range app.Mail("op@example.com") {
			if strings.Contains(m.Text, "ada@acme.example") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the operator got %d emails of the sign-up, want 1", n)
		}

		p := op.Get(paths.AdminApprovals)
		must(t, p, http.StatusOK, "Sign-ups to approve", "ada@acme.example", `data-testid="approval-row"`,
			"Approvals (1)", `action="`+paths.AdminUserURL(paths.AdminUserApprove, adaUser.PublicID)+`"`,
			`action="`+paths.AdminUserURL(paths.AdminUserDecline, adaUser.PublicID)+`"`, ">Approve<", ">Decline<")
		must(t, op.Get(paths.Admin), http.StatusOK, "Approvals (1)")
		must(t, op.Get(paths.AdminUserURL(paths.AdminUser, adaUser.PublicID)), http.StatusOK, `data-testid="awaiting"`, ">Approve<", ">Decline<")

		// A non-operator, the waiting person included, gets nothing.
		for _, b := range []*browser{ada, app.Browser()} {
			must(t, b.Get(paths.AdminApprovals), http.StatusNotFound)
			must(t, b.Post(paths.AdminUserURL(paths.AdminUserApprove, adaUser.PublicID), nil), http.StatusNotFound)
		}
		before := len(plat.Requests())
		if got := ada.Get("/api/things"); got.StatusCode != http.StatusForbidden || len(plat.Requests()) != before {
			t.Fatalf("a waiting account reached the platform: %d", got.StatusCode)
		}

		// Approve from the queue, with htmx: back to the queue.
		req, _ := http.NewRequest("POST", op.abs(paths.AdminUserURL(paths.AdminUserApprove, adaUser.PublicID)),
			strings.NewReader(url.Values{"from": {"approvals"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		p = op.do(req)
		if p.StatusCode != http.StatusNoContent || !strings.Contains(p.Header.Get("HX-Location"), paths.AdminApprovals+"?done=approved") {
			t.Fatalf("htmx approve: %d %q", p.StatusCode, p.Header.Get("HX-Location"))
		}
		adminMustActor(t, app.Store, account.EventApprovedByOperator, opID)
		if m := app.Mail("ada@acme.example"); !strings.Contains(m[len(m)-1].Subject, "approved") {
			t.Fatalf("approval email %q", m[len(m)-1].Subject)
		}
		must(t, ada.Get(paths.Account), http.StatusOK)
		if got := ada.Get("/api/things"); got.StatusCode != http.StatusOK || len(plat.Requests()) != before+1 {
			t.Fatalf("an approved account's API call: %d", got.StatusCode)
		}
		must(t, op.Get(paths.AdminApprovals+"?done=approved"), http.StatusOK, "The sign-up is approved", "No sign-up is waiting", "Approvals (0)")
		// Approving again is refused with a reason.
		must(t, op.Post(paths.AdminUserURL(paths.AdminUserApprove, adaUser.PublicID), nil), http.StatusConflict, "not waiting for approval")

		// Decline from the account's page, once the password is old: asked
		// again, then the account is erased and the person told.
		adminWaiting(t, app, "hank@globex.example")
		hank := secUser(t, app.Store, "hank@globex.example")
		decline := paths.AdminUserURL(paths.AdminUserDecline, hank.PublicID)
		app.Advance(16 * time.Minute)
		must(t, op.Post(decline, nil), http.StatusOK, `name="reauth_password"`)
		secUser(t, app.Store, "hank@globex.example")
		mustRedirect(t, op.Post(decline, url.Values{"reauth_password": {goodPassword}}), paths.AdminApprovals+"?done=declined")
		secNoUser(t, app.Store, "hank@globex.example")
		adminMustActor(t, app.Store, account.EventDeclinedByOperator, opID)
		if m := app.Mail("hank@globex.example"); len(m) == 0 || !strings.Contains(m[len(m)-1].Subject, "not approved") {
			t.Fatalf("decline email %+v", m)
		}
		must(t, op.Get(paths.AdminUserURL(paths.AdminUser, hank.PublicID)), http.StatusNotFound)
	})
}

// TestAdminApprovalsPages: the queue shows the account list's page size,
// oldest first, with a link to the next page and back to the head, so a
// queue longer than a page hides nobody.
func TestAdminApprovalsPages(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, func(o *appOptions) { o.signupMode = account.SignupApproval })
		approvalOperator(t, app, "op@example.com")
		op := app.signIn("op@example.com", goodPassword)
		queueWaiting(t, app, 51, 2)
		p := op.Get(paths.AdminApprovals)
		must(t, p, http.StatusOK, "wait00@example.com", "wait49@example.com", `rel="next"`)
		if n := strings.Count(p.Body, `data-testid="approval-row"`); n != 50 {
			t.Errorf("first page has %d rows, want 50", n)
		}
		if strings.Contains(p.Body, "wait50@example.com") || strings.Contains(p.Body, "First page") {
			t.Error("the first page shows the 51st account or a link to itself")
		}
		next := regexp.MustCompile(`href="(/admin/approvals\?after=[^"]+)" rel="next"`).FindStringSubmatch(p.Body)
		if next == nil {
			t.Fatal("no next-page link")
		}
		p = op.Get(html.UnescapeString(next[1]))
		must(t, p, http.StatusOK, "wait50@example.com", "First page")
		if n := strings.Count(p.Body, `data-testid="approval-row"`); n != 1 || strings.Contains(p.Body, `rel="next"`) {
			t.Errorf("second page: %d rows, next link %v", n, strings.Contains(p.Body, `rel="next"`))
		}
		// A cursor that does not parse starts at the head.
		must(t, op.Get(paths.AdminApprovals+"?after=nonsense"), http.StatusOK, "wait00@example.com")
	})
}

// TestAdminApprovalsKeepPage: approving or declining on a later page of
// the queue, with htmx or not, comes back to that page, and a page the
// queue shrank away from shows the queue's last page instead, whose
// buttons then come back to it.
func TestAdminApprovalsKeepPage(t *testing.T) {
	secEachBackend(t, func(t *testing.T, backend storetest.Backend) {
		app := newApp(t, backend, func(o *appOptions) { o.signupMode = account.SignupApproval })
		approvalOperator(t, app, "op@example.com")
		op := app.signIn("op@example.com", goodPassword)
		ids := map[int]string{}
		for i, email := range queueWaiting(t, app, 102, 3) {
			ids[i] = secUser(t, app.Store, email).PublicID
		}
		nextRe := regexp.MustCompile(`href="/admin/approvals\?after=([^"]+)" rel="next"`)
		cursorOf := func(p page) string {
			t.Helper()
			m := nextRe.FindStringSubmatch(p.Body)
			if m == nil {
				t.Fatalf("no next-page link\n%s", p.Body)
			}
			c, err := url.QueryUnescape(html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		page2 := cursorOf(op.Get(paths.AdminApprovals))
		page3 := cursorOf(op.Get(paths.AdminApprovals + "?after=" + url.QueryEscape(page2)))
		p := op.Get(paths.AdminApprovals + "?after=" + url.QueryEscape(page3))
		must(t, p, http.StatusOK, "wait100@example.com", "wait101@example.com", `name="after" value="`+page3+`"`)

		// Without htmx: approving on page 3 comes back to page 3.
		back := paths.AdminApprovals + "?after=" + url.QueryEscape(page3) + "&done=approved"
		mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserApprove, ids[100]),
			url.Values{"from": {components.FromQueue}, "after": {page3}}), back)
		p = op.Get(back)
		must(t, p, http.StatusOK, "The sign-up is approved", "wait101@example.com", "First page")
		if strings.Contains(p.Body, "wait100@example.com") || strings.Contains(p.Body, "wait099@example.com") {
			t.Fatalf("page 3 after the approval shows another page's rows\n%s", p.Body)
		}

		// With htmx: declining the last account of page 3 comes back to
		// page 3's address, which, gone, shows the queue's last page (the
		// old page 2), whose buttons carry page 2's cursor.
		req, _ := http.NewRequest("POST", op.abs(paths.AdminUserURL(paths.AdminUserDecline, ids[101])),
			strings.NewReader(url.Values{"from": {components.FromQueue}, "after": {page3}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("HX-Request", "true")
		p = op.do(req)
		back = paths.AdminApprovals + "?after=" + url.QueryEscape(page3) + "&done=declined"
		var loc struct{ Path string }
		if err := json.Unmarshal([]byte(p.Header.Get("HX-Location")), &loc); err != nil || p.StatusCode != http.StatusNoContent || loc.Path != back {
			t.Fatalf("htmx decline: %d %q, want the path %q", p.StatusCode, p.Header.Get("HX-Location"), back)
		}
		secNoUser(t, app.Store, "wait101@example.com")
		p = op.Get(back)
		must(t, p, http.StatusOK, "wait050@example.com", "wait099@example.com", "First page", `name="after" value="`+page2+`"`)
		if n := strings.Count(p.Body, `data-testid="approval-row"`); n != 50 || strings.Contains(p.Body, `rel="next"`) || strings.Contains(p.Body, "wait049@example.com") {
			t.Fatalf("the clamped page has %d rows, a next link %v or the head's rows", n, strings.Contains(p.Body, `rel="next"`))
		}
		mustRedirect(t, op.Post(paths.AdminUserURL(paths.AdminUserApprove, ids[99]),
			url.Values{"from": {components.FromQueue}, "after": {page2}}), paths.AdminApprovals+"?after="+url.QueryEscape(page2)+"&done=approved")

		// A queue shorter than a page falls back to its head.
		for i := 50; i < 99; i++ {
			if err := app.Account.ApproveSignup(context.Background(), fmt.Sprintf("wait%03d@example.com", i), adminCLI); err != nil {
				t.Fatal(err)
			}
		}
		p = op.Get(paths.AdminApprovals + "?after=" + url.QueryEscape(page2))
		must(t, p, http.StatusOK, "wait000@example.com", "wait049@example.com")
		if strings.Contains(p.Body, "First page") || strings.Contains(p.Body, `name="after"`) {
			t.Fatalf("the head, reached by clamping, links to itself or carries a cursor\n%s", p.Body)
		}
	})
}
