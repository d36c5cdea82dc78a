package components_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
	"golang.org/x/text/language"

	"gatehouse/components"
	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
)

func catalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// english is a request context carrying the English localizer, as the
// i18n middleware sets it.
func english(t *testing.T) context.Context {
	t.Helper()
	return i18n.With(context.Background(), catalog(t).Localizer(language.English))
}

// render renders c and parses the result.
func render(t *testing.T, ctx context.Context, c templ.Component) (string, node) {
	t.Helper()
	var b bytes.Buffer
	if err := c.Render(ctx, &b); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String(), parse(t, b.String())
}

func parse(t *testing.T, s string) node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return node{doc}
}

// node wraps an html.Node with the few queries these tests need; the
// module has golang.org/x/net/html but not goquery.
type node struct{ *html.Node }

// all lists n's element descendants that match, in document order.
func (n node) all(match func(node) bool) []node {
	var out []node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && match(node{c}) {
			out = append(out, node{c})
		}
		out = append(out, node{c}.all(match)...)
	}
	return out
}

// tag lists the descendants named name.
func (n node) tag(name string) []node {
	return n.all(func(e node) bool { return e.Data == name })
}

// where lists the descendants whose attribute key is val.
func (n node) where(key, val string) []node {
	return n.all(func(e node) bool { v, ok := e.attr(key); return ok && v == val })
}

// one returns the single node of list, or fails.
func one(t *testing.T, list []node, what string) node {
	t.Helper()
	if len(list) != 1 {
		t.Fatalf("%d elements for %s, want 1", len(list), what)
	}
	return list[0]
}

func (n node) attr(key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func (n node) get(key string) string { v, _ := n.attr(key); return v }

// text is n's text content.
func (n node) text() string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(h *html.Node) {
		if h.Type == html.TextNode {
			b.WriteString(h.Data)
		}
		for c := h.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n.Node)
	return b.String()
}

// children lists n's element children.
func (n node) children() []node {
	var out []node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			out = append(out, node{c})
		}
	}
	return out
}

// outer is n's markup, shortened for messages.
func (n node) outer() string {
	var b strings.Builder
	html.Render(&b, n.Node)
	h := b.String()
	if len(h) > 160 {
		h = h[:160] + "…"
	}
	return h
}

func msg(id string) i18n.Message { return i18n.Msg(id) }

// allErrors is a register form with a problem on every field.
func allErrors() components.Form {
	f := components.Form{Values: map[string]string{"email": "ada@example.com", "country": "GB"}, Errors: map[string]i18n.Message{}}
	f.Errors["first_name"] = msg("error.first_name.required")
	f.Errors["last_name"] = i18n.Message{ID: "error.field.too_long", Data: map[string]any{"Max": 100}}
	f.Errors["company"] = msg("error.company.required")
	f.Errors["country"] = msg("error.country.invalid")
	f.Errors["region"] = msg("error.region.invalid")
	f.Errors["email"] = msg("error.email.invalid")
	f.Errors["phone"] = msg("error.phone.invalid")
	f.Errors["accept_terms"] = msg("error.accept_terms.required")
	// Any other field gets the problem every typed field can have.
	for _, spec := range account.RegistrationFields {
		if _, ok := f.Errors[spec.Name]; !ok {
			f.Errors[spec.Name] = i18n.Message{ID: "error.field.too_long", Data: map[string]any{"Max": spec.MaxLen}}
		}
	}
	return f
}

