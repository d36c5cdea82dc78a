package handlers_test

// The browser suite drives Debian's headless Chromium through chromedp
// (v0.23's generic API: Run returns a value, Do runs steps, commands are
// values sent with Call). It runs the real app from newApp, so everything a
// person sees is checked in a real engine: the Content-Security-Policy
// (rule 33), accessibility with axe-core, keyboard use and layout.
//
// Without chromium the suite skips; GATEHOUSE_REQUIRE_BROWSER=1 (CI) makes
// that a failure. Screenshots land in <repo>/testdata-out/screenshots/.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Viewport widths: a phone (with mobile emulation) and a desktop.
const (
	uiPhone   int64 = 390
	uiDesktop int64 = 1280
)

// uiTimeout bounds every single browser action and wait.
const uiTimeout = 15 * time.Second

// uiWCAG are the axe-core tags the pages must pass.
var uiWCAG = []string{"wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"}

// uiKnown lists violations that are known and reported, keyed by
// "<check>@<page>": the axe rule id (or "csp", or a keyboard check) and the
// page name given to checkPage. A known violation does not fail the test:
// the test ends with t.Skip("A11Y: ...") naming it instead, so the suite
// stays green while the page is fixed, and the skip goes away by itself once
// it is. Anything not listed here fails. Keep this list short.
var uiKnown = map[string]string{}

// uiBrowser is one headless Chromium, started for a top-level test; each
// uiTab opens an isolated browser context (own cookies) in it.
type uiBrowser struct{ ctx context.Context }

// newUIBrowser starts Chromium for t and stops it when t ends.
func newUIBrowser(t *testing.T) *uiBrowser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("GATEHOUSE_REQUIRE_BROWSER") == "1" {
			t.Fatal("GATEHOUSE_REQUIRE_BROWSER=1 but no chromium is installed (apt-get install chromium)")
		}
		t.Skip("browser suite skipped: no chromium installed (apt-get install chromium)")
	}
	profile := t.TempDir() // removed after the browser below has exited (cleanups run last-in, first-out)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the suite runs as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(profile),
	)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(string, ...any) {}))
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return &uiBrowser{ctx}
}

// uiOptions choose how a tab browses.
type uiOptions struct {
	JS    bool  // JavaScript enabled
	Width int64 // uiPhone or uiDesktop
	// TimeZone is the IANA zone the tab's JavaScript reports (Intl);
	// empty keeps the host's.
	TimeZone string
}

// uiTab is one visitor: an isolated browser context (own cookies) in one
// tab, with the CSP reports, exceptions and console errors it has seen.
type uiTab struct {
	t     *testing.T
	app   *testApp
	ctx   context.Context
	js    bool
	width int64
	name  string // screenshot file prefix, from the test name

	mu      sync.Mutex
	csp     []string // CSP reports from the browser log not yet checked
	errs    []string // uncaught exceptions not yet checked
	console []string // other errors in the browser log (logged only)

	known map[string]bool // uiKnown entries seen
}

// uiInit runs in every document before the page's own scripts. It records
// securitypolicyviolation events and counts htmx requests in flight, so the
// tests can wait for the page to be idle. CDP-injected scripts are not
// subject to the page's CSP. With JavaScript off the script still runs but
// its listeners are never called; the browser log (Log.entryAdded) reports
// CSP violations either way, and checkCSP reads both.
const uiInit = `(() => {
  window.__gh = {csp: [], inflight: 0, last: 0};
  const gh = window.__gh;
  document.addEventListener('securitypolicyviolation', (e) => {
    gh.csp.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '?') +
      (e.sample ? ' sample ' + JSON.stringify(e.sample) : '') +
      ' at ' + (e.sourceFile || '?') + ':' + e.lineNumber);
  }, true);
  const touch = () => { gh.last = performance.now(); };
  document.addEventListener('htmx:before:request', () => { gh.inflight++; touch(); }, true);
  document.addEventListener('htmx:finally:request', () => { gh.inflight = Math.max(0, gh.inflight - 1); touch(); }, true);
  for (const n of ['htmx:after:swap', 'htmx:after:settle', 'htmx:config:request']) {
    document.addEventListener(n, touch, true);
  }
})();`

