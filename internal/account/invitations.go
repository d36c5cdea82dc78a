package account

import (
	"context"
	"errors"
	"net/mail"
	"strings"
	"time"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/password"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// Invitations: an organisation's owners and admins invite addresses with a
// role, and so does an operator from the console (OrgOperator, with an
// owner's rights), whose invitation names no one: the invitee and the
// owners are told an administrator invited. The emailed link opens a page
// (GET changes nothing); a person with no account joins there with names
// and a password, the link having proven the address; a person with an
// account signs in and accepts from the list of their invitations. Every
// action by an organisation's people takes the organisation from the
// actor's own membership, never from the request, so no id from another
// organisation can reach anything.

// MaxInvitesPerForm is the most addresses one invitation form takes.
const MaxInvitesPerForm = 50

// DefaultInviteTTL is how long an invitation's link works when the
// configuration says nothing.
const DefaultInviteTTL = 7 * 24 * time.Hour

// ErrHasAccount is an invitation link opened for an address that already
// has an account: its owner signs in and accepts from there.
var ErrHasAccount = errors.New("account: the invited address has an account; sign in to accept")

// AlreadyMemberError is an acceptance by someone who belongs to an
// organisation already (one per person for now); Org names it.
type AlreadyMemberError struct{ Org string }

func (e *AlreadyMemberError) Error() string { return "account: already a member of " + e.Org }

// Invitation is one invitation as the organisation page and the invitee
// see it: never its token.
type Invitation struct {
	ID    string // the public id the page's forms carry
	Email string
	Role  string
	Org   string // the organisation's name
	// InvitedBy is the inviter's full name: "" when the account is gone,
	// and for an operator's invitation (ByOperator) but in the console.
	InvitedBy  string
	ByOperator bool
	SentAt     time.Time
	ExpiresAt  time.Time
	Expired    bool
}

// invitationView is inv as a page shows it; named says the viewer may
// learn which operator sent an operator's invitation (the console only).
func (s *Service) invitationView(inv *store.Invitation, org string, named bool) Invitation {
	v := Invitation{ID: inv.PublicID, Email: inv.Email, Role: inv.Role, Org: org, SentAt: inv.SentAt, ExpiresAt: inv.ExpiresAt,
		Expired: !inv.ExpiresAt.After(s.now()), ByOperator: inv.ByOperator}
	if inv.Organisation != nil {
		v.Org = inv.Organisation.Name
	}
	if inv.Inviter != nil && (!inv.ByOperator || named) {
		v.InvitedBy = strings.TrimSpace(inv.Inviter.FirstName + " " + inv.Inviter.LastName)
	}
	return v
}

// OrgInvitations is the organisation page's invitations section.
type OrgInvitations struct {
	Org     string
	MyRole  Role
	Pending []Invitation
	// Grantable are the roles the viewer may invite with.
	Grantable []Role
}

// Invitations lists the open (and expired, to resend) invitations of the
// organisation who manages; ErrForbidden for a member or no organisation.
// Only the console (an OrgOperator) is told which operator sent an
// operator's invitation.
func (s *Service) Invitations(ctx context.Context, who OrgActor) (OrgInvitations, error) {
	me, _, err := s.orgSeat(ctx, who, RoleAdmin)
	if err != nil {
		return OrgInvitations{}, err
	}
	list, err := s.store.PendingInvitations(ctx, me.OrgID)
	if err != nil {
		return OrgInvitations{}, err
	}
	out := OrgInvitations{Org: me.OrgName, MyRole: me.Role}
	for _, r := range Roles {
		if CanAssign(me.Role, "", r) {
			out.Grantable = append(out.Grantable, r)
		}
	}
	for i := range list {
		out.Pending = append(out.Pending, s.invitationView(&list[i], me.OrgName, me.operator != nil))
	}
	return out, nil
}

// InviteResult says what an invitation form did: the addresses invited,
// and those left out because they are members already.
type InviteResult struct {
	Invited, AlreadyMembers []string
}

// splitAddresses reads one or many addresses, separated by commas,
// semicolons, spaces or lines, each made canonical; a malformed one is
// a FieldErrors on "emails" naming it. Repeats count once.
func splitAddresses(list string) ([]string, error) {
	var fields []string
	// "Grace Hopper <grace@example.com>, linus@example.com" as pasted
	// from a mail client: a list of addresses with display names.
	sep := strings.NewReplacer(";", ",", "\r\n", ",", "\n", ",", "\r", ",")
	if parsed, err := mail.ParseAddressList(strings.Trim(sep.Replace(list), ", \t")); err == nil {
		for _, a := range parsed {
			fields = append(fields, a.Address)
		}
	} else {
		fields = strings.FieldsFunc(list, func(r rune) bool {
			return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
		})
	}
	if len(fields) == 0 {
		return nil, FieldErrors{"emails": i18n.Msg("error.invite.emails_required")}
	}
	if len(fields) > MaxInvitesPerForm {
		return nil, FieldErrors{"emails": i18n.Message{ID: "error.invite.too_many", Data: map[string]any{"Max": MaxInvitesPerForm}}}
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range fields {
		c, err := CanonicalEmail(strings.Trim(f, "<>"))
		if err != nil {
			return nil, FieldErrors{"emails": i18n.Message{ID: "error.invite.email_invalid", Data: map[string]any{"Email": clip(f, 80)}}}
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// Invite invites every address in list to who's organisation with role.
// Only owners and admins invite (and operators, as owners), and only
// owners invite owners (ErrForbidden otherwise, nothing sent). Each
// address counts against the inviter's (an operator's own account's) and
// the organisation's invitation limits; over either, the form is refused
// as a whole (a RateLimitedError) and nothing is sent. An address already
// invited gets a fresh invitation, which replaces the old one; members of
// the organisation are left out and named.
func (s *Service) Invite(ctx context.Context, who OrgActor, list, role string, m Meta) (InviteResult, error) {
	if u, ok := who.(User); ok && u.AwaitingApproval {
		// Not let in yet: an organisation waiting for an operator sends
		// no invitations.
		return InviteResult{}, ErrOrgForbidden
	}
	mem, actor, err := s.orgSeat(ctx, who, RoleAdmin)
	if err != nil {
		return InviteResult{}, err
	}
	r, ok := ParseRole(role)
	if !ok {
		return InviteResult{}, FieldErrors{"role": i18n.Msg("error.invite.role")}
	}
	if !CanAssign(mem.Role, "", r) {
		return InviteResult{}, ErrOrgForbidden
	}
	addrs, err := splitAddresses(list)
	if err != nil {
		return InviteResult{}, err
	}
	members, err := s.store.Members(ctx, mem.OrgID, store.MemberActive, string(EventLoginOK))
	if err != nil {
		return InviteResult{}, err
	}
	isMember := map[string]bool{}
	for _, r := range members {
		isMember[strings.ToLower(r.Email)] = true
	}
	var res InviteResult
	for _, a := range addrs {
		if isMember[a] {
			res.AlreadyMembers = append(res.AlreadyMembers, a)
			continue
		}
		res.Invited = append(res.Invited, a)
	}
	for _, a := range res.Invited {
		if err := s.allowInvite(ctx, actor.ID, mem.OrgID, a); err != nil {
			return InviteResult{}, err
		}
	}
	now := s.now()
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		// Checked again where the change is made: a role taken away
		// meanwhile sends nothing.
		if mem, actor, err = who.seat(ctx, s, tx, RoleAdmin); err != nil {
			return err
		}
		if !CanAssign(mem.Role, "", r) {
			return ErrOrgForbidden
		}
		for _, a := range res.Invited {
			raw, hash := token.New()
			inv := &store.Invitation{OrgID: mem.OrgID, Email: a, Role: role, InvitedBy: &actor.ID, ByOperator: mem.operator != nil,
				Locale: s.inviteeLocale(ctx, tx, a, actor, m), TokenHash: hash, CreatedAt: now, SentAt: now, ExpiresAt: now.Add(s.inviteTTL())}
			if err := tx.CreateInvitation(ctx, inv); err != nil {
				return err
			}
			if err := s.sendInvitation(ctx, tx, inv, raw, mem, actor); err != nil {
				return err
			}
			if err := s.trailEntry(ctx, tx, mem, actor.ID, 0, OrgEventInvited, a); err != nil {
				return err
			}
		}
		switch {
		case len(res.Invited) == 0:
			return nil
		case mem.operator != nil:
			return s.operatorAudit(ctx, tx, mem, 0, OrgEventInvited)
		}
		return s.audit(ctx, tx, actor.ID, EventInvitationSent, m)
	})
	if err != nil {
		return InviteResult{}, err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "organisation invitations sent", "user_id", actor.ID, "org_id", mem.OrgID, "count", len(res.Invited))
	return res, nil
}

// allowInvite counts one invitation email to addr against the inviter's
// and the organisation's limits, and against the address's own (the
// per-address email limit, counted apart from sign-up's), so that resends
// cannot flood one inbox.
func (s *Service) allowInvite(ctx context.Context, userID, orgID int64, addr string) error {
	return s.allow(ctx, "invite",
		check{"invite:user:" + itoa(userID), s.cfg.Limits.InvitesPerInviter},
		check{"invite:org:" + itoa(orgID), s.cfg.Limits.InvitesPerOrg},
		check{"invite:addr:" + logctx.EmailHash(addr), s.cfg.Limits.EmailPerAddress})
}

// inviteeLocale is the language of an invitation's email: the invitee's
// own when they have an account, else the inviter's.
func (s *Service) inviteeLocale(ctx context.Context, tx *store.Store, email string, inviter *store.User, m Meta) string {
	if u, err := tx.UserByEmail(ctx, email); err == nil && u.Locale != "" {
		return u.Locale
	}
	if inviter.Locale != "" {
		return inviter.Locale
	}
	return m.Locale
}

func (s *Service) inviteTTL() time.Duration {
	if s.cfg.InviteTTL > 0 {
		return s.cfg.InviteTTL
	}
	return DefaultInviteTTL
}

// sendInvitation queues the invitation's email with its link, from the
// inviter whose seat is me: an operator's names no one.
func (s *Service) sendInvitation(ctx context.Context, tx *store.Store, inv *store.Invitation, raw string, me OrgMembership, inviter *store.User) error {
	e := InvitationEmail{
		TimeZone:  inviter.TimeZone,
		Org:       me.OrgName,
		Role:      inv.Role,
		Link:      s.link(paths.Invite, raw, inv.Locale),
		ExpiresAt: inv.ExpiresAt,
	}
	if me.operator != nil {
		e.ByOperator = true
	} else {
		e.Inviter = strings.TrimSpace(inviter.FirstName + " " + inviter.LastName)
	}
	if u, err := tx.UserByEmail(ctx, inv.Email); err == nil {
		e.FirstName, e.LastName = u.FirstName, u.LastName
		if u.TimeZone != "" {
			e.TimeZone = u.TimeZone
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.enqueue(ctx, tx, inv.Email, inv.Locale, e)
}

// ResendInvitation sends an open (or expired) invitation of who's
// organisation again with a new link and a new lifetime; the old link
// stops working. ErrNoInvitation for an id of any other organisation, or
// one already closed: a guess and a stale form look alike.
func (s *Service) ResendInvitation(ctx context.Context, who OrgActor, id string, m Meta) error {
	mem, actor, err := s.orgSeat(ctx, who, RoleAdmin)
	if err != nil {
		return err
	}
	if id == "" || len(id) > 64 {
		return ErrNoInvitation
	}
	inv, err := s.store.InvitationInOrg(ctx, mem.OrgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoInvitation
	}
	if err != nil {
		return err
	}
	if !CanAssign(mem.Role, "", Role(inv.Role)) {
		return ErrOrgForbidden
	}
	if err := s.allowInvite(ctx, actor.ID, mem.OrgID, inv.Email); err != nil {
		return err
	}
	now := s.now()
	raw, hash := token.New()
	inv.TokenHash, inv.SentAt, inv.ExpiresAt = hash, now, now.Add(s.inviteTTL())
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if mem, actor, err = who.seat(ctx, s, tx, RoleAdmin); err != nil {
			return err
		}
		// The resender is the inviter from now on, in the list as in the
		// new email.
		if err := tx.ReissueInvitation(ctx, mem.OrgID, id, hash, now, inv.ExpiresAt, actor.ID, mem.operator != nil); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrNoInvitation
			}
			return err
		}
		if err := s.sendInvitation(ctx, tx, inv, raw, mem, actor); err != nil {
			return err
		}
		return s.trail(ctx, tx, mem, actor.ID, 0, OrgEventInvitationResent, inv.Email)
	})
	if err != nil {
		return err
	}
	s.queued()
	return nil
}

// ErrNoInvitation is an invitation id that names no open invitation of the
// actor's organisation (another organisation's, a closed one, a guess):
// the same 404 as any member or domain outside it.
var ErrNoInvitation = ErrOrgNotFound

// RevokeInvitation closes an open invitation of who's organisation: its
// link shows the expired-link page from now on.
func (s *Service) RevokeInvitation(ctx context.Context, who OrgActor, id string, m Meta) error {
	if id == "" || len(id) > 64 {
		if _, _, err := s.orgSeat(ctx, who, RoleAdmin); err != nil {
			return err
		}
		return ErrNoInvitation
	}
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, mem OrgMembership, actor *store.User) error {
		inv, err := tx.InvitationInOrg(ctx, mem.OrgID, id)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoInvitation
		}
		if err != nil {
			return err
		}
		if !CanAssign(mem.Role, "", Role(inv.Role)) {
			return ErrOrgForbidden
		}
		if err := tx.RevokeInvitation(ctx, mem.OrgID, id, s.now()); errors.Is(err, store.ErrNotFound) {
			return ErrNoInvitation
		} else if err != nil {
			return err
		}
		return s.trail(ctx, tx, mem, actor.ID, 0, OrgEventInvitationRevoked, inv.Email)
	})
}