// pages renders every full page with representative data.
func pages() map[string]templ.Component {
	pwErrs := components.Form{Errors: map[string]i18n.Message{
		"password":         {ID: "error.password.too_short", Data: map[string]any{"Min": 15}},
		"password_confirm": msg("error.password.mismatch"),
	}}
	return map[string]templ.Component{
		"login": components.LoginPage(components.LoginView{
			Form:   components.Form{Values: map[string]string{"email": "ada@example.com", "password": "hunter2hunter2hunter2"}},
			Failed: true, Notice: account.NoticeSignedOut,
		}),
		"login errors": components.LoginPage(components.LoginView{Form: components.Form{Errors: map[string]i18n.Message{
			"email": msg("error.email.required"), "password": msg("error.password.required")}}}),
		"register": components.RegisterPage(components.RegisterView{
			Form: allErrors(), Countries: components.NewOptionList([]components.Option{{Value: "GB", Label: "United Kingdom"}, {Value: "DE", Label: "Germany"}}),
			Terms: testTerms,
		}),
		"register sent": components.SentPage(components.SentView{Flow: account.Activation, Email: "ada@example.com"}),
		"forgot sent":   components.SentPage(components.SentView{Flow: account.Recovery, Email: "ada@example.com"}),
		"set password":  components.PasswordPage(components.PasswordView{Flow: account.Activation, Email: "ada@example.com", MinLength: 15}),
		"reset password": components.PasswordPage(components.PasswordView{Flow: account.Recovery, Email: "ada@example.com", MinLength: 15,
			Form: pwErrs}),
		"forgot":       components.ForgotPage(components.Form{Errors: map[string]i18n.Message{"email": msg("error.email.invalid")}}),
		"invalid link": components.InvalidLinkPage(components.Form{}),
		"error":        components.ErrorPage(components.ErrorView{Status: 500, Title: "page.error.title", Message: "page.error.generic"}),
		"not found":    components.ErrorPage(components.ErrorView{Status: 404, Title: "page.not_found.title", Message: "page.not_found.body"}),
		"account": components.AccountPage(components.AccountView{
			Name: "Ada Lovelace", Email: "ada@example.com", Company: "Analytical Engines", Country: "United Kingdom",
			Region: "GB-LND", Phone: "+44 20 7946 0958", Notice: account.NoticeSessionsEnded,
			Sessions: []components.SessionRow{{ID: 1, Device: "Firefox on Linux", IP: "192.0.2.1", LastSeen: "now", Current: true}, {ID: 2, Device: "Safari", IP: "2001:db8::1", LastSeen: "1h"}},
			Activity: []components.ActivityDay{{Day: "2030-01-02", Items: []components.ActivityItem{
				{Kind: account.EventLoginFailed, Count: 7, Time: "1h", Device: "Firefox on Linux", IP: "192.0.2.1"},
				{Kind: account.EventLoginOK, Count: 1, Time: "now", IP: "192.0.2.1"}}}},
			Profile: components.RegisterView{Form: components.Form{Values: map[string]string{"first_name": "Ada"}},
				Countries: components.NewOptionList([]components.Option{{Value: "GB", Label: "United Kingdom"}}), Validate: "/account/profile/validate"},
		}),
		"email confirm": components.EmailConfirmPage(components.EmailChangeView{Flow: account.EmailChange, From: "ada@example.com", To: "ada@example.org"}),
		"email revert":  components.EmailRevertPage(components.EmailChangeView{From: "ada@example.org", To: "ada@example.com"}),
		"email sent":    components.SentPage(components.SentView{Flow: account.EmailChange, Email: "ada@example.org", Codes: true}),
		"delete":        components.DeletePage(components.DeleteView{Email: "ada@example.com"}),
		"mailbox": components.MailboxPage([]components.MailboxMessage{{ID: 1, To: "ada@example.com", Subject: "Activate", Text: "Hello", When: "now",
			Links: []string{"http://localhost:8080/activate?token=abc"}}}),
		"mailbox empty": components.MailboxPage(nil),
		"login passkeys": components.LoginPage(components.LoginView{Passkeys: true, PasskeyOffer: true, Notice: account.NoticePasskeyAdded,
			Form: components.Form{Values: map[string]string{"email": "ada@example.com", "return_to": "/reports"}}}),
		"account passkeys": components.AccountPage(components.AccountView{
			Name: "Ada Lovelace", Email: "ada@example.com", Company: "Analytical Engines", Country: "United Kingdom",
			Notice: account.NoticePasskeyRenamed,
			Passkeys: components.PasskeysView{On: true, Passkeys: []components.PasskeyRow{
				{ID: 1, Name: "Firefox on Linux", Created: "now", LastUsed: "1h"}, {ID: 2, Name: "Safari", Created: "now", Synced: true}},
				Form: components.PasskeyForm{ID: 2, Form: components.Form{Values: map[string]string{"name": "Safari"},
					Errors: map[string]i18n.Message{"name": msg("error.passkey_name.required")}}}},
		}),
		"account passkey refused": components.AccountPage(components.AccountView{
			Name: "Ada Lovelace", Email: "ada@example.com", Company: "Analytical Engines", Country: "United Kingdom",
			Passkeys: components.PasskeysView{On: true, Passkeys: []components.PasskeyRow{{ID: 1, Name: "Safari", Created: "now"}},
				Form: components.PasskeyForm{ID: 1, Refused: true}},
		}),
		"org": components.OrgPage(components.OrgView{Notice: account.NoticeOrgApproved,
			Form: components.Form{Values: map[string]string{"name": "Analytical Engines"}, Errors: map[string]i18n.Message{"member": msg("error.org.last_owner")}},
			Org: account.OrgOverview{
				Me: account.OrgMembership{OrgName: "Analytical Engines", Role: account.RoleOwner},
				Members: []account.OrgMember{{PublicID: "u1", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: account.RoleOwner, Self: true, JoinedAt: &orgDay},
					{PublicID: "u2", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: account.RoleMember, JoinedAt: &orgDay, LastSignInAt: &orgDay}},
				Requests: []account.OrgMember{{PublicID: "u3", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: account.RoleMember, Pending: true, RequestedAt: orgDay}},
				Domains:  []account.OrgDomain{{Domain: "example.com", Policy: account.JoinRequest, ClaimedAt: orgDay}},
				Trail:    []account.OrgEntry{{Kind: account.OrgEventRoleChanged, At: orgDay, Actor: "Ada Lovelace", Subject: "", Detail: "admin"}},
				MyDomain: "example.com", OwnerCount: 1, MayManage: true, MayMakeOwners: true, MyDomainClaims: true,
			}}),
		"org member": components.OrgPage(components.OrgView{Org: account.OrgOverview{
			Me:      account.OrgMembership{OrgName: "Analytical Engines", Role: account.RoleMember},
			Members: []account.OrgMember{{PublicID: "u1", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: account.RoleMember, Self: true}},
		}}),
		"org waiting": components.OrgWaitingPage(components.OrgWaitingView{Waiting: account.Waiting{Kind: account.WaitApproval, OrgName: "Analytical Engines"},
			Name: "Ada Lovelace", Email: "ada@example.com"}),
		"org second step on": components.OrgPage(components.OrgView{Notice: account.NoticeOrgSecondFactorOn, Org: account.OrgOverview{
			Me:      account.OrgMembership{OrgName: "Analytical Engines", Role: account.RoleOwner, RequireSecondFactor: true},
			Members: []account.OrgMember{{PublicID: "u1", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Role: account.RoleOwner, Self: true}},
			Trail: []account.OrgEntry{{Kind: account.OrgEventSecondFactorRequired, At: orgDay, Actor: "Ada Lovelace"},
				{Kind: account.OrgEventSecondFactorOptional, At: orgDay, Actor: "Ada Lovelace"}},
			MyDomain: "example.com", OwnerCount: 1, MayManage: true, MayMakeOwners: true, MyDomainClaims: true,
		}}),
		"second step": components.SecondStepPage(components.SecondStepView{OrgName: "Analytical Engines", Passkeys: true}),
		"org invitation": components.OrgWaitingPage(components.OrgWaitingView{Waiting: account.Waiting{Kind: account.WaitInvitation},
			Name: "Ada Lovelace", Email: "ada@example.com"}),
	}
}

