package i18n

import (
	"golang.org/x/text/language"

	"gatehouse/internal/cache"
)

// Limits on acceptCache: headers longer than maxAcceptLen are parsed every
// time, and once it holds maxAcceptEntries, new ones are too, so a client
// sending endless distinct headers cannot grow it.
const (
	maxAcceptLen     = 256
	maxAcceptEntries = 1024
)

// acceptCache maps an Accept-Language value (or explicit language choice)
// to its parsed tags. Every request parses one for its language and the
// sign-up page a second time for the likely country, while browsers send
// only a few distinct values; a nil entry is a value that does not parse.
// BenchmarkParseAcceptLanguage measures it.
var acceptCache = cache.New[string, []language.Tag](maxAcceptEntries)

// parseAcceptLanguage is language.ParseAcceptLanguage, remembered. The
// returned slice is shared: callers must not change it.
func parseAcceptLanguage(s string) []language.Tag {
	if v, ok := acceptCache.Get(s); ok {
		return v
	}
	tags, _, err := language.ParseAcceptLanguage(s)
	if err != nil || len(tags) == 0 {
		tags = nil
	}
	if len(s) <= maxAcceptLen {
		return acceptCache.Put(s, tags)
	}
	return tags
}
