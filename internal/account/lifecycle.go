package account

import (
	"context"
	"errors"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
)

// DeleteBlockedError is a deletion a rule of the account's other ties
// refuses until something is done first; Reason says what, in the owner's
// words.
type DeleteBlockedError struct {
	Reason i18n.Message
	// OrgPublicID and OrgName are the organisation the rule is about,
	// for the console to lead to it.
	OrgPublicID, OrgName string
}

func (e *DeleteBlockedError) Error() string { return "account: deletion blocked: " + e.Reason.ID }

// deletionBlocked is where the rules that keep an account from being
// deleted plug in; it returns a *DeleteBlockedError to refuse. The
// organisations' rule belongs here: the last owner of an organisation
// hands over ownership before leaving. It runs in the erasing transaction
// (tx), so it judges the state the erasure commits against, and on its own
// (tx is the Service's store) for the confirmation page, which says why
// before the password is typed.
func (s *Service) deletionBlocked(ctx context.Context, tx *store.Store, u *store.User) error {
	m, err := tx.MembershipByUser(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Role != store.RoleOwner || m.Status != store.MemberActive {
		return nil
	}
	if err := tx.LockOrganisation(ctx, m.OrgID); err != nil {
		return err
	}
	owners, err := tx.CountOwners(ctx, m.OrgID)
	if err != nil || owners > 1 {
		return err
	}
	members, err := tx.CountMembers(ctx, m.OrgID)
	if err != nil || members <= 1 {
		// Alone in it: the organisation goes with its only person (erase).
		return err
	}
	e := &DeleteBlockedError{Reason: i18n.Msg("error.org.last_owner")}
	if m.Organisation != nil {
		e.OrgPublicID, e.OrgName = m.Organisation.PublicID, m.Organisation.Name
	}
	return e
}

// eraseOrgOf deletes u's organisation when u is its only person, so that a
// domain it claimed is free again and nothing of it outlives them.
func (s *Service) eraseOrgOf(ctx context.Context, tx *store.Store, u *store.User) error {
	m, err := tx.MembershipByUser(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	n, err := tx.CountMembers(ctx, m.OrgID)
	if err != nil || n > 1 {
		return err
	}
	return tx.DeleteOrganisation(ctx, m.OrgID)
}

// CanDelete is nil when the account may be deleted, else the
// *DeleteBlockedError of the rule that refuses.
func (s *Service) CanDelete(ctx context.Context, who User) error {
	u, err := s.store.UserByID(ctx, who.ID)
	if err != nil {
		return err
	}
	return s.deletionBlocked(ctx, s.store, u)
}

// DeleteAccount erases the signed-in owner's account after the password
// is entered again (FieldErrors otherwise): the same erasure as an
// operator's (erase), then, in the same transaction, the last email,
// which carries everything it says so it renders without the account and
// forgets its recipient once sent, the user.deleted webhook, and an audit
// event that names no one.
func (s *Service) DeleteAccount(ctx context.Context, who User, currentPW string, m Meta) error {
	u, err := s.store.UserByID(ctx, who.ID)
	if err != nil {
		return err
	}
	ok, err := s.checkCurrentPassword(ctx, u, currentPW)
	if err != nil {
		return err
	}
	switch {
	case currentPW == "":
		return FieldErrors{"current_password": i18n.Msg("error.password.required")}
	case !ok:
		return FieldErrors{"current_password": i18n.Msg("error.password.current_wrong")}
	}
	now := s.now()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := s.deletionBlocked(ctx, tx, u); err != nil {
			return err
		}
		if err := s.erase(ctx, tx, u); err != nil {
			return err
		}
		data, err := EncodeEmail(AccountDeletedEmail{DeletedAt: now.Truncate(time.Second)})
		if err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, &store.OutboxMessage{Kind: EmailAccountDeleted, Recipient: u.Email, Locale: u.Locale,
			Data: data, CreatedAt: now, ForgetRecipient: true}); err != nil {
			return err
		}
		return s.audit(ctx, tx, 0, EventAccountDeleted, Meta{})
	})
	if err != nil {
		return err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "account deleted by owner", "user_id", u.ID)
	return nil
}