// orgDay is when everything on the test organisation page happened.
var orgDay = time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC)

// rawID finds an untranslated message ID in rendered text.
var rawID = regexp.MustCompile(`\b(?:app|nav|page|form|error|action|notice|event)\.[a-z_]+(?:\.[a-z_]+)*\b`)

// Rule 33: every page works under `script-src 'self'; style-src 'self'`:
// no inline script, no event-handler or style attribute, no <style>, no
// javascript: URLs, no htmx eval features; only same-origin resources
// (rule 12). The shell carries lang/dir and the htmx config before htmx.
func TestPagesCSPAndLayout(t *testing.T) {
	ctx := english(t)
	for name, page := range pages() {
		t.Run(name, func(t *testing.T) {
			src, doc := render(t, ctx, page)
			if !strings.HasPrefix(strings.ToLower(src), "<!doctype html>") {
				t.Errorf("page does not start with a doctype: %.40q", src)
			}
			h := one(t, doc.tag("html"), "html")
			if lang := h.get("lang"); lang != "en" {
				t.Errorf("html lang = %q, want en", lang)
			}
			if dir := h.get("dir"); dir != "ltr" {
				t.Errorf("html dir = %q, want ltr", dir)
			}
			// The htmx config must come before htmx reads it.
			metaAt, htmxAt := -1, -1
			for i, c := range one(t, doc.tag("head"), "head").children() {
				if c.Data == "meta" && c.get("name") == "htmx-config" {
					metaAt = i
					cfg := strings.NewReplacer(`"`, "", " ", "").Replace(c.get("content"))
					if !strings.Contains(cfg, "includeIndicatorCSS:false") {
						t.Errorf("htmx-config content %q does not turn off includeIndicatorCSS", c.get("content"))
					}
				}
				if c.Data == "script" && c.get("src") == "/static/htmx.min.js" {
					htmxAt = i
				}
			}
			if metaAt < 0 || htmxAt < 0 || metaAt > htmxAt {
				t.Errorf("head: htmx-config meta at %d, htmx script at %d; want both, meta first", metaAt, htmxAt)
			}
			for _, p := range cspProblems(doc) {
				t.Error(p)
			}
			if m := rawID.FindString(one(t, doc.tag("body"), "body").text()); m != "" {
				t.Errorf("untranslated message ID %q on the page", m)
			}
			if n := len(doc.tag("h1")); n != 1 {
				t.Errorf("%d h1 elements, want 1", n)
			}
		})
	}
}

