package i18n

import (
	"sync"
	"sync/atomic"

	"golang.org/x/text/language"
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
// only a few distinct values.
var acceptCache struct {
	tags sync.Map // string -> []language.Tag; nil when it does not parse
	n    atomic.Int32
}

// parseAcceptLanguage is language.ParseAcceptLanguage, remembered. The
// returned slice is shared: callers must not change it.
func parseAcceptLanguage(s string) []language.Tag {
	if v, ok := acceptCache.tags.Load(s); ok {
		return v.([]language.Tag)
	}
	tags, _, err := language.ParseAcceptLanguage(s)
	if err != nil || len(tags) == 0 {
		tags = nil
	}
	if len(s) <= maxAcceptLen && acceptCache.n.Load() < maxAcceptEntries {
		if _, loaded := acceptCache.tags.LoadOrStore(s, tags); !loaded {
			acceptCache.n.Add(1)
		}
	}
	return tags
}
