package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/paths"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/returnto"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// ResendCooldown is how long "send again" waits after an email.
const ResendCooldown = time.Minute

// ErrTooSoon is a "send again" inside ResendCooldown; nothing was sent.
var ErrTooSoon = errors.New("account: asked again too soon")

// Sent is what the browser that asked for an email keeps for the "check
// your inbox" page: the address as typed, when it asked, and the secret
// the email's code is bound to.
type Sent struct {
	Email   string
	At      time.Time
	Binding string
}

// ResendAt is when "send again" may be used.
func (s Sent) ResendAt() time.Time { return s.At.Add(ResendCooldown) }

// sent is the answer to a request from the browser that holds binding.
func (s *Service) sent(email, binding string) Sent {
	return Sent{Email: strings.TrimSpace(email), At: s.clock(), Binding: binding}
}

// newBinding is a fresh secret for the code in the email a browser is
// about to get; the code works only together with it.
func newBinding() string {
	raw, _ := token.New()
	return raw
}

// Register starts a sign-up. Whether the address is new, pending or already
// active, the caller gets the same answer; only the email differs: an
// activation link, or "you already have an account".
func (s *Service) Register(ctx context.Context, r Registration, m Meta) (Sent, error) {
	typed := r.Get("email")
	if !s.cfg.Terms.Offered() {
		r.waiveTerms()
	}
	r.Normalize()
	if errs := r.Validate(); errs != nil {
		return Sent{}, errs
	}
	email := r.Get("email")
	return s.repeats.once(s.repeatKey("register", email, m), s.clock(), s.cfg.RepeatWindow, func() (Sent, error) {
		return s.register(ctx, r, typed, email, m)
	})
}

// register is Register once the registration is valid and not a repeat.
func (s *Service) register(ctx context.Context, r Registration, typed, email string, m Meta) (Sent, error) {
	if err := s.allowEmail(ctx, email, m); errors.Is(err, errAddressQuiet) {
		return s.sent(typed, newBinding()), nil
	} else if err != nil {
		return Sent{}, err
	}
	binding := newBinding()
	now := s.now()
	var event Event
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u := &store.User{Locale: m.Locale, Status: store.UserPending, CreatedAt: now, UpdatedAt: now, ReturnTo: returnto.Clean(m.ReturnTo),
			TimeZone: i18n.TimeZone(m.TimeZone)}
		r.user(u)
		created, err := tx.CreateUserIfAbsent(ctx, u)
		if err != nil {
			return err
		}
		if !created {
			existing, err := tx.UserByEmail(ctx, email)
			if err != nil {
				return err
			}
			if existing.Status == store.UserDisabled {
				// Switched off by an operator: nothing is sent, and the
				// browser is answered as for any address (rule 21).
				event = "none for disabled"
				return s.codeRequest(ctx, tx, binding, Activation, nil, email, now)
			}
			if existing.Status == store.UserActive {
				event = EventRegisterExists
				if err := s.audit(ctx, tx, existing.ID, event, m); err != nil {
					return err
				}
				if err := s.codeRequest(ctx, tx, binding, Activation, nil, email, now); err != nil {
					return err
				}
				return s.alreadyRegistered(ctx, tx, binding, existing)
			}
			// Still pending: the first details stay until the address is
			// proven, so nobody else can rewrite what its owner entered (or
			// what the next email greets them with); a repeat only sends a
			// fresh link, which replaces the old one.
			u = existing
		}
		event = Activation.requested
		if created {
			if err := s.notify(ctx, tx, WebhookUserRegistered, u.PublicID, u.Email, WebhookData{}); err != nil {
				return err
			}
		}
		if err := s.codeRequest(ctx, tx, binding, Activation, Activation, email, now); err != nil {
			return err
		}
		return s.sendLink(ctx, tx, u, created, Activation, now, m, binding)
	})
	if err != nil {
		return Sent{}, err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account registration", "event", string(event), "email_hash", logctx.EmailHash(email))
	return s.sent(typed, binding), nil
}

// Request asks for f's email to the address (forgot password, send
// again). Known, pending and unknown addresses get the same answer and one
// email each, which the browser's "check your inbox" follows (Delivery):
// the account gets the email of the flow that serves its status (a
// pending account asking to recover gets activation, an active one asking
// for activation "you already have an account"), an unknown address a
// "no account here" notice; a disabled account gets nothing. The account itself
// is not changed, so the old password keeps working until the flow
// completes.
func (s *Service) Request(ctx context.Context, f *Flow, email string, m Meta) (Sent, error) {
	canon, err := CanonicalEmail(email)
	if err != nil {
		return Sent{}, err
	}
	return s.repeats.once(s.repeatKey("request:"+f.Name, canon, m), s.clock(), s.cfg.RepeatWindow, func() (Sent, error) {
		return s.request(ctx, f, email, canon, m)
	})
}