// InvitationLink is what the page of an invitation's link shows.
type InvitationLink struct {
	Invitation
	// HasAccount says the address has an active account, whose owner
	// signs in to accept.
	HasAccount bool
}

// OpenInvitation is an invitation's link being opened: a use of a token
// from m's client within the per-IP limit, and a look that changes
// nothing (mail scanners open links). Unknown, used, revoked and expired
// links are all ErrInvalidToken.
func (s *Service) OpenInvitation(ctx context.Context, raw string, m Meta) (InvitationLink, error) {
	settle, err := s.allowTokenUse(ctx, m)
	if err != nil {
		return InvitationLink{}, err
	}
	l, err := s.CheckInvitation(ctx, raw)
	settle(err)
	return l, err
}

// CheckInvitation is OpenInvitation without counting the use, for the
// page the link leads to.
func (s *Service) CheckInvitation(ctx context.Context, raw string) (InvitationLink, error) {
	inv, err := s.openInvitation(ctx, raw)
	if err != nil {
		return InvitationLink{}, err
	}
	l := InvitationLink{Invitation: s.invitationView(inv, "", false)}
	u, err := s.store.UserByEmail(ctx, inv.Email)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return InvitationLink{}, err
	case u.Status == store.UserDisabled:
		return InvitationLink{}, ErrInvalidToken
	case u.Status != store.UserPending:
		l.HasAccount = true
	}
	return l, nil
}