// cspProblems lists what the CSP of rule 33 would block or what would load
// from elsewhere (rule 12).
func cspProblems(doc node) []string {
	var out []string
	for _, s := range doc.tag("script") {
		src, ok := s.attr("src")
		if !ok || strings.TrimSpace(s.text()) != "" {
			out = append(out, "inline script: "+s.outer())
		}
		if !strings.HasPrefix(src, "/static/") {
			out = append(out, "script not from /static/: "+s.outer())
		}
	}
	for _, s := range doc.tag("style") {
		out = append(out, "<style> element: "+s.outer())
	}
	for _, e := range doc.all(func(node) bool { return true }) {
		for _, a := range e.Attr {
			key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case key == "style":
				out = append(out, "style attribute: "+e.outer())
			case strings.HasPrefix(key, "hx-on") || strings.HasPrefix(key, "data-hx-on"):
				out = append(out, "hx-on needs eval: "+e.outer())
			case strings.HasPrefix(key, "on"):
				out = append(out, "event-handler attribute: "+e.outer())
			case strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "js:"):
				out = append(out, "script URL: "+e.outer())
			case (key == "src" || (key == "href" && e.Data == "link")) && !strings.HasPrefix(a.Val, "/"):
				out = append(out, "third-party resource: "+e.outer())
			case key == "hx-trigger" && strings.Contains(a.Val, "["):
				out = append(out, "hx-trigger filter needs eval: "+e.outer())
			}
		}
	}
	return out
}

// The checker itself catches each kind of violation, so a clean page
// means something.
func TestCSPProblemsCatches(t *testing.T) {
	bad := []string{
		`<script>alert(1)</script>`,
		`<script src="/static/x.js">alert(1)</script>`,
		`<script src="https://cdn.example/htmx.js"></script>`,
		`<style>p{}</style>`,
		`<p style="color:red">x</p>`,
		`<button onclick="go()">x</button>`,
		`<div hx-on:click="go()">x</div>`,
		`<a href="javascript:go()">x</a>`,
		`<div hx-vals="js:{a:1}">x</div>`,
		`<img src="https://tracker.example/p.gif">`,
		`<link rel="stylesheet" href="https://cdn.example/x.css">`,
		`<input hx-trigger="keyup[key=='Enter']">`,
	}
	for _, b := range bad {
		if len(cspProblems(parse(t, "<!DOCTYPE html><html><head></head><body>"+b+"</body></html>"))) == 0 {
			t.Errorf("cspProblems missed %s", b)
		}
	}
	good := `<!DOCTYPE html><html><head><script src="/static/htmx.min.js" defer></script><link rel="stylesheet" href="/static/app.css"></head><body><a href="/login" class="link">x</a></body></html>`
	if p := cspProblems(parse(t, good)); len(p) != 0 {
		t.Errorf("cspProblems flags clean markup: %v", p)
	}
}

// Right-to-left languages get dir=rtl on the shell.
func TestPageRTL(t *testing.T) {
	ctx := i18n.With(context.Background(), catalog(t).Localizer(language.Arabic))
	_, doc := render(t, ctx, components.ForgotPage(components.Form{}))
	h := one(t, doc.tag("html"), "html")
	if lang := h.get("lang"); lang != "ar" {
		t.Errorf("lang = %q", lang)
	}
	if dir := h.get("dir"); dir != "rtl" {
		t.Errorf("dir = %q, want rtl", dir)
	}
}

// Rule 18: password inputs are type=password with the right autocomplete,
// paste is not blocked, the new password is entered twice, and a typed
// password is never sent back in the page.
func TestPasswordInputs(t *testing.T) {
	ctx := english(t)
	tests := []struct {
		name   string
		page   templ.Component
		inputs map[string]string // name → autocomplete
	}{
		{"login", pages()["login"], map[string]string{"password": "current-password"}},
		{"set password", pages()["set password"], map[string]string{"password": "new-password", "password_confirm": "new-password"}},
		{"reset password", pages()["reset password"], map[string]string{"password": "new-password", "password_confirm": "new-password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, doc := render(t, ctx, tt.page)
			if n := len(doc.where("type", "password")); n != len(tt.inputs) {
				t.Errorf("%d password inputs, want %d", n, len(tt.inputs))
			}
			for name, ac := range tt.inputs {
				in := one(t, doc.where("name", name), "input "+name)
				if got := in.get("type"); got != "password" {
					t.Errorf("%s type = %q, want password", name, got)
				}
				if got := in.get("autocomplete"); got != ac {
					t.Errorf("%s autocomplete = %q, want %q", name, got, ac)
				}
				if _, has := in.attr("value"); has {
					t.Errorf("%s carries a value: %s", name, in.outer())
				}
				// Paste stays allowed, and no maxlength silently cuts a
				// pasted password (rule 14: too long is an error).
				for _, a := range []string{"onpaste", "oncopy", "readonly", "disabled", "maxlength"} {
					if _, has := in.attr(a); has {
						t.Errorf("%s has %s", name, a)
					}
				}
				if len(doc.where("for", in.get("id"))) != 1 {
					t.Errorf("%s (id %q) has no label", name, in.get("id"))
				}
			}
			if strings.Contains(src, "hunter2hunter2hunter2") {
				t.Error("the typed password is echoed into the page")
			}
			// Password managers need the account name beside a new password.
			if _, ok := tt.inputs["password_confirm"]; ok {
				u := one(t, doc.where("autocomplete", "username"), "username input")
				if u.get("value") != "ada@example.com" {
					t.Errorf("username field beside the new password: %s", u.outer())
				}
			}
			if tt.name == "login" {
				if got := one(t, doc.where("name", "email"), "email").get("autocomplete"); got != "username" {
					t.Errorf("login email autocomplete = %q, want username", got)
				}
			}
		})
	}
}