// request is Request for a well-formed address, not a repeat.
func (s *Service) request(ctx context.Context, f *Flow, email, canon string, m Meta) (Sent, error) {
	if err := s.allowEmail(ctx, canon, m); errors.Is(err, errAddressQuiet) {
		return s.sent(email, newBinding()), nil
	} else if err != nil {
		return Sent{}, err
	}
	binding := newBinding()
	now := s.now()
	outcome := "unknown"
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := tx.UserByEmail(ctx, canon)
		if errors.Is(err, store.ErrNotFound) {
			if err := s.codeRequest(ctx, tx, binding, f, nil, canon, now); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, 0, f.requested, m); err != nil {
				return err
			}
			// A "no account here" notice, so the browser's "check your
			// inbox" follows a real message as it does for an account
			// (rule 29 allows it; the address's limits apply alike).
			return s.enqueueFor(ctx, tx, binding, canon, m.Locale, NoAccountEmail{
				SignUpURL: s.link(paths.Register, "", m.Locale),
			})
		}
		if err != nil {
			return err
		}
		g := f.serving(u.Status)
		if err := s.codeRequest(ctx, tx, binding, f, g, canon, now); err != nil {
			return err
		}
		if g == nil && u.Status == store.UserActive {
			// "Send again" on sign-up's "check your inbox" for an active
			// account: the same email the sign-up itself sent.
			outcome = "exists"
			if err := s.audit(ctx, tx, u.ID, EventRegisterExists, m); err != nil {
				return err
			}
			return s.alreadyRegistered(ctx, tx, binding, u)
		}
		if g == nil {
			outcome = "none for " + u.Status
			return nil
		}
		outcome = u.Status
		return s.sendLink(ctx, tx, u, false, g, now, m, binding)
	})
	if err != nil {
		return Sent{}, err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account "+f.Name+" requested", "outcome", outcome, "email_hash", logctx.EmailHash(canon))
	return s.sent(email, binding), nil
}

// TooSoonError is a "send again" inside ResendCooldown; nothing was sent.
// Wait is how long until one may be (at least a second); it is the same
// whatever the address.
type TooSoonError struct{ Wait time.Duration }

func (e *TooSoonError) Error() string { return ErrTooSoon.Error() + ", wait " + e.Wait.String() }

// Is makes a TooSoonError an ErrTooSoon.
func (e *TooSoonError) Is(target error) bool { return target == ErrTooSoon }

// Resend sends f's email again to the address a browser asked for before
// (prev, as the browser remembers it), at most once per ResendCooldown:
// counted from that browser's last email, and per address across browsers
// (a *TooSoonError otherwise). The answer is the same whatever the
// address, and a malformed one sends nothing.
func (s *Service) Resend(ctx context.Context, f *Flow, prev Sent, m Meta) (Sent, error) {
	email := prev.Email
	if wait := prev.ResendAt().Sub(s.clock()); wait > 0 {
		return Sent{}, tooSoon(wait)
	}
	ok, wait, err := s.limiter.Allow(ctx, "resend:"+logctx.EmailHash(email), ratelimit.Rule{Max: 1, Window: ResendCooldown})
	if err != nil {
		return Sent{}, err
	}
	if !ok {
		return Sent{}, tooSoon(wait)
	}
	if f.NewAddress {
		return s.resendNewAddress(ctx, f, prev, m)
	}
	sent, err := s.Request(ctx, f, email, m)
	var errs FieldErrors
	if errors.As(err, &errs) {
		return s.sent(email, newBinding()), nil
	}
	return sent, err
}

// tooSoon is the error for a wait, rounded up to whole seconds, as the
// page counts them.
func tooSoon(wait time.Duration) *TooSoonError {
	secs := max((wait+time.Second-1)/time.Second, 1)
	return &TooSoonError{Wait: secs * time.Second}
}

// alreadyRegistered queues the "you already have an account" email to u,
// for the browser holding binding.
func (s *Service) alreadyRegistered(ctx context.Context, tx *store.Store, binding string, u *store.User) error {
	return s.enqueueFor(ctx, tx, binding, u.Email, u.Locale, AlreadyRegisteredEmail{
		FirstName: u.FirstName,
		LastName:  u.LastName,
		LoginURL:  s.link(paths.Login, "", u.Locale),
		ResetURL:  s.link(paths.PasswordForgot, "", u.Locale),
	})
}