func (s *Service) openInvitation(ctx context.Context, raw string) (*store.Invitation, error) {
	if !token.WellFormed(raw) {
		return nil, ErrInvalidToken
	}
	inv, err := s.store.OpenInvitationByHash(ctx, token.Hash(raw), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	return inv, err
}

// JoinFieldNames are the sign-up fields an invitation's short sign-up
// asks for, validated as the full form validates them.
var JoinFieldNames = []string{"first_name", "last_name"}

// JoinForm is the short sign-up of an invitation's link.
type JoinForm struct {
	FirstName, LastName string
	Password, Confirm   string
}

// Join completes an invitation for an address with no account: the link
// proved the address, so the account is created active with the names and
// password given, the company being the organisation's, and joins it with
// the invitation's role, all in one transaction that uses the link up
// first (of parallel posts exactly one joins). An address that signed up
// but never activated is completed the same way. No session is issued; the
// person signs in next, as after any new password.
func (s *Service) Join(ctx context.Context, raw string, f JoinForm, m Meta) (Landing, error) {
	settle, err := s.allowTokenUse(ctx, m)
	if err != nil {
		return Landing{}, err
	}
	l, err := s.join(ctx, raw, f, m)
	settle(err)
	return l, err
}

func (s *Service) join(ctx context.Context, raw string, f JoinForm, m Meta) (Landing, error) {
	inv, err := s.openInvitation(ctx, raw)
	if err != nil {
		return Landing{}, err
	}
	var r Registration
	r.Set("first_name", f.FirstName)
	r.Set("last_name", f.LastName)
	errs := FieldErrors{}
	for _, name := range JoinFieldNames {
		r.NormalizeField(name)
		if e, bad := r.CheckField(name); bad {
			errs[name] = e
		}
	}
	first, last := r.Get("first_name"), r.Get("last_name")
	personal := personal(&store.User{Email: inv.Email, FirstName: first, LastName: last, Company: inv.Organisation.Name})
	for k, v := range s.cfg.Policy.Check(f.Password, f.Confirm, personal) {
		errs[k] = v
	}
	if len(errs) > 0 {
		return Landing{}, errs
	}
	hash, err := s.hasher.Hash(ctx, f.Password)
	if err != nil {
		return Landing{}, err
	}
	now := s.now()
	var joined *store.User
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		// Used up first: a parallel post waits here, then finds it used.
		used, err := tx.AcceptInvitationByHash(ctx, token.Hash(raw), 0, now)
		if errors.Is(err, store.ErrNotFound) {
			return ErrInvalidToken
		}
		if err != nil {
			return err
		}
		u := &store.User{Email: used.Email, FirstName: first, LastName: last, Company: inv.Organisation.Name,
			Locale: m.Locale, Status: store.UserPending, CreatedAt: now, UpdatedAt: now}
		if u.Locale == "" {
			u.Locale = used.Locale
		}
		created, err := tx.CreateUserIfAbsent(ctx, u)
		if err != nil {
			return err
		}
		if !created {
			if u, err = tx.UserByEmail(ctx, used.Email); err != nil {
				return err
			}
			if u.Status != store.UserPending {
				// Activated since the page was shown: sign in and accept.
				return ErrHasAccount
			}
			if err := tx.SetUserProfile(ctx, u.ID, first, last, inv.Organisation.Name, now); err != nil {
				return err
			}
			u.FirstName, u.LastName, u.Company = first, last, inv.Organisation.Name
		} else if err := s.notify(ctx, tx, WebhookUserRegistered, u.PublicID, u.Email, WebhookData{}); err != nil {
			return err
		}
		if err := tx.SetUserPassword(ctx, u.ID, hash, now); err != nil {
			return err
		}
		// The link proved the address: any activation link of an earlier
		// sign-up is void.
		if err := tx.RevokeTokens(ctx, u.ID, now, allPurposes()...); err != nil {
			return err
		}
		if err := tx.SetInvitationAcceptedBy(ctx, used.ID, u.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, u.ID, EventActivated, m); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookUserActivated, u.PublicID, u.Email, WebhookData{}); err != nil {
			return err
		}
		if err := s.joinOrg(ctx, tx, used, inv.Organisation, u, m); err != nil {
			return err
		}
		joined = u
		return s.passwordChangedEmail(ctx, tx, u, true, now, m)
	})
	if err != nil {
		return Landing{}, err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "organisation joined by invitation", "user_id", joined.ID, "org_id", inv.OrgID)
	return Landing{Email: joined.Email}, nil
}