// Rule 18: a show-password toggle belongs to each password field.
func TestShowPasswordToggle(t *testing.T) {
	_, doc := render(t, english(t), pages()["set password"])
	toggles := doc.all(func(e node) bool { return e.Data == "button" && e.get("aria-controls") == "f-password" })
	if len(toggles) == 0 {
		t.Fatal("the password field has no show-password toggle")
	}
	if toggles[0].get("type") != "button" {
		t.Errorf("toggle is not type=button, it would submit the form: %s", toggles[0].outer())
	}
}

// Rule 18 (accessible errors): a field with a problem is aria-invalid and
// described by the element holding the message; without one it is valid.
func TestFieldErrors(t *testing.T) {
	ctx := english(t)
	bad := components.Form{
		Values: map[string]string{"email": "nope", "country": "XX"},
		Errors: map[string]i18n.Message{
			"email":        msg("error.email.invalid"),
			"password":     {ID: "error.password.too_short", Data: map[string]any{"Min": 15}},
			"country":      msg("error.country.invalid"),
			"accept_terms": msg("error.accept_terms.required"),
		},
	}
	tests := []struct {
		name, field, want string
		comp              func(f components.Form) templ.Component
		hint              bool
	}{
		{"Input", "email", "Enter an email address like name@example.com.", func(f components.Form) templ.Component {
			return components.Input(components.Field{Name: "email", Label: "form.email", Hint: "form.email_hint", Type: "email", Required: true}, f)
		}, true},
		{"PasswordInput", "password", "Use at least 15 characters.", func(f components.Form) templ.Component {
			return components.PasswordInput(components.Field{Name: "password", Label: "form.new_password", Hint: "form.password_hint",
				HintData: map[string]any{"Min": 15}, Autocomplete: "new-password", Required: true}, f)
		}, true},
		{"Select", "country", "Choose a country or region from the list.", func(f components.Form) templ.Component {
			return components.Select(components.Field{Name: "country", Label: "form.country", Required: true}, f, []components.Option{{Value: "GB", Label: "United Kingdom"}})
		}, false},
		{"Checkbox", "accept_terms", "Accept the terms to create an account.", func(f components.Form) templ.Component {
			return components.TermsCheckbox(components.Field{Name: "accept_terms", Label: "form.accept_terms", Required: true}, f, testTerms)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := render(t, ctx, tt.comp(bad))
			ctl := one(t, doc.where("id", "f-"+tt.field), "#f-"+tt.field)
			if got := ctl.get("aria-invalid"); got != "true" {
				t.Errorf("aria-invalid = %q, want true", got)
			}
			ids := strings.Fields(ctl.get("aria-describedby"))
			var texts []string
			for _, id := range ids {
				el := doc.where("id", id)
				if len(el) != 1 {
					t.Errorf("aria-describedby names %q, which is not on the page once", id)
					continue
				}
				texts = append(texts, strings.TrimSpace(el[0].text()))
			}
			if !slices.Contains(texts, tt.want) {
				t.Errorf("aria-describedby %v describes %q, want one to be %q", ids, texts, tt.want)
			}
			if tt.hint && len(ids) != 2 {
				t.Errorf("aria-describedby %v, want the hint and the error", ids)
			}

			_, doc = render(t, ctx, tt.comp(components.Form{}))
			ctl = one(t, doc.where("id", "f-"+tt.field), "#f-"+tt.field)
			if got := ctl.get("aria-invalid"); got != "false" {
				t.Errorf("without an error aria-invalid = %q, want false", got)
			}
			if strings.Contains(ctl.get("aria-describedby"), "error") || len(doc.where("class", "field-error")) != 0 {
				t.Errorf("without an error the field still shows one: %s", doc.outer())
			}
		})
	}
}

