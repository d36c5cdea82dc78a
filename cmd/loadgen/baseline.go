package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// baselineBody is the minimal server's page: about the size of /register's HTML (19 KB), so
// the comparison costs the same bytes on the wire and differs only in the work behind them.
var baselineBody = []byte("<!doctype html><title>baseline</title><p>" + strings.Repeat("baseline ", 2150) + "</p>\n")

// serveBaseline runs the smallest useful Go HTTP server: net/http and a fixed page, no
// router, middleware, templates or database. Loading it with -page / on the same machine
// shows what the machine and the load tool allow, beside Gatehouse's figures.
func serveBaseline(ctx context.Context, cfg config, out io.Writer) error {
	ln, err := net.Listen("tcp", cfg.baseline)
	if err != nil {
		return err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			w.Write([]byte("ok"))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(baselineBody)
	})}
	fmt.Fprintf(out, "baseline server on http://%s/ (%d-byte page); interrupt to stop\n", ln.Addr(), len(baselineBody))
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
