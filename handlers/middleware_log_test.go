package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
)

// The request logger writes what Logger.With wrote, through every way a
// logger is used: plain records, more attributes, groups.
func TestRequestLogHandlerMatchesWith(t *testing.T) {
	uses := map[string]func(l *slog.Logger){
		"info":   func(l *slog.Logger) { l.Info("http request", "status", 200, "path", "/register") },
		"with":   func(l *slog.Logger) { l.With("user", 7).Warn("locked", "n", 3) },
		"group":  func(l *slog.Logger) { l.WithGroup("g").With("a", 1).Error("x", "b", 2) },
		"debug":  func(l *slog.Logger) { l.Debug("not shown") },
		"nested": func(l *slog.Logger) { l.With("a", 1).WithGroup("g").WithGroup("h").Info("y", "c", 3) },
	}
	for _, json := range []bool{false, true} {
		for name, use := range uses {
			var want, got bytes.Buffer
			newBase := func(b *bytes.Buffer) *slog.Logger {
				opts := &slog.HandlerOptions{Level: slog.LevelInfo,
					ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
						if a.Key == slog.TimeKey {
							return slog.Attr{}
						}
						return a
					}}
				if json {
					return slog.New(slog.NewJSONHandler(b, opts)).With("app", "gatehouse")
				}
				return slog.New(slog.NewTextHandler(b, opts)).With("app", "gatehouse")
			}
			use(newBase(&want).With("request_id", "abc123", "ip", "10.0.0.1"))
			use(slog.New(&requestLogHandler{Handler: newBase(&got).Handler(),
				attrs: [2]slog.Attr{slog.String("request_id", "abc123"), slog.String("ip", "10.0.0.1")}}))
			if got.String() != want.String() {
				t.Errorf("json %v, %s:\n got %s\nwant %s", json, name, got.String(), want.String())
			}
		}
	}
	var h slog.Handler = &requestLogHandler{Handler: slog.DiscardHandler}
	if h.Enabled(context.Background(), slog.LevelError) {
		t.Error("Enabled is not the wrapped handler's")
	}
}
