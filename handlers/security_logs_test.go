package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// Rule 40: walk every flow, then search everything the handlers and the
// mail worker logged for the secrets those flows handled: link tokens,
// verification codes, passwords, the session and binding cookies.
func TestRule40LogsHoldNoSecrets(t *testing.T) {
	app := newApp(t, storetest.SQLite)
	const email = "logs@example.com"
	var tokens, codes, passwords, cookies []string
	keep := func(list *[]string, what, v string) {
		t.Helper()
		if v == "" {
			t.Fatalf("no %s to look for", what)
		}
		*list = append(*list, v)
	}
	link := func(path string) string {
		t.Helper()
		l := app.LastLink(email, path)
		u, err := url.Parse(l)
		if err != nil {
			t.Fatal(err)
		}
		keep(&tokens, "link token", u.Query().Get("token"))
		keep(&tokens, "link", l)
		return l
	}
	b := app.Browser()

	// Register; the email has a link and a code, the browser a binding cookie.
	mustRedirect(t, b.Post("/register", registration(email)), "/register/sent")
	must(t, b.Get("/register/sent"), http.StatusOK)
	keep(&cookies, "binding cookie", b.Cookie("gatehouse_verify"))
	keep(&codes, "activation code", app.lastCode(email))

	// Activate by the link and set the password.
	mustRedirect(t, b.Get(link("/activate")), "/password/set")
	must(t, b.Get("/password/set"), http.StatusOK)
	keep(&passwords, "password", goodPassword)
	mustRedirect(t, b.Post("/password/set", url.Values{"password": {goodPassword}, "password_confirm": {goodPassword}}),
		"/login?notice=password_set")

	// Sign in, see the account, sign out.
	mustRedirect(t, b.Post("/login", url.Values{"email": {email}, "password": {goodPassword}}), "/account")
	keep(&cookies, "session cookie", b.Cookie("gatehouse_session"))
	must(t, b.Get("/account"), http.StatusOK)
	mustRedirect(t, b.Post("/logout", nil), "/login?notice=signed_out")

	// Forgot the password; reset it by the link.
	mustRedirect(t, b.Post("/password/forgot", url.Values{"email": {email}}), "/password/forgot/sent")
	keep(&cookies, "binding cookie", b.Cookie("gatehouse_verify"))
	keep(&codes, "reset code", app.lastCode(email))
	mustRedirect(t, b.Get(link("/password/reset")), "/password/reset")
	must(t, b.Get("/password/reset"), http.StatusOK)
	second := "a different, longer passphrase"
	keep(&passwords, "password", second)
	mustRedirect(t, b.Post("/password/reset", url.Values{"password": {second}, "password_confirm": {second}}),
		"/login?notice=password_reset")

	// Forgot it again; reset it by the code, in another browser.
	c := app.Browser()
	mustRedirect(t, c.Post("/password/forgot", url.Values{"email": {email}}), "/password/forgot/sent")
	keep(&cookies, "binding cookie", c.Cookie("gatehouse_verify"))
	link("/password/reset") // the unused link of that email
	code := app.lastCode(email)
	keep(&codes, "reset code", code)
	mustRedirect(t, c.Post("/password/forgot/verify", url.Values{"code": {code}}), "/password/reset")
	third := "yet another passphrase, typed by hand"
	keep(&passwords, "password", third)
	mustRedirect(t, c.Post("/password/reset", url.Values{"password": {third}, "password_confirm": {third}}),
		"/login?notice=password_reset")

	// A failed login, then a good one.
	wrong := "not the password at all, sorry"
	keep(&passwords, "password", wrong)
	must(t, c.Post("/login", url.Values{"email": {email}, "password": {wrong}}), http.StatusUnauthorized)
	mustRedirect(t, c.Post("/login", url.Values{"email": {email}, "password": {third}}), "/account")
	keep(&cookies, "session cookie", c.Cookie("gatehouse_session"))
	must(t, c.Get("/account"), http.StatusOK)

	// The dev mailbox shows every link and code; that page's request is
	// logged too.
	box := c.Get("/dev/mailbox")
	must(t, box, http.StatusOK, "token=")
	must(t, c.Get("/dev/mailbox/1"), http.StatusOK)
	app.Mail(email) // the worker's log lines for the last emails

	logs := app.Logs.String()
	check := func(what string, secrets []string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("the logs hold a %s (%q):\n%s", what, s, linesWith(logs, s))
			}
			if q := url.QueryEscape(s); q != s && strings.Contains(logs, q) {
				t.Errorf("the logs hold a %s, query-escaped (%q):\n%s", what, q, linesWith(logs, q))
			}
		}
	}
	check("link token or link", tokens)
	check("password", passwords)
	check("cookie value", cookies)
	for _, code := range codes {
		// Not inside a longer run of letters and digits (a request id may
		// hold six digits by chance).
		re := regexp.MustCompile(`(^|[^0-9A-Za-z])` + code + `([^0-9A-Za-z]|$)`)
		if re.MatchString(logs) {
			t.Errorf("the logs hold a verification code (%s):\n%s", code, linesWith(logs, code))
		}
	}
	if strings.Contains(logs, "token=") {
		t.Errorf("the logs hold \"token=\":\n%s", linesWith(logs, "token="))
	}

	// Rule 39: the events are there, so this test fails if logging stops.
	for _, event := range []string{
		`msg="http request"`, `msg="account registration"`, `msg="account password set"`, `msg="account login ok"`,
		`msg="account login failed"`, `msg="account logout"`, `msg="account reset requested"`,
		`msg="account code verified"`, `msg="outbox sent"`,
	} {
		if !strings.Contains(logs, event) {
			t.Errorf("no %s event in the logs:\n%s", event, logs)
		}
	}
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `msg="http request"`) && (!strings.Contains(line, "request_id=") || !strings.Contains(line, "ip=")) {
			t.Errorf("request log line without request id or IP: %s", line)
		}
		if strings.Contains(line, `msg="account login ok"`) && !strings.Contains(line, "user_id=") {
			t.Errorf("login log line without user id: %s", line)
		}
	}
	if n := strings.Count(logs, `msg="http request"`); n < 20 {
		t.Errorf("%d request log lines for about 30 requests", n)
	}
}

// linesWith returns the log lines that contain s.
func linesWith(logs, s string) string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
