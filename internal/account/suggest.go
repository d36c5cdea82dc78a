package account

import "strings"

// commonDomains are the mail domains most sign-ups use; a near miss of one
// is probably a typo.
var commonDomains = []string{
	"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "hotmail.com", "hotmail.co.uk",
	"hotmail.fr", "outlook.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com", "aol.com",
	"proton.me", "protonmail.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "orange.fr", "free.fr",
	"laposte.net", "qq.com", "163.com", "126.com", "yandex.ru", "mail.ru", "comcast.net", "verizon.net",
}

// SuggestEmail returns the address with a mistyped common domain corrected
// ("ada@gmial.com" → "ada@gmail.com"), or "" when there is nothing to
// suggest. It looks at spelling only, never at whether accounts exist.
func SuggestEmail(email string) string {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	best, bestDist := "", 3
	for _, d := range commonDomains {
		if d == domain {
			return ""
		}
		if dist := editDistance(domain, d); dist < bestDist {
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

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each cost one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