// The error summary lists each problem in form order, each linking to
// "#f-<field>", which must be a control on the same page.
func TestErrorSummary(t *testing.T) {
	ctx := english(t)
	_, doc := render(t, ctx, pages()["register"])
	summary := one(t, doc.where("id", "error-summary"), "#error-summary")
	if summary.get("role") != "alert" {
		t.Error("error summary is not role=alert")
	}
	links := summary.tag("a")
	if len(links) != len(account.RegistrationFieldNames) {
		t.Fatalf("%d summary links, want %d", len(links), len(account.RegistrationFieldNames))
	}
	form := allErrors()
	for i, name := range account.RegistrationFieldNames {
		t.Run(name, func(t *testing.T) {
			a := links[i]
			href := a.get("href")
			if href != "#f-"+name {
				t.Errorf("link %d href = %q, want #f-%s", i, href, name)
			}
			if want := i18n.TM(ctx, form.Errors[name]); strings.TrimSpace(a.text()) != want {
				t.Errorf("link %d text = %q, want %q", i, a.text(), want)
			}
			if len(doc.where("id", strings.TrimPrefix(href, "#"))) != 1 {
				t.Errorf("summary link %s points at nothing on the page", href)
			}
		})
	}
	// No errors, no summary.
	_, doc = render(t, ctx, components.ErrorSummary(components.Form{}, []string{"email"}))
	if len(doc.where("id", "error-summary")) != 0 {
		t.Error("summary rendered for a form without errors")
	}
}

// entity is any HTML character reference.
var entity = regexp.MustCompile(`&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);`)