// joinOrg adds the membership an accepted invitation gives, with its
// trail entries and webhook; an AlreadyMemberError when the person
// belongs to an organisation already.
func (s *Service) joinOrg(ctx context.Context, tx *store.Store, inv *store.Invitation, org *store.Organisation, u *store.User, m Meta) error {
	now := s.now()
	err := tx.AddMembership(ctx, &store.Membership{OrgID: inv.OrgID, UserID: u.ID, Role: inv.Role, Status: store.MemberActive,
		CreatedAt: now, JoinedAt: &now})
	if errors.Is(err, store.ErrTaken) {
		name := ""
		if mem, merr := tx.MembershipByUser(ctx, u.ID); merr == nil && mem.Organisation != nil {
			name = mem.Organisation.Name
		}
		return &AlreadyMemberError{Org: name}
	}
	if err != nil {
		return err
	}
	if err := s.orgEvent(ctx, tx, inv.OrgID, u.ID, u.ID, OrgEventInvitationAccepted, inv.Role); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, u.ID, EventInvitationAccepted, m); err != nil {
		return err
	}
	actor := ""
	if inv.InvitedBy != nil {
		if by, err := tx.UserByID(ctx, *inv.InvitedBy); err == nil {
			actor = by.PublicID
		}
	}
	d := orgData(org, Role(inv.Role), actor)
	if inv.ByOperator && actor != "" {
		d.ActorType = ActorOperator // the inviter acted from the console
	}
	return s.notify(ctx, tx, WebhookOrgMemberJoined, u.PublicID, u.Email, d)
}

