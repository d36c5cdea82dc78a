package handoff

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// Forward is what one proxied request carries to the platform: the
// identity and token when someone is signed in (nil Identity otherwise),
// and the client's address as Gatehouse resolved it (trusted proxies
// only).
type Forward struct {
	Identity *Identity
	Token    string
	ClientIP string
}

type forwardKey struct{}

// WithForward returns ctx carrying f, for the proxy's rewrite.
func WithForward(ctx context.Context, f Forward) context.Context {
	return context.WithValue(ctx, forwardKey{}, f)
}

// NewProxy returns the reverse proxy to target. It streams both ways
// (bodies are never buffered whole; WebSocket upgrades and server-sent
// events pass through), strips every X-Gatehouse-* header and Gatehouse's
// cookies from what the client sent, and adds the identity of the
// request's Forward. Waiting for the platform's response headers is
// bounded by timeout; failure calls fail with 502, or 504 on a timeout.
func NewProxy(target *url.URL, timeout time.Duration, fail func(w http.ResponseWriter, r *http.Request, status int)) *httputil.ReverseProxy {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = timeout
	// Every browser connection may need one to the platform; the default
	// of 2 idle connections per host would dial anew under load.
	tr.MaxIdleConns = 1024
	tr.MaxIdleConnsPerHost = 1024
	return &httputil.ReverseProxy{
		Transport: tr,
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// The original Host, for the platform's own links.
			pr.Out.Header.Set("X-Forwarded-Host", pr.In.Host)
			h := pr.Out.Header
			StripInbound(h)
			StripCookies(h, GatehouseCookie)
			f, _ := pr.In.Context().Value(forwardKey{}).(Forward)
			if f.ClientIP != "" {
				h.Set("X-Forwarded-For", f.ClientIP)
			}
			if pr.In.TLS != nil {
				h.Set("X-Forwarded-Proto", "https")
			} else {
				h.Set("X-Forwarded-Proto", "http")
			}
			if f.Identity != nil {
				f.Identity.Set(h, f.Token)
			}
		},
		// Server-sent events are flushed as they come by ReverseProxy
		// itself; other responses are flushed often enough for streams.
		FlushInterval: 100 * time.Millisecond,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if errors.Is(r.Context().Err(), context.Canceled) {
				// The client left; nobody reads an answer.
				return
			}
			status := http.StatusBadGateway
			var ne net.Error
			if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
				status = http.StatusGatewayTimeout
			}
			fail(w, r, status)
		},
	}
}
