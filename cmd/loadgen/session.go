package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// signInCookie signs in to email once and returns the session as a Cookie
// header, for -session and -verify: the load is then what a signed-in
// browser (or a proxy's forward-auth call) costs, the session looked up on
// every request.
func signInCookie(ctx context.Context, cfg config, email string) (string, error) {
	client := &http.Client{Timeout: cfg.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body := url.Values{"email": {email}, "password": {cfg.password}}.Encode()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, cfg.target.String()+"/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("signing in for -session: %w", err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "gatehouse_session") && c.Value != "" {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", fmt.Errorf("signing in as %s for -session: answer %d without a session cookie (wrong -password?)", email, resp.StatusCode)
}