// Rules 31 and 38: every email kind renders an HTML part with user data
// escaped and the link as href, and a text part with the same data
// verbatim (no entities); the password-changed email carries no token.
func TestEmails(t *testing.T) {
	ctx := english(t)
	const link = "https://gatehouse.example/activate?token=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4OTAx"
	const reset = "https://gatehouse.example/password/reset?token=cXV4MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxZm9vYmFyYmF6"
	const forgot = "https://gatehouse.example/password/forgot"
	kinds := []struct {
		name, kind string
		data       map[string]string
		link       string
		wantText   []string
	}{
		{"activation", account.EmailActivation, map[string]string{"Link": link, "ExpiresAt": "2030-01-03T09:00:00Z"}, link,
			[]string{"Activate Registration", "January 3, 2030, 09:00 UTC"}},
		{"already registered", account.EmailAlreadyRegistered, map[string]string{"LoginURL": "https://gatehouse.example/login", "ResetURL": forgot},
			"https://gatehouse.example/login", []string{forgot}},
		{"reset", account.EmailReset, map[string]string{"Link": reset, "ExpiresAt": "2030-01-02T09:45:00Z"}, reset,
			[]string{"Reset Password", "January 2, 2030, 09:45 UTC"}},
		{"password changed", account.EmailPasswordChanged, map[string]string{"Initial": "false", "ResetURL": forgot, "ChangedAt": "2030-01-02T09:00:00Z",
			"Device": "Firefox · Linux", "IP": "192.0.2.1"}, forgot,
			[]string{"was changed", "January 2, 2030, 09:00 UTC", "From: Firefox · Linux, IP address 192.0.2.1.", "If you didn't do this"}},
		// A row queued before the device was kept still renders, without it.
		{"password changed, old row", account.EmailPasswordChanged, map[string]string{"Initial": "false", "ResetURL": forgot, "ChangedAt": "2030-01-02T09:00:00Z"}, forgot,
			[]string{"was changed", "If you didn't do this"}},
		{"password set", account.EmailPasswordChanged, map[string]string{"Initial": "true", "ResetURL": forgot, "ChangedAt": "2030-01-02T09:00:00Z",
			"Device": "Safari · iOS", "IP": "2001:db8::1"}, forgot,
			[]string{"account is active", "From: Safari · iOS, IP address 2001:db8::1.", "If you didn't do this"}},
		{"two-step on", account.EmailTwoStepOn, map[string]string{"ResetURL": forgot, "At": "2030-01-02T09:00:00Z", "Device": "Firefox · Linux", "IP": "192.0.2.1"}, forgot,
			[]string{"Two-step verification was turned on", "January 2, 2030, 09:00 UTC", "From: Firefox · Linux, IP address 192.0.2.1.", "If you didn't do this"}},
		{"two-step off", account.EmailTwoStepOff, map[string]string{"ResetURL": forgot, "At": "2030-01-02T09:00:00Z", "ByOperator": "false", "Device": "Safari · iOS", "IP": "2001:db8::1"}, forgot,
			[]string{"Two-step verification was turned off", "From: Safari · iOS, IP address 2001:db8::1.", "If you didn't do this"}},
		{"two-step removed by an operator", account.EmailTwoStepOff, map[string]string{"ResetURL": forgot, "At": "2030-01-02T09:00:00Z", "ByOperator": "true"}, forgot,
			[]string{"An administrator removed two-step verification", "January 2, 2030, 09:00 UTC", "If you didn't ask for this, someone may be trying"}},
		{"sign-in throttled at the code", account.EmailSignInThrottled, map[string]string{"Minutes": "15", "ResetURL": forgot, "At": "2030-01-02T09:00:00Z", "SecondStep": "true"}, forgot,
			[]string{"right password for your account and then wrong two-step verification codes", "January 2, 2030, 09:00 UTC", "someone knows your password"}},
		{"join request", account.EmailJoinRequest, map[string]string{"OrgName": "Acme", "RequesterName": "Bob Tester", "RequesterEmail": "bob@acme.example",
			"OrgURL": "https://gatehouse.example/org"}, "https://gatehouse.example/org",
			[]string{"Bob Tester (bob@acme.example) has verified an address", "Review the request", "decline the request"}},
		{"join approved", account.EmailJoinApproved, map[string]string{"OrgName": "Acme", "LoginURL": "https://gatehouse.example/login"},
			"https://gatehouse.example/login", []string{"approved your request", "Sign In"}},
		{"join declined", account.EmailJoinDeclined, map[string]string{"OrgName": "Acme"}, "", []string{"declined your request", "invite you"}},
		{"member removed", account.EmailMemberRemoved, map[string]string{"OrgName": "Acme"}, "", []string{"removed you from the organisation", "Your account still exists"}},
		{"sign-in throttled", account.EmailSignInThrottled, map[string]string{"Minutes": "15", "ResetURL": forgot, "At": "2030-01-02T09:00:00Z"}, forgot,
			[]string{"wrong password several times", "wait up to 15 minutes", "January 2, 2030, 09:00 UTC", "If it wasn't you"}},
		{"passkey added", account.EmailPasskeyAdded, map[string]string{"Passkey": "Work <i>laptop</i>", "Device": "Chrome · Linux", "IP": "192.0.2.1",
			"At": "2030-01-02T09:00:00Z", "AccountURL": "https://gatehouse.example/account", "ResetURL": forgot}, "https://gatehouse.example/account",
			[]string{"was added to your account on January 2, 2030, 09:00 UTC", "Work <i>laptop</i>", "From: Chrome · Linux, IP address 192.0.2.1.", "If you didn't do this", forgot}},
		{"passkey removed", account.EmailPasskeyRemoved, map[string]string{"Passkey": "iCloud Keychain", "Device": "Safari · macOS",
			"At": "2030-01-02T09:00:00Z", "AccountURL": "https://gatehouse.example/account", "ResetURL": forgot}, "https://gatehouse.example/account",
			[]string{"was removed from your account on January 2, 2030, 09:00 UTC", "“iCloud Keychain”", "If you didn't do this", forgot}},
	}
	names := []string{"O'Brien & Co", `<script>alert("x")</script>`, "Zoë <b>bold</b>"}
	for _, k := range kinds {
		for _, name := range names {
			t.Run(k.name+"/"+name, func(t *testing.T) {
				data := map[string]string{"FirstName": name}
				for key, v := range k.data {
					data[key] = v
				}
				d, err := components.EmailFor(ctx, decodeEmail(t, k.kind, data))
				if err != nil {
					t.Fatal(err)
				}
				if d.Subject == "" || strings.ContainsAny(d.Subject, "\r\n") || strings.Contains(d.Subject, name) {
					t.Errorf("subject %q: want fixed text on one line", d.Subject)
				}
				htmlPart, text, err := components.RenderEmail(ctx, d)
				if err != nil {
					t.Fatal(err)
				}
				doc := parse(t, htmlPart)

				// HTML: the name is text, never markup.
				if strings.Contains(htmlPart, name) {
					t.Errorf("HTML contains the name unescaped: %q", name)
				}
				if n := len(doc.tag("script")); n != 0 {
					t.Errorf("HTML has %d script elements", n)
				}
				if len(doc.tag("b")) != 0 {
					t.Error("user markup became an element")
				}
				if !strings.Contains(doc.text(), "Hello "+name+",") {
					t.Errorf("HTML text lacks the greeting for %q", name)
				}
				// Text: the same data verbatim, no HTML at all.
				if !strings.Contains(text, "Hello "+name+",") {
					t.Errorf("text part lacks %q verbatim:\n%s", "Hello "+name+",", text)
				}
				if m := entity.FindString(text); m != "" {
					t.Errorf("text part contains the entity %s:\n%s", m, text)
				}
				if strings.Contains(text, "<p") || strings.Contains(text, "<a ") || strings.Contains(text, "<br") {
					t.Errorf("text part contains markup:\n%s", text)
				}
				for _, w := range k.wantText {
					if !strings.Contains(text, w) || !strings.Contains(doc.text(), w) {
						t.Errorf("email lacks %q", w)
					}
				}
				if k.link != "" {
					if len(doc.all(func(e node) bool { return e.Data == "a" && e.get("href") == k.link })) == 0 {
						t.Errorf("HTML has no <a href=%q>", k.link)
					}
					if !strings.Contains(text, k.link) {
						t.Errorf("text part lacks the link %s", k.link)
					}
				}
				if k.kind == account.EmailPasswordChanged {
					// Rule 31: no token; the link is to ask for a reset.
					for _, part := range []string{htmlPart, text} {
						if strings.Contains(part, "token=") {
							t.Errorf("password-changed email contains token=")
						}
					}
					if _, hasDevice := k.data["Device"]; !hasDevice && strings.Contains(text, "From:") {
						t.Errorf("an old row without a device names one:\n%s", text)
					}
				}
				if lang := one(t, doc.tag("html"), "html").get("lang"); lang != "en" {
					t.Errorf("email html lang = %q", lang)
				}
			})
		}
	}
	if _, err := components.EmailFor(ctx, bogusEmail{}); err == nil {
		t.Error("EmailFor(unknown kind) = nil error")
	}
	if _, err := account.DecodeEmail("bogus", "{}"); err == nil {
		t.Error("DecodeEmail(unknown kind) = nil error")
	}
}

