package handlers_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"gatehouse/internal/i18n"
	"gatehouse/internal/store/storetest"
)

// noIsolates drops the directional isolates placeholders are wrapped in.
var noIsolates = strings.NewReplacer("\u2068", "", "\u2069", "")

// TestBrowserJapanese signs up in Japanese in Chromium: the form asks for
// the family name first (in the page and in tab order), Japan's
// prefectures come in JIS X 0401 order with 都/道/府/県, the activation
// email in the dev mailbox greets the person as 山田様 with its times in
// the browser's zone, and the account page greets 山田 太郎様.
func TestBrowserJapanese(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc := catalog.Localizer(language.Japanese)
	tr := func(id string, data ...map[string]any) string { return strings.TrimSpace(loc.T(id, data...)) }
	b := newUIBrowser(t)
	app := newApp(t, storetest.SQLite)
	u := b.open(t, app, uiOptions{JS: true, Width: uiDesktop, TimeZone: "Asia/Tokyo"})
	u.visit("/register?lang=ja")
	u.expectHeading(tr("page.register.title"))

	fields := uiEval[[]string](u, `[...document.querySelectorAll('#register-form input:not([type=hidden]), #register-form select')].map(e => e.name)`)
	if i, j := slices.Index(fields, "last_name"), slices.Index(fields, "first_name"); i < 0 || j != i+1 {
		t.Fatalf("fields in the page: %v; want last_name (姓) right before first_name (名)", fields)
	}
	if got := strings.TrimSpace(u.text(`label[for="f-last_name"]`)); got != tr("form.last_name") {
		t.Errorf("first label %q, want %q", got, tr("form.last_name"))
	}
	u.fill("#f-last_name", "山田")
	u.tab()
	u.mustFocus("#f-first_name")
	u.fill("#f-first_name", "太郎")
	u.fill("#f-company", "株式会社テスト")

	u.choose("#f-country", "JP")
	u.waitFor("Japan's prefectures", `document.querySelectorAll('#f-region option[value^="JP-"]').length === 47`)
	prefs := uiEval[[]string](u, `[...document.querySelectorAll('#f-region option[value^="JP-"]')].map(o => o.value + ' ' + o.textContent.trim())`)
	suffix := regexp.MustCompile(`[都道府県]$`)
	for i, p := range prefs {
		if want := fmt.Sprintf("JP-%02d ", i+1); !strings.HasPrefix(p, want) {
			t.Fatalf("prefecture %d is %q, want %s… (JIS X 0401 order): %v", i+1, p, want, prefs)
		}
		if !suffix.MatchString(p) {
			t.Errorf("%q lacks 都/道/府/県", p)
		}
	}
	for i, want := range map[int]string{0: "JP-01 北海道", 1: "JP-02 青森県", 12: "JP-13 東京都", 25: "JP-26 京都府", 26: "JP-27 大阪府", 46: "JP-47 沖縄県"} {
		if prefs[i] != want {
			t.Errorf("prefecture %d = %q, want %q", i+1, prefs[i], want)
		}
	}
	u.choose("#f-region", "JP-13")
	email := "yamada@example.com"
	u.fill("#f-email", email)
	u.click("#f-accept_terms")
	u.checkPage("ja-register-family-first")
	u.clickText(tr("action.send_registration_email"))
	u.expectHeading(tr("page.register_sent.title"))

	user, err := app.Store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	if user.TimeZone != "Asia/Tokyo" || user.LastName != "山田" || user.FirstName != "太郎" || user.Region != "JP-13" {
		t.Fatalf("kept zone %q, names %q %q, region %q", user.TimeZone, user.LastName, user.FirstName, user.Region)
	}

	// The email as the dev mailbox shows it.
	mails := app.Mail(email)
	if len(mails) != 1 {
		t.Fatalf("%d emails, want the activation email", len(mails))
	}
	u.visit("/dev/mailbox")
	text := noIsolates.Replace(uiEval[string](u, `document.querySelector('[data-testid=mail] pre').textContent`))
	if first, _, _ := strings.Cut(text, "\n"); first != "山田様" {
		t.Errorf("the email starts %q, want 山田様:\n%s", first, text)
	}
	if !strings.Contains(text, "（JST）") {
		t.Errorf("the email's expiry is not in Japan time:\n%s", text)
	}
	href := u.attr(`[data-testid=mail] a[href^="/dev/mailbox/"]`, "href")
	resp, err := http.Get(app.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if h := noIsolates.Replace(string(body)); !strings.Contains(h, ">山田様<") || !strings.Contains(h, "（JST）") {
		t.Errorf("the HTML part lacks 山田様 or the Japan time:\n%s", h)
	}

	u.visit(app.LastLink(email, "/activate"))
	u.fill("#f-password", goodPassword)
	u.fill("#f-password_confirm", goodPassword)
	u.clickText(tr("action.set_password"))
	u.expectHeading(tr("page.login.title"))
	u.mustFocus("#f-password")
	u.press(goodPassword)
	u.enter()
	u.expectHeading(tr("page.account.title"))
	if got := strings.TrimSpace(u.text("[data-testid=account-name]")); got != "ようこそ、山田 太郎様。" {
		t.Errorf("account greeting %q, want ようこそ、山田 太郎様。", got)
	}
	if body := noIsolates.Replace(u.bodyText()); !strings.Contains(body, "（JST）") {
		t.Errorf("account page times not in Japan time:\n%s", body)
	}
	u.checkPage("ja-account")
}

// TestBrowserTimeZone: the browser's zone (New York here) goes with the
// sign-up, is kept on the account, and the email's expiry and the account
// page's times are shown in it; with script off nothing reports a zone and
// they are in UTC, named as such.
func TestBrowserTimeZone(t *testing.T) {
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	en := i18n.With(context.Background(), catalog.Localizer(language.English))
	b := newUIBrowser(t)
	for _, c := range []struct {
		name, zone string
		js         bool
		kept       string
	}{
		{"new-york", "America/New_York", true, "America/New_York"},
		{"no-script", "America/New_York", false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite)
			u := b.open(t, app, uiOptions{JS: c.js, Width: uiDesktop, TimeZone: c.zone})
			email := "tz-" + c.name + "@example.com"
			u.visit("/register")
			u.fill("#f-first_name", "Ada")
			u.fill("#f-last_name", "Lovelace")
			u.fill("#f-company", "Analytical Engines Ltd")
			u.choose("#f-country", "GB")
			u.fill("#f-email", email)
			u.click("#f-accept_terms")
			u.clickText("Send Registration Email")
			if !c.js {
				u.expectText("The region list now shows the regions of the country you chose.")
				u.clickText("Send Registration Email")
			}
			u.expectHeading("Check your inbox")
			user, err := app.Store.UserByEmail(context.Background(), email)
			if err != nil {
				t.Fatal(err)
			}
			if user.TimeZone != c.kept {
				t.Fatalf("kept zone %q, want %q", user.TimeZone, c.kept)
			}
			mails := app.Mail(email)
			want := i18n.Date(i18n.WithZone(en, c.kept), user.CreatedAt.Add(24*time.Hour))
			if got := noIsolates.Replace(mails[0].Text); !strings.Contains(got, want) {
				t.Errorf("activation email lacks its expiry as %q:\n%s", want, got)
			}
			zoneName := "UTC"
			if c.kept != "" {
				l, _ := time.LoadLocation(c.kept)
				zoneName, _ = time.Now().In(l).Zone()
			}

			u.visit(app.LastLink(email, "/activate"))
			u.fill("#f-password", goodPassword)
			u.fill("#f-password_confirm", goodPassword)
			u.clickText("Set Password")
			u.expectHeading("Sign in")
			u.signIn(email, goodPassword)
			page := noIsolates.Replace(u.bodyText())
			if !strings.Contains(page, " "+zoneName) {
				t.Errorf("account page times not named %s:\n%s", zoneName, page)
			}
			if zoneName != "UTC" && strings.Contains(page, " UTC") {
				t.Errorf("account page still shows UTC times:\n%s", page)
			}
		})
	}
}
