package i18n

import (
	"context"
	"fmt"
	"time"
)

var monthKeys = [...]string{
	"date.month.january", "date.month.february", "date.month.march", "date.month.april",
	"date.month.may", "date.month.june", "date.month.july", "date.month.august",
	"date.month.september", "date.month.october", "date.month.november", "date.month.december",
}

// Date formats t (in UTC) as a reader of ctx's language expects, from the
// "date.long" pattern and month names in the message files, so translators
// own the order and the words.
func Date(ctx context.Context, t time.Time) string {
	t = t.UTC()
	return T(ctx, "date.long", map[string]any{
		"Day":   t.Day(),
		"Month": T(ctx, monthKeys[t.Month()-1]),
		"Year":  t.Year(),
		"Time":  fmt.Sprintf("%02d:%02d", t.Hour(), t.Minute()),
	})
}

// ShortDate is t's day (in UTC) without the year or time, from the
// "date.day" pattern: a chart's axis label.
func ShortDate(ctx context.Context, t time.Time) string {
	t = t.UTC()
	return T(ctx, "date.day", map[string]any{"Day": t.Day(), "Month": T(ctx, monthKeys[t.Month()-1])})
}