// MyInvitations lists the open invitations to the signed-in person's
// address.
func (s *Service) MyInvitations(ctx context.Context, who User) ([]Invitation, error) {
	list, err := s.store.OpenInvitationsFor(ctx, who.Email, s.now())
	if err != nil {
		return nil, err
	}
	out := make([]Invitation, 0, len(list))
	for i := range list {
		out = append(out, s.invitationView(&list[i], "", false))
	}
	return out, nil
}

// AcceptInvitation makes the signed-in person a member of the organisation
// of their open invitation id (one to their own address only).
func (s *Service) AcceptInvitation(ctx context.Context, who User, id string, m Meta) (string, error) {
	var org string
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		u, err := tx.UserByID(ctx, who.ID)
		if err != nil {
			return err
		}
		inv, err := tx.AcceptInvitation(ctx, id, u.Email, u.ID, s.now())
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoInvitation
		}
		if err != nil {
			return err
		}
		o, err := tx.OrganisationByID(ctx, inv.OrgID)
		if err != nil {
			return err
		}
		org = o.Name
		return s.joinOrg(ctx, tx, inv, o, u, m)
	})
	if err != nil {
		return "", err
	}
	s.queued()
	return org, nil
}

// DeclineInvitation closes the signed-in person's open invitation id.
func (s *Service) DeclineInvitation(ctx context.Context, who User, id string, m Meta) error {
	return s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		inv, err := tx.DeclineInvitation(ctx, id, who.Email, s.now())
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoInvitation
		}
		if err != nil {
			return err
		}
		if err := s.orgEvent(ctx, tx, inv.OrgID, who.ID, who.ID, OrgEventInvitationDeclined, inv.Role); err != nil {
			return err
		}
		return s.audit(ctx, tx, who.ID, EventInvitationDeclined, m)
	})
}

// EvaluateJoinPassword scores a candidate password of an invitation's
// short sign-up for its live checklist, against the names typed so far.
func (s *Service) EvaluateJoinPassword(ctx context.Context, raw, first, last, pw string) (password.Evaluation, error) {
	inv, err := s.openInvitation(ctx, raw)
	if err != nil {
		return password.Evaluation{}, err
	}
	return s.cfg.Policy.Evaluate(pw, personal(&store.User{Email: inv.Email, FirstName: first, LastName: last, Company: inv.Organisation.Name})), nil
}
