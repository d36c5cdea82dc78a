package handlers_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/store/storetest"
	"gatehouse/internal/testkit/platform"
)

// readmeNginx is the README's same-host nginx block, with Gatehouse,
// the platform and nginx's own port put in place of the README's.
func readmeNginx(t *testing.T, gatehouse, plat string, port int) string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "<!-- nginx-same-host -->\n```nginx\n")
	if i < 0 {
		t.Fatal("README lacks the nginx-same-host block")
	}
	s = s[i+len("<!-- nginx-same-host -->\n```nginx\n"):]
	s = s[:strings.Index(s, "```")]
	return strings.NewReplacer("127.0.0.1:8080", gatehouse, "127.0.0.1:9000", plat,
		"listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", port)).Replace(s)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startNginx runs nginx with the README's block in front of Gatehouse and
// the platform, and stops it when the test ends. Without nginx the test is
// skipped, unless GATEHOUSE_REQUIRE_NGINX=1 (CI) makes that a failure.
func startNginx(t *testing.T, gatehouse, plat string) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if p := "/usr/sbin/nginx"; fileExists(p) {
			bin = p
		} else if os.Getenv("GATEHOUSE_REQUIRE_NGINX") == "1" {
			t.Fatal("nginx is not installed and GATEHOUSE_REQUIRE_NGINX=1 (apt-get install nginx)")
		} else {
			t.Skip("nginx is not installed (apt-get install nginx); GATEHOUSE_REQUIRE_NGINX=1 makes this a failure")
		}
	}
	dir := t.TempDir()
	port := freePort(t)
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
%[2]s
}
`, dir, readmeNginx(t, gatehouse, plat, port))
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", path)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx output:\n%s\n%s", out, log)
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i == 100 {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start: %s\n%s", out, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// The README's nginx block, in a real nginx, in front of Gatehouse and a
// platform: anonymous visitors are sent to sign in and back, the platform
// gets the identity and never the session cookie or a forged header, and
// sign-out cuts access at once.
func TestNginxForwardAuth(t *testing.T) {
	plat := platform.Start()
	defer plat.Close()
	app := newApp(t, storetest.SQLite, func(o *appOptions) {
		o.trusted = []string{"127.0.0.1"}
		o.platform.Landing = "/"
	})
	gh, _ := url.Parse(app.URL)
	pl, _ := url.Parse(plat.URL)
	front := startNginx(t, gh.Host, pl.Host)
	app.URL = front // the browsers below go through nginx

	b := app.Browser()
	deep := "/projects/42?tab=files&q=a%20b"
	p := b.getWith(deep, nil)
	mustRedirect(t, p, "http://gatehouse.test/login?return_to="+url.QueryEscape(deep))
	req, _ := http.NewRequest("GET", front+"/api/items", nil)
	req.Header.Set("Accept", "application/json")
	if p := b.do(req); p.StatusCode != 401 {
		t.Errorf("anonymous API call through nginx: %d, want 401", p.StatusCode)
	}
	if n := len(plat.Requests()); n != 0 {
		t.Fatalf("anonymous requests reached the platform: %d", n)
	}

	app.signUp("ada@example.com")
	p = b.Post("/login", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}, "return_to": {deep}})
	mustRedirect(t, p, deep)
	forged := map[string]string{"X-Gatehouse-Email": "boss@example.com", "X-Gatehouse-Org-Role": "owner", "Cookie": "theme=dark"}
	must(t, b.getWith(deep, forged), 200, "platform page /projects/42")
	got, _ := plat.Last()
	if got.Path != deep || got.Header.Get("X-Gatehouse-Email") != "ada@example.com" || got.Header.Get("X-Gatehouse-Org-Role") != "" ||
		!uuidRE.MatchString(got.Header.Get("X-Gatehouse-User-Id")) || got.Header.Get("X-Gatehouse-Company") != "Analytical%20Engines%20Ltd" {
		t.Errorf("platform got %s %v", got.Path, got.Header)
	}
	if ck := got.Header.Get("Cookie"); strings.Contains(ck, "gatehouse_session") || strings.Contains(ck, b.Cookie("gatehouse_session")) {
		t.Errorf("the platform got the session cookie: %q", ck)
	}
	platformClaims(t, &testApp{URL: gh.Scheme + "://" + gh.Host, now: app.Now()}, got.Header.Get("X-Gatehouse-Token"))

	// Wherever the session cookie stands in Cookie, and with a second,
	// stale one beside it, the platform gets every other cookie as it came
	// and never a session token.
	ck := b.Cookie("gatehouse_session")
	sess := "gatehouse_session=" + ck
	for i, tc := range []struct{ sent, want string }{
		{sess, ""},
		{sess + "; theme=dark", "theme=dark"},
		{"theme=dark; " + sess, "theme=dark"},
		{"a=1; " + sess + "; b=2", "a=1; b=2"},
		{"a=1;" + sess + ";b=2", "a=1;b=2"},
		{"__Host-gatehouse_session=old; a=1; " + sess, "a=1"},
		{sess + "; __Secure-gatehouse_session=old", ""},
		{"xgatehouse_session=1; " + sess + "; gatehouse_sessions=2; c=gatehouse_session=3", "xgatehouse_session=1; gatehouse_sessions=2; c=gatehouse_session=3"},
	} {
		path := fmt.Sprintf("/app/%d", i)
		req, _ := http.NewRequest("GET", front+path, nil)
		req.Header.Set("Cookie", tc.sent)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got, _ := plat.Last()
		if resp.StatusCode != 200 || got.Path != path {
			t.Errorf("Cookie %q: %d, platform got %s", tc.sent, resp.StatusCode, got.Path)
			continue
		}
		if c := got.Header.Get("Cookie"); c != tc.want || strings.Contains(c, ck) {
			t.Errorf("Cookie %q: the platform got Cookie %q, want %q", tc.sent, c, tc.want)
		}
	}

	mustRedirect(t, b.Post("/logout", nil), "/login?notice=signed_out")
	n := len(plat.Requests())
	req, _ = http.NewRequest("GET", front+"/app", nil)
	req.Header.Set("Cookie", "gatehouse_session="+ck)
	req.Header.Set("Accept", "text/html")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || len(plat.Requests()) != n {
		t.Errorf("after sign-out, through nginx: %d, platform reached %d times", resp.StatusCode, len(plat.Requests())-n)
	}
}