// open opens a new tab for t in its own browser context.
func (b *uiBrowser) open(t *testing.T, app *testApp, o uiOptions) *uiTab {
	t.Helper()
	u := &uiTab{t: t, app: app, js: o.JS, width: o.Width, known: map[string]bool{},
		name: regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "-")}
	ctx, cancel := chromedp.NewContext(b.ctx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(u.listen),
	)
	t.Cleanup(cancel)
	u.ctx = ctx
	// The first Do opens the tab and binds its life to the context it gets,
	// so it must get the tab's own context, not one with a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	u.run("set up tab", chromedp.Steps(
		u.viewport(o.Width),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if o.TimeZone != "" {
				if _, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: o.TimeZone}); err != nil {
					return err
				}
			}
			if !o.JS {
				if _, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
					return err
				}
			}
			_, err := cdp.Call(ctx, tg, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: uiInit})
			return err
		}),
	))
	t.Cleanup(u.reportKnown)
	return u
}

// listen runs in the tab's event loop: it must return fast.
func (u *uiTab) listen(ev any) {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch ev := ev.(type) {
	case *log.EventEntryAdded:
		e := ev.Entry
		if strings.Contains(e.Text, "Content Security Policy") {
			u.csp = append(u.csp, fmt.Sprintf("%s (%s)", e.Text, e.URL))
		} else if e.Level == log.EntryLevelError {
			u.console = append(u.console, fmt.Sprintf("%s: %s (%s)", e.Source, e.Text, e.URL))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		u.errs = append(u.errs, fmt.Sprintf("%s at %s:%d", text, d.URL, d.LineNumber+1))
	}
}

// viewport emulates a phone (mobile, 390 wide) or a desktop (1280 wide).
func (u *uiTab) viewport(width int64) chromedp.Action[chromedp.Void] {
	if width <= uiPhone {
		return chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile)
	}
	return chromedp.EmulateViewport(width, 800)
}

// run runs steps with a timeout and fails the test on error.
func (u *uiTab) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, uiTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		u.t.Fatalf("%s: %v (at %s)", what, err, u.safeURL())
	}
}

// uiEval evaluates a JavaScript expression and decodes its result.
func uiEval[T any](u *uiTab, expr string, opts ...chromedp.EvaluateOption) T {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, uiTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		u.t.Fatalf("evaluate %.80q: %v (at %s)", expr, err, u.safeURL())
	}
	return v
}

