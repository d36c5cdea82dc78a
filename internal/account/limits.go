package account

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"gatehouse/internal/logctx"
	"gatehouse/internal/ratelimit"
)

// Limits are the abuse limits the flows enforce, stored in the database so
// they hold across instances and restarts. A zero Rule is no limit.
type Limits struct {
	EmailPerAddress ratelimit.Rule // emails asked for one address (sign-up, resend, forgot)
	EmailPerIP      ratelimit.Rule // emails asked for from one client IP
	LoginPerIP      ratelimit.Rule // sign-in attempts from one client IP
	TokenPerIP      ratelimit.Rule // failed uses of emailed links and codes from one client IP
	// CodesPerAddress caps the guesses at emailed codes for one address,
	// across every code it is sent: each email brings a fresh code, and
	// without it an address would take 5 guesses per email forever.
	CodesPerAddress ratelimit.Rule
	// LoginFreeFailures is how many wrong passwords an account takes before
	// each further one adds a growing delay, up to LoginMaxDelay; after
	// LoginHardCap failures only a password reset opens it again.
	LoginFreeFailures int
	LoginMaxDelay     time.Duration
	LoginHardCap      int
	// DeliveryPerBrowser and DeliveryPerIP cap how often "check your
	// inbox" asks what became of its email; zero means the defaults
	// (DefaultLimits), since a page that polls must always be limited.
	DeliveryPerBrowser ratelimit.Rule
	DeliveryPerIP      ratelimit.Rule
	// IPv6Prefix is how many leading bits of an IPv6 address make one
	// client for the per-IP limits: a single host is usually handed a
	// whole /64, and counting each /128 would give it 2^64 buckets. Zero
	// means 64.
	IPv6Prefix int
}

// DefaultLimits are the limits used when the configuration leaves them out.
var DefaultLimits = Limits{
	EmailPerAddress:   ratelimit.Rule{Max: 5, Window: time.Hour},
	EmailPerIP:        ratelimit.Rule{Max: 30, Window: time.Hour},
	LoginPerIP:        ratelimit.Rule{Max: 50, Window: 15 * time.Minute},
	TokenPerIP:        ratelimit.Rule{Max: 100, Window: 15 * time.Minute},
	CodesPerAddress:   ratelimit.Rule{Max: 10, Window: 24 * time.Hour},
	LoginFreeFailures: 5,
	LoginMaxDelay:     15 * time.Minute,
	LoginHardCap:      100,
	IPv6Prefix:        64,

	DeliveryPerBrowser: deliveryLimits.perBrowser,
	DeliveryPerIP:      deliveryLimits.perIP,
}

// RuleTokenIP names the per-IP limit on failed uses of emailed links and
// codes in a RateLimitedError, whose page says the link still works.
const RuleTokenIP = "token_ip"

// RateLimitedError is an over-limit request; RetryAfter says when to come
// back. Its answer is the same whatever the address.
type RateLimitedError struct {
	RetryAfter time.Duration
	Rule       string
	key        string // the counter that was over
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("account: rate limited (%s), retry after %s", e.Rule, e.RetryAfter)
}

// allow counts one event for each key under its rule, all in one database
// round trip, and refuses the request when any is over. Every key is
// counted even when another is over: a refused request still counts
// against the address and the IP, as a request to send email.
func (s *Service) allow(ctx context.Context, name string, checks ...check) error {
	active := make([]ratelimit.Check, 0, len(checks))
	for _, c := range checks {
		if c.rule.Max > 0 {
			active = append(active, ratelimit.Check{Key: c.key, Rule: c.rule})
		}
	}
	if len(active) == 0 {
		return nil
	}
	over, wait, err := s.limiter.AllowAll(ctx, active...)
	if err != nil {
		return err
	}
	if over >= 0 {
		logctx.From(ctx).WarnContext(ctx, "rate limited", "rule", name)
		return &RateLimitedError{RetryAfter: wait, Rule: name, key: active[over].Key}
	}
	return nil
}

