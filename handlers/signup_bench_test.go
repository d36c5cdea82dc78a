package handlers_test

import (
	"io"
	"net/http"
	"testing"

	"gatehouse/internal/store/storetest"
)

// BenchmarkRegisterPageUncached is BenchmarkRegisterPage with a query the
// page cache does not take, so the page is rendered every time: the
// difference is what registerPages saves.
func BenchmarkRegisterPageUncached(b *testing.B) {
	a := newOpsApp(b, storetest.SQLite, opsOptions{metrics: true, quiet: true})
	req, _ := http.NewRequest("GET", a.URL+"/register?utm_source=bench", nil)
	req.Header.Set("Accept-Language", "ja-JP,ja;q=0.9,en;q=0.8")
	for b.Loop() {
		resp, err := noRedirects.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /register: %d\n%.500s", resp.StatusCode, body)
		}
	}
}