// erase removes the account and everything kept about its person (see
// store.DeleteUser), and tells the platform. The owner's deletion and the
// operator's (DeleteUser) both go through it, so they erase the same.
func (s *Service) erase(ctx context.Context, tx *store.Store, u *store.User) error {
	others, err := tx.TokenAddresses(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := s.eraseOrgOf(ctx, tx, u); err != nil {
		return err
	}
	e := store.Erasure{AddressHash: logctx.EmailHash(u.Email), Addresses: others, RateKeys: []string{"export:user:" + u.PublicID}}
	for _, a := range append([]string{u.Email}, others...) {
		h := logctx.EmailHash(a)
		e.AddressHashes = append(e.AddressHashes, h)
		e.RateKeys = append(e.RateKeys, "email:addr:"+h, "resend:"+h, "code:addr:"+h)
	}
	if err := tx.DeleteUser(ctx, u, e); err != nil {
		return err
	}
	return s.notify(ctx, tx, WebhookUserDeleted, u.PublicID, u.Email, WebhookData{})
}

// ExportLimit is how often an owner may download their data: each export
// reads the whole trail, and a stolen session should not be a pump.
var ExportLimit = ratelimit.Rule{Max: 5, Window: time.Hour}

// Export is everything Gatehouse holds about one person, as the owner
// downloads it. It has no password hash, token, code or key.
type Export struct {
	GeneratedAt time.Time       `json:"generated_at"`
	Profile     ExportProfile   `json:"profile"`
	Sessions    []ExportSession `json:"sessions"`
	Events      []ExportEvent   `json:"events"`
	Emails      []ExportEmail   `json:"emails"`
	Passkeys    []ExportPasskey `json:"passkeys"`
	// PendingEmailChange is an address change not proven yet.
	PendingEmailChange *ExportEmailChange `json:"pending_email_change,omitempty"`
}

// ExportProfile is the account itself.
type ExportProfile struct {
	UserID            string     `json:"user_id"`
	Email             string     `json:"email"`
	FirstName         string     `json:"first_name"`
	LastName          string     `json:"last_name"`
	Company           string     `json:"company"`
	Country           string     `json:"country"`
	Region            string     `json:"region,omitempty"`
	Phone             string     `json:"phone,omitempty"`
	Language          string     `json:"language"`
	Status            string     `json:"status"`
	CreatedAt         time.Time  `json:"created_at"`
	ActivatedAt       *time.Time `json:"activated_at,omitempty"`
	PasswordChangedAt *time.Time `json:"password_changed_at,omitempty"`
}

// ExportSession is one signed-in browser.
type ExportSession struct {
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	Current    bool      `json:"current"`
}

// ExportEvent is one event of the audit trail. An event an operator
// caused says so (ByOperator) and nothing of the operator: their name,
// address and the network address they acted from are theirs, not the
// person's.
type ExportEvent struct {
	Kind       string    `json:"kind"`
	At         time.Time `json:"at"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	ByOperator bool      `json:"by_operator,omitempty"`
}

// ExportEmail is one email sent (or to be sent) to the person, with what
// the mail provider reported of it.
type ExportEmail struct {
	Kind       string     `json:"kind"`
	Status     string     `json:"status"`
	QueuedAt   time.Time  `json:"queued_at"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
	Delivery   string     `json:"delivery,omitempty"`
	DeliveryAt *time.Time `json:"delivery_at,omitempty"`
}

// ExportPasskey is one passkey: its name and when it was added and last
// used, never its credential id or public key.
type ExportPasskey struct {
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// ExportEmailChange is a change of address waiting for its proof.
type ExportEmailChange struct {
	NewEmail  string    `json:"new_email"`
	ExpiresAt time.Time `json:"expires_at"`
}

// exportRows caps each list of an export; the stores purge older rows long
// before an account has this many.
const exportRows = 10000

// ExportData is the signed-in owner's data, within ExportLimit per account
// (a *RateLimitedError past it). The export is recorded in the trail.
func (s *Service) ExportData(ctx context.Context, who User, current Session, m Meta) (Export, error) {
	if err := s.allow(ctx, "export", check{"export:user:" + who.PublicID, ExportLimit}); err != nil {
		return Export{}, err
	}
	u, err := s.store.UserByID(ctx, who.ID)
	if err != nil {
		return Export{}, err
	}
	now := s.now()
	if err := s.audit(ctx, s.store, u.ID, EventDataExported, m); err != nil {
		return Export{}, err
	}
	x := Export{GeneratedAt: now, Profile: ExportProfile{UserID: u.PublicID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName,
		Company: u.Company, Country: u.Country, Region: u.Region, Phone: u.Phone, Language: u.Locale, Status: u.Status,
		CreatedAt: u.CreatedAt, ActivatedAt: u.ActivatedAt, PasswordChangedAt: u.PasswordChangedAt},
		Sessions: []ExportSession{}, Events: []ExportEvent{}, Emails: []ExportEmail{}, Passkeys: []ExportPasskey{}}
	sessions, err := s.store.SessionsByUser(ctx, u.ID, now, s.cfg.SessionIdle)
	if err != nil {
		return Export{}, err
	}
	for _, ss := range sessions {
		x.Sessions = append(x.Sessions, ExportSession{CreatedAt: ss.CreatedAt, LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt,
			IP: ss.IP, UserAgent: ss.UserAgent, Current: ss.ID == current.ID})
	}
	events, err := s.store.AuditEventsByUser(ctx, u.ID, exportRows)
	if err != nil {
		return Export{}, err
	}
	for _, e := range events {
		if e.Actor != "" {
			x.Events = append(x.Events, ExportEvent{Kind: e.Kind, At: e.CreatedAt, ByOperator: true})
			continue
		}
		x.Events = append(x.Events, ExportEvent{Kind: e.Kind, At: e.CreatedAt, IP: e.IP, UserAgent: e.UserAgent})
	}
	mails, err := s.store.MailTo(ctx, u.Email, exportRows)
	if err != nil {
		return Export{}, err
	}
	for _, ms := range mails {
		x.Emails = append(x.Emails, ExportEmail{Kind: ms.Kind, Status: ms.Status, QueuedAt: ms.CreatedAt, SentAt: ms.SentAt,
			Delivery: ms.Delivery, DeliveryAt: ms.DeliveryAt})
	}
	keys, err := s.store.PasskeysByUser(ctx, u.ID)
	if err != nil {
		return Export{}, err
	}
	for _, p := range keys {
		x.Passkeys = append(x.Passkeys, ExportPasskey{Name: p.Name, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt})
	}
	t, err := s.store.LatestOpenToken(ctx, u.ID, EmailChange.linkPurpose, now)
	if errors.Is(err, store.ErrNotFound) {
		t, err = s.store.LatestOpenToken(ctx, u.ID, EmailChange.codePurpose, now)
	}
	switch {
	case err == nil:
		x.PendingEmailChange = &ExportEmailChange{NewEmail: t.Email, ExpiresAt: t.ExpiresAt}
	case !errors.Is(err, store.ErrNotFound):
		return Export{}, err
	}
	logctx.From(ctx).InfoContext(ctx, "account data exported", "user_id", u.ID)
	return x, nil
}

// EndSession signs out one of the owner's sessions by its id, as the
// account page lists them; an id that is not theirs ends nothing and is
// ErrNoSession.
func (s *Service) EndSession(ctx context.Context, who User, id int64, m Meta) error {
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		hash, err := tx.DeleteUserSession(ctx, who.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoSession
		}
		if err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookSessionEnded, who.PublicID, who.Email,
			WebhookData{SessionID: sessionPublicID(hash), SessionsEnded: 1, Reason: EndedOne}); err != nil {
			return err
		}
		return s.audit(ctx, tx, who.ID, EventSessionEnded, m)
	})
	if err != nil {
		return err
	}
	logctx.From(ctx).InfoContext(ctx, "account session ended", "user_id", who.ID)
	return nil
}