type check struct {
	key  string
	rule ratelimit.Rule
}

// ipKey is the client an address counts as for the per-IP limits: one
// spelling per address (IPv4-mapped IPv6 as IPv4, no zone, lower case),
// and an IPv6 address as its network of IPv6Prefix bits. A value that is
// not an address (no client IP known) is kept as it is.
func (l Limits) ipKey(ip string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return ip
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return a.String()
	}
	bits := l.IPv6Prefix
	if bits <= 0 || bits > 128 {
		bits = 64
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// errAddressQuiet is a request for an address that has been sent its
// share of email for now: it is answered like any other, and sends nothing.
var errAddressQuiet = errors.New("account: address has had its emails for now")

// allowEmail applies the email-sending limits to a request for addr. Over
// the per-IP limit the client is told to wait (429). Over the per-address
// limit nothing is sent but the answer is the usual one (errAddressQuiet):
// a 429 there would let anyone keep the owner out of "Forgot password?"
// with a few requests of their own, and its Retry-After would tell when
// someone last asked. The owner's newest email, which nothing revokes,
// still works.
func (s *Service) allowEmail(ctx context.Context, addr string, m Meta) error {
	addrKey := "email:addr:" + logctx.EmailHash(addr)
	err := s.allow(ctx, "email",
		check{"email:ip:" + s.cfg.Limits.ipKey(m.IP), s.cfg.Limits.EmailPerIP},
		check{addrKey, s.cfg.Limits.EmailPerAddress})
	var rl *RateLimitedError
	if errors.As(err, &rl) && rl.key == addrKey {
		return errAddressQuiet
	}
	return err
}

// allowTokenUse counts one use of an emailed link or code from m's client
// against the per-IP limit, and returns settle, to be called with the
// use's outcome: only failed uses (a link or code that is unknown, used,
// expired or wrong) stay counted. A dozen colleagues behind one office
// address opening their own valid links are no attack, and must not lock
// each other out. Counting before the use and refunding after keeps
// parallel guesses from all passing one look at the count.
func (s *Service) allowTokenUse(ctx context.Context, m Meta) (settle func(error), err error) {
	key := "token:ip:" + s.cfg.Limits.ipKey(m.IP)
	if err := s.allow(ctx, RuleTokenIP, check{key, s.cfg.Limits.TokenPerIP}); err != nil {
		return nil, err
	}
	return func(err error) {
		if s.cfg.Limits.TokenPerIP.Max <= 0 || failedTokenUse(err) {
			return
		}
		if rerr := s.limiter.Refund(ctx, key); rerr != nil {
			logctx.From(ctx).WarnContext(ctx, "token use refund failed", "err", rerr)
		}
	}, nil
}

// failedTokenUse reports whether err means the link or code itself was no
// good: what someone guessing at links and codes would see.
func failedTokenUse(err error) bool {
	var wrong *WrongCodeError
	return errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrCodeExpired) ||
		errors.Is(err, ErrCodeBudget) || errors.As(err, &wrong)
}

// loginDelay is the lock after the given number of consecutive failures:
// none for the free ones, then doubling from one second to the maximum;
// past the hard cap, locked until a password reset clears it.
func (l Limits) loginDelay(failures int) time.Duration {
	switch {
	case l.LoginHardCap > 0 && failures >= l.LoginHardCap:
		return 100 * 365 * 24 * time.Hour
	case failures <= l.LoginFreeFailures:
		return 0
	}
	return min(time.Second<<min(failures-l.LoginFreeFailures-1, 20), l.LoginMaxDelay)
}

// startsLock reports whether the failure numbered failures is the one that
// first locks the account: the start of a lock episode, which lasts until
// a success or a new password clears the count. The owner hears of each
// episode once, however many guesses follow.
func (l Limits) startsLock(failures int) bool {
	return l.loginDelay(failures) > 0 && l.loginDelay(failures-1) == 0
}