// bogusEmail is an email kind the components have no copy for.
type bogusEmail struct{}

func (bogusEmail) Kind() string { return "bogus" }

// decodeEmail is the email an outbox row of kind with data holds.
func decodeEmail(t *testing.T, kind string, data map[string]string) account.Email {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	e, err := account.DecodeEmail(kind, string(b))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Rule 38: the outbox path (JSON data, recipient's locale) renders the same
// escaping, and an unknown locale falls back to English.
func TestRenderOutbox(t *testing.T) {
	data, _ := json.Marshal(map[string]string{"FirstName": "<img src=x onerror=alert(1)>", "Link": "https://gatehouse.example/activate?token=abc", "ExpiresAt": "2030-01-03T09:00:00Z"})
	for _, locale := range []string{"en", "xx-unknown", ""} {
		subject, htmlPart, text, err := components.RenderOutbox(context.Background(), catalog(t), account.EmailActivation, locale, string(data))
		if err != nil {
			t.Fatalf("locale %q: %v", locale, err)
		}
		if subject != "Activate your Gatehouse account" {
			t.Errorf("locale %q: subject %q", locale, subject)
		}
		if strings.Contains(htmlPart, "<img src=x") {
			t.Errorf("locale %q: user markup in HTML", locale)
		}
		if !strings.Contains(text, "Hello <img src=x onerror=alert(1)>,") {
			t.Errorf("locale %q: text part altered the name:\n%s", locale, text)
		}
	}
	if _, _, _, err := components.RenderOutbox(context.Background(), catalog(t), account.EmailActivation, "en", "{not json"); err == nil {
		t.Error("RenderOutbox accepted malformed data")
	}
}

// The checklist says what the server enforces: the pattern line, the
// maximum when it is exceeded, and composition as a requirement (without
// "recommended") when the operator requires it.
func TestPasswordChecklistLines(t *testing.T) {
	ctx := english(t)
	base := components.Checklist{Typed: true, MinLength: 15, MaxLength: 64, LongEnough: true, NotCommon: true, NotPersonal: true}

	html, _ := render(t, ctx, components.PasswordChecklist(base))
	if !strings.Contains(html, "Not yet:</span>No repeats, sequences or rows of keys") {
		t.Errorf("a patterned password's checklist lacks an unmet pattern line:\n%s", html)
	}
	ok := base
	ok.NotPredictable = true
	if html, _ := render(t, ctx, components.PasswordChecklist(ok)); !strings.Contains(html, "Met:</span>No repeats, sequences or rows of keys") {
		t.Errorf("a pattern-free password's checklist lacks a met pattern line:\n%s", html)
	}

	long := base
	long.LongEnough, long.TooLong = false, true
	html, _ = render(t, ctx, components.PasswordChecklist(long))
	if !strings.Contains(html, "Use at most 64 characters.") || strings.Contains(html, "At least 15 characters") {
		t.Errorf("an over-long password's checklist does not say the maximum:\n%s", html)
	}

	if n := strings.Count(html, "recommended"); n != 3 {
		t.Errorf("composition advice marked recommended %d times, want 3", n)
	}
	req := base
	req.CompositionRequired = true
	if html, _ := render(t, ctx, components.PasswordChecklist(req)); strings.Contains(html, "recommended") {
		t.Errorf("required composition is still marked recommended:\n%s", html)
	}
}
