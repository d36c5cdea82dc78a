package handlers_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"gatehouse/internal/store/storetest"
)

// Only X-Forwarded-For from a trusted proxy names the client: X-Real-IP,
// which a proxy may pass through from the client, is never believed, and
// neither is X-Forwarded-For from anyone else.
func TestClientIPOnlyFromTrustedForwardedFor(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		header  string
		want    string
	}{
		{"forwarded-for from a trusted proxy", []string{"127.0.0.1"}, "X-Forwarded-For", "ip=203.0.113.9 "},
		{"real-ip from a trusted proxy", []string{"127.0.0.1"}, "X-Real-IP", "ip=127.0.0.1 "},
		{"forwarded-for from anyone", nil, "X-Forwarded-For", "ip=127.0.0.1 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newApp(t, storetest.SQLite, func(o *appOptions) { o.trusted = tc.trusted })
			req, err := http.NewRequest(http.MethodGet, app.URL+"/login", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(tc.header, "203.0.113.9")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			// The request is logged as the handler returns, before the
			// last chunk of the page leaves: read to the end first.
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			var line string
			for _, l := range strings.Split(app.Logs.String(), "\n") {
				if strings.Contains(l, `msg="http request"`) && strings.Contains(l, "path=/login") {
					line = l
				}
			}
			if !strings.Contains(line, tc.want) {
				t.Errorf("request log %q, want %s", line, tc.want)
			}
		})
	}
}
