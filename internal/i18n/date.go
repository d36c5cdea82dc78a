package i18n

import (
	"context"
	"fmt"
	"strings"
	"time"
	// Time zones come from the binary, not the host: a distroless or
	// scratch image has no zoneinfo, and a name the browser sends must be
	// accepted or refused alike on every machine.
	_ "time/tzdata"
)

var monthKeys = [...]string{
	"date.month.january", "date.month.february", "date.month.march", "date.month.april",
	"date.month.may", "date.month.june", "date.month.july", "date.month.august",
	"date.month.september", "date.month.october", "date.month.november", "date.month.december",
}

// MaxTimeZoneLen bounds an IANA zone name as a browser sends it; the
// longest in the database ("America/Argentina/ComodRivadavia") is 32.
const MaxTimeZoneLen = 64

// TimeZone is name when it is an IANA time zone ("Asia/Tokyo", as the
// browser's Intl.DateTimeFormat reports it), else "". "UTC" counts; local
// and empty do not, so the server's own zone never leaks into a page.
func TimeZone(name string) string {
	name = strings.TrimSpace(name)
	if name == "" || name == "Local" || len(name) > MaxTimeZoneLen {
		return ""
	}
	if _, err := time.LoadLocation(name); err != nil {
		return ""
	}
	return name
}

type zoneKey struct{}

// WithZone returns ctx whose dates are shown in the IANA zone name; an
// empty or unknown name means UTC.
func WithZone(ctx context.Context, name string) context.Context {
	loc := time.UTC
	if n := TimeZone(name); n != "" {
		loc, _ = time.LoadLocation(n)
	}
	return context.WithValue(ctx, zoneKey{}, loc)
}

// Zone is the location ctx's dates are shown in: UTC unless WithZone
// named another.
func Zone(ctx context.Context) *time.Location {
	if loc, ok := ctx.Value(zoneKey{}).(*time.Location); ok {
		return loc
	}
	return time.UTC
}

// Date formats t in ctx's zone (UTC unless WithZone chose another) as a
// reader of ctx's language expects, from the "date.long" pattern and month
// names in the message files, so translators own the order and the words.
// The zone is always named, so a reader elsewhere knows what it means.
func Date(ctx context.Context, t time.Time) string {
	t = t.In(Zone(ctx))
	return T(ctx, "date.long", map[string]any{
		"Day":   t.Day(),
		"Month": T(ctx, monthKeys[t.Month()-1]),
		"Year":  t.Year(),
		"Time":  fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()),
		"Zone":  zoneLabel(t),
	})
}

// ShortDate is t's day (in UTC) without the year or time, from the
// "date.short" pattern: a chart's axis label, where the chart's heading
// gives the year and the days are UTC days.
func ShortDate(ctx context.Context, t time.Time) string {
	t = t.UTC()
	return T(ctx, "date.short", map[string]any{"Day": t.Day(), "Month": T(ctx, monthKeys[t.Month()-1])})
}

// zoneLabel names t's zone: "UTC", an abbreviation where the time zone
// database has a lettered one ("JST", "CET"), else the offset ("UTC+3",
// "UTC+5:30"), which every reader can work from.
func zoneLabel(t time.Time) string {
	if t.Location() == time.UTC {
		return "UTC"
	}
	abbr, off := t.Zone()
	if abbr != "" && strings.IndexFunc(abbr, func(r rune) bool { return (r < 'A' || r > 'Z') }) < 0 {
		return abbr
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if m != 0 {
		return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
	}
	return fmt.Sprintf("UTC%s%d", sign, h)
}

// Day formats t's date in ctx's zone without the time, from "date.day",
// for lists grouped by day.
func Day(ctx context.Context, t time.Time) string {
	t = t.In(Zone(ctx))
	return T(ctx, "date.day", map[string]any{"Day": t.Day(), "Month": T(ctx, monthKeys[t.Month()-1]), "Year": t.Year()})
}

// Clock formats t's time of day in ctx's zone, naming the zone, from
// "date.clock".
func Clock(ctx context.Context, t time.Time) string {
	t = t.In(Zone(ctx))
	return T(ctx, "date.clock", map[string]any{"Time": fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()), "Zone": zoneLabel(t)})
}