func (u *uiTab) safeURL() string {
	ctx, cancel := context.WithTimeout(u.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// uiJSString quotes s as a JavaScript string literal.
func uiJSString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// ---- navigation and waiting ----

// visit opens a path of the app, or a link from an email (whose host is the
// app's BASE_URL, so it is pointed at the test server like a real click in
// a mail client would reach the real server).
func (u *uiTab) visit(link string) {
	u.t.Helper()
	target := u.app.URL + link
	if !strings.HasPrefix(link, "/") {
		p, err := url.Parse(link)
		if err != nil {
			u.t.Fatalf("visit %q: %v", link, err)
		}
		target = u.app.URL + p.RequestURI()
	}
	u.run("visit "+link, chromedp.Navigate(target))
	u.waitLoaded()
}

// waitFor polls a JavaScript condition until it is true. It survives the
// navigations that happen meanwhile.
func (u *uiTab) waitFor(what, cond string) {
	u.t.Helper()
	deadline := time.Now().Add(uiTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(u.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(40 * time.Millisecond)
	}
	u.t.Fatalf("timed out waiting for %s (at %s, last error %v)\n%s", what, u.safeURL(), lastErr, u.bodyText())
}

// waitLoaded waits until the document has loaded and, with JavaScript on,
// until htmx has no request in flight and has been quiet for a moment.
func (u *uiTab) waitLoaded() {
	u.t.Helper()
	u.waitFor("the page to load", `document.readyState === 'complete'`)
	if u.js {
		u.waitFor("htmx to be idle", `window.__gh && window.__gh.inflight === 0 &&
			!document.querySelector('.htmx-request') && performance.now() - window.__gh.last > 120`)
		uiEval[chromedp.Void](u, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`, chromedp.EvalAwaitPromise)
	}
}

// expectHeading waits until the page heading (#page-title) reads text.
func (u *uiTab) expectHeading(text string) {
	u.t.Helper()
	u.waitFor(fmt.Sprintf("heading %q", text), `(() => { const h = document.getElementById('page-title');
		return h && h.textContent.trim().replace(/\s+/g, ' ') === `+uiJSString(text)+` && document.readyState === 'complete'; })()`)
	u.waitLoaded()
}

// expectText waits until the main content contains text.
func (u *uiTab) expectText(text string) {
	u.t.Helper()
	u.waitFor(fmt.Sprintf("text %q", text), `(document.getElementById('main') || document.body).textContent.replace(/\s+/g, ' ').includes(`+uiJSString(text)+`)`)
}

// waitVisible waits until the element is visible.
func (u *uiTab) waitVisible(sel string) {
	u.t.Helper()
	u.run("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// bodyText is the page text, for failure messages.
func (u *uiTab) bodyText() string {
	ctx, cancel := context.WithTimeout(u.ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if err != nil {
		return ""
	}
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

// currentURL is the address bar.
func (u *uiTab) currentURL() string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, uiTimeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		u.t.Fatalf("location: %v", err)
	}
	return loc
}

// path is the path and query of the current URL.
func (u *uiTab) path() string {
	p, err := url.Parse(u.currentURL())
	if err != nil {
		return ""
	}
	return p.RequestURI()
}

// ---- reading ----

// text is the visible text of the first element matching sel.
func (u *uiTab) text(sel string) string {
	u.t.Helper()
	ctx, cancel := context.WithTimeout(u.ctx, uiTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		u.t.Fatalf("text of %s: %v (at %s)", sel, err, u.safeURL())
	}
	return strings.Join(strings.Fields(s), " ")
}

// value is the current value of a form control.
func (u *uiTab) value(sel string) string {
	u.t.Helper()
	return uiEval[string](u, `document.querySelector(`+uiJSString(sel)+`).value`)
}

// attr is an attribute of the first element matching sel ("" when absent).
func (u *uiTab) attr(sel, name string) string {
	u.t.Helper()
	return uiEval[string](u, `(document.querySelector(`+uiJSString(sel)+`) || {getAttribute: () => null}).getAttribute(`+uiJSString(name)+`) || ''`)
}

// focused describes the focused element: "#id" when it has one, else its
// tag with its href or text, e.g. `a[href="#main"]`; "body" when nothing is.
func (u *uiTab) focused() string {
	u.t.Helper()
	return uiEval[string](u, `(() => {
		const e = document.activeElement;
		if (!e || e === document.body) return 'body';
		if (e.id) return '#' + e.id;
		const tag = e.tagName.toLowerCase();
		if (e.getAttribute('href')) return tag + '[href="' + e.getAttribute('href') + '"]';
		return tag + ':' + e.textContent.trim().replace(/\s+/g, ' ');
	})()`)
}

// ---- acting like a person ----

// fill types text into the field, as the keyboard would (chromedp.SendKeys
// focuses it first).
func (u *uiTab) fill(sel, text string) {
	u.t.Helper()
	u.run("fill "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
	u.idle()
}

// click clicks the element with the mouse.
func (u *uiTab) click(sel string) {
	u.t.Helper()
	u.settle()
	u.run("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// settle waits, with script on, for htmx to finish what it is doing: a
// click lands where the element is, and a swap still in flight (inline
// validation morphing a field, an error summary going away) can move it
// between finding the element and pressing the mouse, so the click would
// hit whatever took its place.
func (u *uiTab) settle() {
	u.t.Helper()
	if u.js {
		u.waitLoaded()
	}
}

// clickText clicks the link or button whose visible text is text.
func (u *uiTab) clickText(text string) {
	u.t.Helper()
	u.settle()
	u.run(fmt.Sprintf("click %q", text), chromedp.Click(uiByText(text)))
}

// uiByText selects links and buttons by their visible text.
func uiByText(text string) chromedp.JSPath {
	return chromedp.JSPath(`[...document.querySelectorAll('a, button, [role=button], input[type=submit]')].filter(e =>
		(e.value && e.tagName === 'INPUT' ? e.value : e.textContent).trim().replace(/\s+/g, ' ') === ` + uiJSString(text) + `)`)
}

// press sends keys (kb constants or text) to whatever has focus.
func (u *uiTab) press(keys string, opts ...chromedp.KeyOption) {
	u.t.Helper()
	u.run(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys, opts...))
}

func (u *uiTab) tab() { u.t.Helper(); u.press(kb.Tab) }
func (u *uiTab) shiftTab() {
	u.t.Helper()
	u.press(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
}
func (u *uiTab) enter() { u.t.Helper(); u.press(kb.Enter) }

// tabTo presses Tab (or Shift+Tab) until the focused element is want (as
// focused() describes it), at most max times.
func (u *uiTab) tabTo(want string, back bool, max int) {
	u.t.Helper()
	var path []string
	for range max {
		if back {
			u.shiftTab()
		} else {
			u.tab()
		}
		got := u.focused()
		path = append(path, got)
		if got == want {
			return
		}
	}
	u.t.Fatalf("%s not reached with the keyboard after %d presses; focus went %s", want, max, strings.Join(path, " → "))
}

// mustFocus asserts what has the focus.
func (u *uiTab) mustFocus(want string) {
	u.t.Helper()
	if got := u.focused(); got != want {
		u.t.Fatalf("focus is on %s, want %s", got, want)
	}
}

// idle waits for htmx to finish what the last action started.
func (u *uiTab) idle() {
	u.t.Helper()
	if u.js {
		u.waitLoaded()
	}
}

// ---- checks on every page ----

// checkPage asserts the page in its current state has no CSP violation, no
// uncaught exception, no constructed stylesheet and (JavaScript on) no axe
// violation, and saves a screenshot at the tab's width.
func (u *uiTab) checkPage(name string) {
	u.t.Helper()
	u.waitLoaded()
	if got := uiEval[bool](u, `typeof window.htmx === 'object'`); got != u.js {
		u.t.Fatalf("%s: htmx loaded=%v with JavaScript on=%v", name, got, u.js)
	}
	u.checkCSP(name)
	if u.js {
		if n := uiEval[int](u, `document.adoptedStyleSheets.length`); n != 0 {
			u.t.Errorf("%s: document.adoptedStyleSheets has %d sheet(s); htmx must run with includeIndicatorCSS:false (static/HTMX.md)", name, n)
		}
		u.checkAxe(name)
	}
	u.screenshot(name, u.width)
}

// checkCSP fails on CSP reports and exceptions seen since the last check.
func (u *uiTab) checkCSP(name string) {
	u.t.Helper()
	events := uiEval[[]string](u, `window.__gh ? window.__gh.csp.splice(0) : []`)
	u.mu.Lock()
	logged, errs, console := u.csp, u.errs, u.console
	u.csp, u.errs, u.console = nil, nil, nil
	u.mu.Unlock()
	var all []string
	for _, l := range logged {
		all = append(all, "log: "+l)
	}
	for _, e := range events {
		all = append(all, "event: "+e)
	}
	if len(all) > 0 {
		if note, ok := uiKnown["csp@"+name]; ok {
			u.t.Logf("%s: known CSP violations (%s):\n  %s", name, note, strings.Join(all, "\n  "))
			u.known["csp@"+name] = true
		} else {
			u.t.Errorf("%s: %d Content-Security-Policy violation(s) (%s):\n  %s", name, len(all), u.currentURL(), strings.Join(all, "\n  "))
		}
	}
	if len(errs) > 0 {
		u.t.Errorf("%s: uncaught JavaScript exception(s):\n  %s", name, strings.Join(errs, "\n  "))
	}
	for _, c := range console {
		u.t.Logf("%s: browser log: %s", name, c)
	}
}

// uiAxeSource is the vendored axe-core (handlers/testdata/README.md).
var uiAxeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "axe.min.js"))
	return string(b), err
})

// uiViolation is one axe violation, as checkAxe reads it.
type uiViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	URL     string   `json:"helpUrl"`
	Targets []string `json:"targets"`
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
	Count   int      `json:"count"`
}

// checkAxe runs axe-core on the document and fails listing each violation.
// The script is injected through the DevTools protocol, which the page's
// CSP does not restrict.
func (u *uiTab) checkAxe(name string) {
	u.t.Helper()
	src, err := uiAxeSource()
	if err != nil {
		u.t.Fatalf("axe-core: %v (see handlers/testdata/README.md)", err)
	}
	if !uiEval[bool](u, `typeof window.axe === 'object'`) {
		uiEval[chromedp.Void](u, src+"\n;void 0")
	}
	vs := uiEval[[]uiViolation](u, `axe.run(document, {runOnly: {type: 'tag', values: `+uiJSON(uiWCAG)+`}, resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			count: v.nodes.length,
			targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
			html: v.nodes.length ? v.nodes[0].html.slice(0, 200) : '',
			summary: v.nodes.length ? (v.nodes[0].failureSummary || '').replace(/\s+/g, ' ').slice(0, 300) : ''})))`,
		chromedp.EvalAwaitPromise)
	var unknown []string
	for _, v := range vs {
		line := fmt.Sprintf("%s [%s] %s — %d node(s), first: %s\n      %s\n      %s", v.ID, v.Impact, v.Help, v.Count, strings.Join(v.Targets, " | "), v.HTML, v.Summary)
		if note, ok := uiKnown[v.ID+"@"+name]; ok {
			u.t.Logf("%s: known axe violation (%s): %s", name, note, line)
			u.known[v.ID+"@"+name] = true
			continue
		}
		unknown = append(unknown, line)
	}
	if len(unknown) > 0 {
		u.t.Errorf("%s: %d axe violation(s) at %s:\n  %s", name, len(unknown), u.currentURL(), strings.Join(unknown, "\n  "))
	}
}

func uiJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// reportKnown turns known violations into the test's skip reason, unless
// the test failed for another reason (then the failure must show).
func (u *uiTab) reportKnown() {
	if len(u.known) == 0 || u.t.Failed() {
		return
	}
	var parts []string
	for k := range u.known {
		parts = append(parts, fmt.Sprintf("%s (%s)", k, uiKnown[k]))
	}
	sort.Strings(parts)
	u.t.Skip("A11Y: " + strings.Join(parts, "; "))
}

// ---- screenshots ----

// uiShotDir is <repo root>/testdata-out/screenshots (the tests run in
// handlers/, so the root is its parent).
func uiShotDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repo root %s has no go.mod: %v", root, err)
	}
	dir := filepath.Join(root, "testdata-out", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot saves a full-page PNG of the current state at width as
// <test>-<page>-<width>.png, then restores the tab's own width.
func (u *uiTab) screenshot(name string, width int64) {
	u.t.Helper()
	if width != u.width {
		u.run("resize", u.viewport(width))
		defer u.run("resize back", u.viewport(u.width))
	}
	if u.js {
		uiEval[chromedp.Void](u, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`, chromedp.EvalAwaitPromise)
	}
	ctx, cancel := context.WithTimeout(u.ctx, uiTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		u.t.Fatalf("screenshot %s: %v", name, err)
	}
	file := filepath.Join(uiShotDir(u.t), fmt.Sprintf("%s-%s-%d.png", u.name, name, width))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		u.t.Fatal(err)
	}
}