// ProfileFields are the fields of the sign-up form its owner edits later
// on the account page, in the form's order; the address has a flow of its
// own (EmailChange).
var ProfileFields = []string{"first_name", "last_name", "company", "country", "region", "phone"}

// ProfileForm is the owner's current profile as a registration, for the
// account page's form: the sign-up fields, their checks and their inline
// validation serve both.
func ProfileForm(u User) Registration {
	var r Registration
	for _, kv := range [][2]string{{"first_name", u.FirstName}, {"last_name", u.LastName}, {"company", u.Company},
		{"country", u.Country}, {"region", u.Region}, {"phone", u.Phone}, {"email", u.Email}} {
		r.Set(kv[0], kv[1])
	}
	return r
}

// UpdateProfile stores the profile fields of r (posted from the account
// page, with the sign-up form's checks); the address and the terms are
// not the profile's and are ignored. A refusal is FieldErrors.
func (s *Service) UpdateProfile(ctx context.Context, who User, r Registration, m Meta) error {
	r.Set("email", who.Email)
	r.waiveTerms()
	r.Normalize()
	if errs := r.Validate(); errs != nil {
		return errs
	}
	p := store.Profile{FirstName: r.Get("first_name"), LastName: r.Get("last_name"), Company: r.Get("company"),
		Country: r.Get("country"), Region: r.Get("region"), Phone: r.Get("phone")}
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.UpdateUserProfile(ctx, who.ID, p, s.now()); err != nil {
			return err
		}
		return s.audit(ctx, tx, who.ID, EventProfileUpdated, m)
	})
	if err != nil {
		return err
	}
	logctx.From(ctx).InfoContext(ctx, "account profile updated", "user_id", who.ID)
	return nil
}
