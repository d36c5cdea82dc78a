package account

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// commonDomains are the mail domains most sign-ups use; a near miss of one
// is probably a typo. Each is ASCII and at most maxCommonDomainLen bytes
// long (a test checks), so the distance rows fit in fixed arrays.
var commonDomains = []string{
	"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "hotmail.com", "hotmail.co.uk",
	"hotmail.fr", "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com",
	"proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "orange.fr", "free.fr",
	"laposte.net", "qq.com", "163.com", "126.com", "yandex.ru", "mail.ru", "comcast.net", "verizon.net",
}

const (
	// maxCommonDomainLen bounds the length of commonDomains.
	maxCommonDomainLen = 16
	// maxSuggestDistance is the most edits a suggestion may be away.
	maxSuggestDistance = 2
)

// SuggestEmail returns the address with a mistyped common domain corrected
// ("ada@gmial.com" → "ada@gmail.com"), or "" when there is nothing to
// suggest. It looks at spelling only, never at whether accounts exist.
//
// It runs on every inline validation of the email field, so it allocates
// nothing unless it has a suggestion.
func SuggestEmail(email string) string {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok || local == "" || domain == "" || slices.Contains(commonDomains, domain) {
		return ""
	}
	// A domain longer than this is more than maxSuggestDistance edits from
	// every common one.
	var buf [maxCommonDomainLen + maxSuggestDistance]rune
	if utf8.RuneCountInString(domain) > len(buf) {
		return ""
	}
	runes := buf[:0]
	for _, r := range domain {
		runes = append(runes, r)
	}
	best, bestDist := "", maxSuggestDistance+1
	for _, d := range commonDomains {
		// Each edit changes the length by at most one.
		if abs(len(d)-len(runes)) >= bestDist {
			continue
		}
		if dist := editDistance(runes, d, bestDist-1); dist < bestDist {
			best, bestDist = d, dist
		}
	}
	// One edit always counts; two only on longer domains, where two
	// slips are likelier than a real, different domain.
	if best == "" || (bestDist == 2 && len(domain) < 9) {
		return ""
	}
	return local + "@" + best
}

// editDistance is the optimal string alignment distance between a and the
// ASCII string b (insertions, deletions, substitutions and swaps of
// neighbours each cost one), or limit+1 once it is sure to exceed limit.
// b must be at most maxCommonDomainLen bytes.
func editDistance(a []rune, b string, limit int) int {
	// Three rows (i-2, i-1, i) of the usual table, on the stack.
	var rows [3][maxCommonDomainLen + 1]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == rune(b[j-1]) {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == rune(b[j-2]) && a[i-2] == rune(b[j-1]) {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		// No later row has a smaller minimum, so the answer is already
		// over the limit.
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
