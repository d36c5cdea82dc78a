package account

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/paths"
	"gatehouse/internal/store"
)

// Organisations: every customer company is one, the first verified person
// of a company creates it, and colleagues join it by a claimed domain (or,
// later, by invitation). Every rule about who may see or change what is
// here, checked on every call against the actor's membership as it is in
// the database now, never as a page or a session remembered it.

// ErrOrgForbidden is an organisation action the actor's role does not
// allow, or an actor with no active membership at all (403).
var ErrOrgForbidden = errors.New("account: not allowed in this organisation")

// ErrOrgNotFound is a member, request or domain that is not in the
// actor's organisation, whether it exists elsewhere or not (404).
var ErrOrgNotFound = errors.New("account: not in this organisation")

// Role is a member's role in an organisation.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner  Role = store.RoleOwner
	RoleAdmin  Role = store.RoleAdmin
	RoleMember Role = store.RoleMember
)

// Roles lists the roles, most powerful first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleMember}

// ParseRole is the role named s; ok is false for anything else.
func ParseRole(s string) (Role, bool) { return parseNamed(Roles, s) }

// rank orders the roles by Roles, most powerful highest; 0 is no role.
func (r Role) rank() int {
	if i := slices.Index(Roles, r); i >= 0 {
		return len(Roles) - i
	}
	return 0
}

// AtLeast reports whether r is min or more powerful.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && min.rank() > 0 }

// MessageID is the role's name on pages and in emails.
func (r Role) MessageID() string { return roleMessages[r] }

var roleMessages = map[Role]string{
	RoleOwner:  "page.org.role.owner",
	RoleAdmin:  "page.org.role.admin",
	RoleMember: "page.org.role.member",
}

// JoinPolicy is how verified addresses of a claimed domain join.
type JoinPolicy string

// The join policies; JoinInvite is a new claim's.
const (
	JoinInvite  JoinPolicy = store.JoinInvite
	JoinRequest JoinPolicy = store.JoinRequest
	JoinAuto    JoinPolicy = store.JoinAuto
)

// JoinPolicies lists the policies, the default first.
var JoinPolicies = []JoinPolicy{JoinInvite, JoinRequest, JoinAuto}

// ParseJoinPolicy is the policy named s; ok is false for anything else.
func ParseJoinPolicy(s string) (JoinPolicy, bool) { return parseNamed(JoinPolicies, s) }

// MessageID is the policy's name on the organisation page.
func (p JoinPolicy) MessageID() string { return policyMessages[p] }

var policyMessages = map[JoinPolicy]string{
	JoinInvite:  "page.org.policy.invite",
	JoinRequest: "page.org.policy.request",
	JoinAuto:    "page.org.policy.auto",
}

// parseNamed is the one of known whose name is s, so a form's value
// becomes a Role or JoinPolicy only when it names one exactly.
func parseNamed[T ~string](known []T, s string) (T, bool) {
	if i := slices.Index(known, T(s)); i >= 0 {
		return known[i], true
	}
	var none T
	return none, false
}

// OrgMembership is a person's place in an organisation, as the pages and
// the handoff see it.
type OrgMembership struct {
	OrgID       int64
	OrgPublicID string
	OrgName     string
	Role        Role
	// Pending is a join request not yet approved: no access to the
	// platform and no organisation page, only the waiting page.
	Pending bool
	// RequireSecondFactor is the organisation's rule that every member
	// has a passkey or two-step verification.
	RequireSecondFactor bool
	// operator is set when an operator acts with an owner's rights from
	// the console (OrgOperator) rather than a member from the owners'
	// page: the trail says so and the action is audited as theirs.
	operator *Operator
}

func membershipView(m *store.Membership) *OrgMembership {
	if m == nil || m.Organisation == nil {
		return nil
	}
	return &OrgMembership{OrgID: m.OrgID, OrgPublicID: m.Organisation.PublicID, OrgName: m.Organisation.Name,
		Role: Role(m.Role), Pending: m.Status != store.MemberActive, RequireSecondFactor: m.Organisation.RequireSecondFactor}
}

// NeedsSecondFactor reports whether the person must set up a passkey or
// two-step verification before the platform and the signed-in pages
// (all but the ones that set one up): their organisation requires one
// and they have neither. It is decided where the session is loaded, so
// it costs no query of its own.
func (u User) NeedsSecondFactor() bool {
	return u.Org != nil && !u.Org.Pending && u.Org.RequireSecondFactor && !u.hasSecondFactor
}

// SetRequireSecondFactor turns on or off the organisation's rule that
// every member has a passkey or two-step verification: owners only,
// recorded in the organisation's trail.
func (s *Service) SetRequireSecondFactor(ctx context.Context, who OrgActor, on bool, m Meta) error {
	return s.orgAction(ctx, who, RoleOwner, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		org, err := s.orgOf(ctx, tx, me)
		if err != nil {
			return err
		}
		if org.RequireSecondFactor == on {
			return nil
		}
		if err := tx.SetRequireSecondFactor(ctx, me.OrgID, on, s.now()); err != nil {
			return err
		}
		kind := OrgEventSecondFactorRequired
		if !on {
			kind = OrgEventSecondFactorOptional
		}
		return s.trail(ctx, tx, me, actor.ID, 0, kind, "")
	})
}

// HasAccess reports whether the person may use the platform and the
// signed-in pages: only an active member may. A pending request, or an
// account whose domain joins by invitation only, waits (WaitingFor).
func (u User) HasAccess() bool { return u.Org != nil && !u.Org.Pending && !u.AwaitingApproval }

// OrgRole is the actor's active membership as the database holds it now;
// ErrOrgForbidden when there is none (no organisation, or a request still
// pending). Every organisation action starts here.
func (s *Service) OrgRole(ctx context.Context, who User) (OrgMembership, error) {
	return s.orgRole(ctx, s.store, who.ID)
}

// RequireOrgRole is OrgRole, also refusing (ErrOrgForbidden) an actor
// whose role is below min.
func (s *Service) RequireOrgRole(ctx context.Context, who User, min Role) (OrgMembership, error) {
	return s.requireOrgRole(ctx, s.store, who.ID, min)
}

func (s *Service) orgRole(ctx context.Context, st *store.Store, userID int64) (OrgMembership, error) {
	m, err := st.MembershipByUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return OrgMembership{}, ErrOrgForbidden
	}
	if err != nil {
		return OrgMembership{}, err
	}
	v := membershipView(m)
	if v == nil || v.Pending {
		return OrgMembership{}, ErrOrgForbidden
	}
	return *v, nil
}

// requireOrgRole is RequireOrgRole inside a transaction (st), where the
// change it guards is made; the organisation's row is locked first, so
// checks against the whole membership (the last owner) take turns.
func (s *Service) requireOrgRole(ctx context.Context, st *store.Store, userID int64, min Role) (OrgMembership, error) {
	m, err := s.orgRole(ctx, st, userID)
	if err != nil {
		return OrgMembership{}, err
	}
	if !m.Role.AtLeast(min) {
		return OrgMembership{}, ErrOrgForbidden
	}
	if err := st.LockOrganisation(ctx, m.OrgID); err != nil {
		return OrgMembership{}, err
	}
	return m, nil
}

// CanAssign reports whether an actor of role actor may give role to a
// member who has role from now: owners may do anything; admins may move
// people between admin and member, but neither make nor unmake owners.
// The last-owner rule is checked apart (it needs the whole membership).
func CanAssign(actor, from, to Role) bool {
	if !actor.AtLeast(RoleAdmin) || to.rank() == 0 {
		return false
	}
	if from == RoleOwner || to == RoleOwner {
		return actor == RoleOwner
	}
	return true
}

// Placement is what activation did about the person's organisation; its
// Notice is what the sign-in page says once the password is set.
type Placement string

// The placements.
const (
	PlacedKept       Placement = "kept"        // already had a membership (an invitation)
	PlacedCreated    Placement = "created"     // first of the company: a new organisation, as owner
	PlacedJoined     Placement = "joined"      // the domain's policy is automatic: a member
	PlacedRequested  Placement = "requested"   // the domain's policy is request: pending
	PlacedInviteOnly Placement = "invite_only" // invitation only: no organisation yet
	// PlacedBeside is invitation only with ORG_ALLOW_DUPLICATE_DOMAIN: an
	// organisation of its own beside the one that claimed the domain.
	PlacedBeside Placement = "beside"
)

// Notice is what the sign-in page shows after activation placed the
// person so; "" keeps the flow's own notice.
func (p Placement) Notice() Notice {
	switch p {
	case PlacedJoined:
		return NoticeOrgJoined
	case PlacedRequested:
		return NoticeOrgRequested
	case PlacedInviteOnly:
		return NoticeOrgInviteOnly
	case PlacedBeside:
		return NoticeOrgBeside
	}
	return ""
}

// emailDomain is the normalised domain of a canonical address.
func emailDomain(email string) string {
	_, domain, _ := strings.Cut(email, "@")
	d, err := NormalizeDomain(domain)
	if err != nil {
		return ""
	}
	return d
}

// place decides, inside the activation's transaction, the organisation of
// a person whose address has just been verified and whose password is
// being set. It runs after verification only, so the sign-up answer says
// nothing of organisations (SECURITY.md rule 47).
func (s *Service) place(ctx context.Context, tx *store.Store, u *store.User, m Meta) (Placement, error) {
	if _, err := tx.MembershipByUser(ctx, u.ID); err == nil {
		return PlacedKept, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	now := s.now()
	d, err := tx.OrgDomainByName(ctx, emailDomain(u.Email))
	if errors.Is(err, store.ErrNotFound) {
		return PlacedCreated, s.createOrg(ctx, tx, u, orgNameFor(u), now)
	}
	if err != nil {
		return "", err
	}
	org := d.Organisation
	switch JoinPolicy(d.JoinPolicy) {
	case JoinAuto:
		if err := s.addMember(ctx, tx, org, u, RoleMember, store.MemberActive, now); err != nil {
			return "", err
		}
		if err := s.orgEvent(ctx, tx, org.ID, u.ID, u.ID, OrgEventJoinedByDomain, d.Domain); err != nil {
			return "", err
		}
		return PlacedJoined, s.notify(ctx, tx, WebhookOrgMemberJoined, u.PublicID, u.Email, orgData(org, RoleMember, ""))
	case JoinRequest:
		if err := s.addMember(ctx, tx, org, u, RoleMember, store.MemberPending, now); err != nil {
			return "", err
		}
		if err := s.orgEvent(ctx, tx, org.ID, u.ID, u.ID, OrgEventJoinRequested, d.Domain); err != nil {
			return "", err
		}
		if err := s.joinRequestEmails(ctx, tx, org, u); err != nil {
			return "", err
		}
		return PlacedRequested, s.notify(ctx, tx, WebhookOrgJoinRequested, u.PublicID, u.Email, orgData(org, "", ""))
	default:
		if !s.cfg.AllowDuplicateDomain {
			logctx.From(ctx).InfoContext(ctx, "account activated without organisation: domain joins by invitation", "user_id", u.ID, "org_id", org.ID)
			return PlacedInviteOnly, nil
		}
		return PlacedBeside, s.createOrg(ctx, tx, u, orgNameFor(u), now)
	}
}

// orgNameFor is the name a person's new organisation starts with: the
// company given at sign-up (required there), else the person's name.
func orgNameFor(u *store.User) string {
	if n := strings.TrimSpace(u.Company); n != "" {
		return n
	}
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// createOrg makes a new organisation with u as its owner.
func (s *Service) createOrg(ctx context.Context, tx *store.Store, u *store.User, name string, now time.Time) error {
	org := &store.Organisation{Name: name, CreatedAt: now, UpdatedAt: now}
	if err := tx.CreateOrganisation(ctx, org); err != nil {
		return err
	}
	if err := s.addMember(ctx, tx, org, u, RoleOwner, store.MemberActive, now); err != nil {
		return err
	}
	if err := s.orgEvent(ctx, tx, org.ID, u.ID, u.ID, OrgEventCreated, ""); err != nil {
		return err
	}
	if err := s.notify(ctx, tx, WebhookOrgCreated, u.PublicID, u.Email, orgData(org, RoleOwner, "")); err != nil {
		return err
	}
	return s.notify(ctx, tx, WebhookOrgMemberJoined, u.PublicID, u.Email, orgData(org, RoleOwner, ""))
}

// addMember adds u to org with role and status (active or pending).
func (s *Service) addMember(ctx context.Context, tx *store.Store, org *store.Organisation, u *store.User, role Role, status string, now time.Time) error {
	m := &store.Membership{OrgID: org.ID, UserID: u.ID, Role: string(role), Status: status, CreatedAt: now}
	if status == store.MemberActive {
		m.JoinedAt = &now
	}
	return tx.AddMembership(ctx, m)
}

// orgEvent records an entry of the organisation's audit trail.
func (s *Service) orgEvent(ctx context.Context, tx *store.Store, orgID, actorID, subjectID int64, kind OrgEventKind, detail string) error {
	return tx.AddOrgEvent(ctx, s.newOrgEvent(orgID, actorID, subjectID, kind, detail))
}

func (s *Service) newOrgEvent(orgID, actorID, subjectID int64, kind OrgEventKind, detail string) *store.OrgEvent {
	e := &store.OrgEvent{OrgID: orgID, Kind: string(kind), Detail: clip(detail, 253), CreatedAt: s.now()}
	if actorID != 0 {
		e.ActorID = &actorID
	}
	if subjectID != 0 {
		e.SubjectID = &subjectID
	}
	return e
}

// trail records an organisation action by the actor whose seat is me: an
// entry of the organisation's trail and, when an operator acted from the
// console, an event of the audit trail naming them (on the member it
// concerns, if any, and the organisation's even when that member has just
// left it), as every operator action is.
func (s *Service) trail(ctx context.Context, tx *store.Store, me OrgMembership, actorID, subjectID int64, kind OrgEventKind, detail string) error {
	if err := s.trailEntry(ctx, tx, me, actorID, subjectID, kind, detail); err != nil {
		return err
	}
	return s.operatorAudit(ctx, tx, me, subjectID, kind)
}

// trailEntry is trail's entry of the organisation's trail alone, marked
// as an operator's when one acted.
func (s *Service) trailEntry(ctx context.Context, tx *store.Store, me OrgMembership, actorID, subjectID int64, kind OrgEventKind, detail string) error {
	e := s.newOrgEvent(me.OrgID, actorID, subjectID, kind, detail)
	e.ByOperator = me.operator != nil
	return tx.AddOrgEvent(ctx, e)
}

// operatorAudit is trail's event of the audit trail, naming the operator
// whose seat is me (nothing for a member's action).
func (s *Service) operatorAudit(ctx context.Context, tx *store.Store, me OrgMembership, subjectID int64, kind OrgEventKind) error {
	if me.operator == nil {
		return nil
	}
	logctx.From(ctx).InfoContext(ctx, "organisation changed by operator", "org_id", me.OrgID, "kind", string(kind), "operator", me.operator.Name)
	return s.auditOrgBy(ctx, tx, me.OrgID, subjectID, EventOrgChangedByOperator, *me.operator)
}

// orgData is an org.* webhook's organisation fields, with actor the
// user id of the member who acted ("" for none).
func orgData(org *store.Organisation, role Role, actor string) WebhookData {
	d := WebhookData{OrgID: org.PublicID, OrgName: org.Name, OrgRole: string(role), ActorID: actor}
	if actor != "" {
		d.ActorType = ActorMember
	}
	return d
}

// orgDataBy is orgData of an action by actor, whose seat is me: a member,
// or an operator acting from the console.
func orgDataBy(org *store.Organisation, role Role, me OrgMembership, actor *store.User) WebhookData {
	d := orgData(org, role, actor.PublicID)
	if me.operator != nil {
		d.ActorType = ActorOperator
	}
	return d
}

// joinRequestEmails tells every owner and admin of org, each in their
// language, that u asks to join.
func (s *Service) joinRequestEmails(ctx context.Context, tx *store.Store, org *store.Organisation, u *store.User) error {
	admins, err := s.orgAdmins(ctx, tx, org.ID)
	if err != nil {
		return err
	}
	for _, a := range admins {
		e := JoinRequestEmail{FirstName: a.FirstName, LastName: a.LastName, OrgName: org.Name, RequesterName: strings.TrimSpace(u.FirstName + " " + u.LastName),
			RequesterEmail: u.Email, OrgURL: s.link(paths.Org, "", a.Locale)}
		if err := s.enqueue(ctx, tx, a.Email, a.Locale, e); err != nil {
			return err
		}
	}
	return nil
}

// orgAdmins are the organisation's active owners and admins.
func (s *Service) orgAdmins(ctx context.Context, tx *store.Store, orgID int64) ([]store.MemberRow, error) {
	rows, err := tx.Members(ctx, orgID, store.MemberActive, string(EventLoginOK))
	if err != nil {
		return nil, err
	}
	var out []store.MemberRow
	for _, r := range rows {
		if Role(r.Role).AtLeast(RoleAdmin) {
			out = append(out, r)
		}
	}
	return out, nil
}

// WaitKind says why a signed-in person has no access yet.
type WaitKind string

// The reasons.
const (
	// WaitApproval: a join request waits for an owner or admin.
	WaitApproval WaitKind = "approval"
	// WaitInvitation: the address's domain joins by invitation only, a
	// request was declined, or the person left or was removed.
	WaitInvitation WaitKind = "invitation"
)

// Waiting is what the waiting page says to a signed-in person without
// access: why, and the organisation concerned ("" when none is known).
type Waiting struct {
	Kind    WaitKind
	OrgName string
}

// WaitingFor tells a signed-in person without access why they wait.
func (s *Service) WaitingFor(ctx context.Context, who User) (Waiting, error) {
	if who.AwaitingApproval {
		return Waiting{Kind: WaitOperator}, nil
	}
	m, err := s.store.MembershipByUser(ctx, who.ID)
	if err == nil && m.Status == store.MemberPending {
		return Waiting{Kind: WaitApproval, OrgName: m.Organisation.Name}, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return Waiting{}, err
	}
	w := Waiting{Kind: WaitInvitation}
	if d, err := s.store.OrgDomainByName(ctx, emailDomain(who.Email)); err == nil {
		w.OrgName = d.Organisation.Name
	} else if !errors.Is(err, store.ErrNotFound) {
		return Waiting{}, err
	}
	return w, nil
}

// ---- The organisation page ----

// OrgMember is a member or a join request as the organisation page lists it.
type OrgMember struct {
	// PublicID is the person's public id: what the page's forms name a
	// member by, never a row id that could be counted through.
	PublicID            string
	Email               string
	FirstName, LastName string
	Role                Role
	Pending             bool
	RequestedAt         time.Time
	JoinedAt            *time.Time
	LastSignInAt        *time.Time
	// Self is the person looking at the page.
	Self bool
}

// Name is the member's full name.
func (m OrgMember) Name() string { return strings.TrimSpace(m.FirstName + " " + m.LastName) }

// OrgDomain is a claimed domain and its join policy.
type OrgDomain struct {
	Domain    string
	Policy    JoinPolicy
	ClaimedAt time.Time
	// ClaimedBy is the name of who claimed it ("" when that account is gone).
	ClaimedBy string
}

// OrgEntry is one entry of an organisation's audit trail.
type OrgEntry struct {
	Kind OrgEventKind
	At   time.Time
	// Actor and Subject are names with addresses ("" for an account that
	// is gone); Detail a role, domain, policy or name.
	Actor, Subject string
	Detail         string
	// ByOperator is an entry an operator made from the console. The
	// owners' page names no operator (Actor is ""); the console does.
	ByOperator bool
}

// OrgOverview is everything the organisation page shows its viewer.
type OrgOverview struct {
	Me       OrgMembership
	Members  []OrgMember
	Requests []OrgMember // only for owners and admins
	Domains  []OrgDomain
	Trail    []OrgEntry // only for owners and admins
	// MyDomain is the domain of the viewer's own address and Claimable
	// why it can or cannot be claimed ("" for claimable).
	MyDomain       string
	Unclaimable    string
	OwnerCount     int
	MayManage      bool // owner or admin
	MayMakeOwners  bool // owner
	MyDomainClaims bool // the viewer's domain is already this organisation's
}

// OrgOverview is the organisation page of who: any active member sees the
// members and domains; owners and admins also the requests and the trail.
func (s *Service) OrgOverview(ctx context.Context, who User) (OrgOverview, error) {
	me, err := s.OrgRole(ctx, who)
	if err != nil {
		return OrgOverview{}, err
	}
	ov := OrgOverview{Me: me, MayManage: me.Role.AtLeast(RoleAdmin), MayMakeOwners: me.Role == RoleOwner}
	ov.MyDomain = emailDomain(who.Email)
	if err := s.fillOrg(ctx, &ov, me.OrgID, who.PublicID, ov.MayManage); err != nil {
		return OrgOverview{}, err
	}
	for _, d := range ov.Domains {
		if d.Domain == ov.MyDomain {
			ov.MyDomainClaims = true
		}
	}
	if msg := unclaimable(ov.MyDomain); msg != "" {
		ov.Unclaimable = msg
	}
	return ov, nil
}

// fillOrg reads the organisation's members and domains into ov, and when
// manage (its owners and admins, and the operator's console) also its
// join requests and audit trail. viewer is the public id of who looks.
func (s *Service) fillOrg(ctx context.Context, ov *OrgOverview, orgID int64, viewer string, manage bool) error {
	rows, err := s.store.Members(ctx, orgID, store.MemberActive, string(EventLoginOK))
	if err != nil {
		return err
	}
	for _, r := range rows {
		m := memberView(r, viewer)
		if m.Role == RoleOwner {
			ov.OwnerCount++
		}
		ov.Members = append(ov.Members, m)
	}
	domains, err := s.store.DomainsByOrg(ctx, orgID)
	if err != nil {
		return err
	}
	for _, d := range domains {
		ov.Domains = append(ov.Domains, OrgDomain{Domain: d.Domain, Policy: JoinPolicy(d.JoinPolicy), ClaimedAt: d.ClaimedAt})
	}
	if !manage {
		return nil
	}
	pending, err := s.store.Members(ctx, orgID, store.MemberPending, string(EventLoginOK))
	if err != nil {
		return err
	}
	for _, r := range pending {
		ov.Requests = append(ov.Requests, memberView(r, viewer))
	}
	events, err := s.store.OrgEvents(ctx, orgID, 50)
	if err != nil {
		return err
	}
	for _, e := range events {
		k := OrgEventKind(e.Kind)
		if k.MessageID() == "" {
			continue // a kind this version does not know
		}
		entry := OrgEntry{Kind: k, At: e.CreatedAt, Detail: e.Detail, ByOperator: e.ByOperator,
			Actor: personLabel(e.ActorFirstName, e.ActorLastName, e.ActorEmail), Subject: personLabel(e.SubjectFirst, e.SubjectLast, e.SubjectEmail)}
		if e.ByOperator && viewer != "" {
			entry.Actor = "" // the organisation's people are told an operator acted, not who
		}
		ov.Trail = append(ov.Trail, entry)
	}
	return nil
}

func personLabel(first, last, email string) string {
	if email == "" {
		return ""
	}
	if n := strings.TrimSpace(first + " " + last); n != "" {
		return n + " <" + email + ">"
	}
	return email
}

func memberView(r store.MemberRow, viewer string) OrgMember {
	return OrgMember{PublicID: r.PublicID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, Role: Role(r.Role),
		Pending: r.Status == store.MemberPending, RequestedAt: r.CreatedAt, JoinedAt: r.JoinedAt, LastSignInAt: r.LastSignInAt,
		Self: r.PublicID == viewer}
}

// OrgActor is who acts on an organisation: one of its members (a User,
// from the owners' page) or an operator from the console (OrgOperator),
// who has an owner's rights in the organisation the console names. Every
// organisation action takes one, so both pages run the same code and the
// same rules (the last owner stays, only owners make owners, …).
type OrgActor interface {
	// seat is the actor's place in the organisation and the account the
	// trail names, read inside tx with the organisation's row locked;
	// ErrOrgForbidden below min.
	seat(ctx context.Context, s *Service, tx *store.Store, min Role) (OrgMembership, *store.User, error)
}

func (u User) seat(ctx context.Context, s *Service, tx *store.Store, min Role) (OrgMembership, *store.User, error) {
	me, err := s.requireOrgRole(ctx, tx, u.ID, min)
	if err != nil {
		return OrgMembership{}, nil, err
	}
	actor, err := tx.UserByID(ctx, u.ID)
	return me, actor, err
}

// OrgOperator is an operator acting from the console on the organisation
// whose public id is Org, with an owner's rights there: whatever an owner
// may do, under the same rules. Operator.UserID is the operator's own
// account, which must still hold the role; an unknown organisation is
// ErrUnknownOrg.
type OrgOperator struct {
	Operator
	Org string
}

func (o OrgOperator) seat(ctx context.Context, s *Service, tx *store.Store, min Role) (OrgMembership, *store.User, error) {
	if o.Org == "" || len(o.Org) > 64 {
		return OrgMembership{}, nil, ErrUnknownOrg
	}
	org, err := tx.OrganisationByPublicID(ctx, o.Org)
	if errors.Is(err, store.ErrNotFound) {
		return OrgMembership{}, nil, ErrUnknownOrg
	}
	if err != nil {
		return OrgMembership{}, nil, err
	}
	if err := tx.LockOrganisation(ctx, org.ID); err != nil {
		return OrgMembership{}, nil, err
	}
	actor, err := activeOperator(ctx, tx, o.Operator)
	if err != nil {
		return OrgMembership{}, nil, err
	}
	by := o.Operator
	return OrgMembership{OrgID: org.ID, OrgPublicID: org.PublicID, OrgName: org.Name, Role: RoleOwner,
		RequireSecondFactor: org.RequireSecondFactor, operator: &by}, actor, nil
}

// activeOperator is the account of the operator by, read in tx:
// ErrOrgForbidden when it is gone, disabled or no longer an operator (the
// role was taken away since the request began).
func activeOperator(ctx context.Context, tx *store.Store, by Operator) (*store.User, error) {
	actor, err := tx.UserByID(ctx, by.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!actor.Operator || actor.Status != store.UserActive)) {
		return nil, ErrOrgForbidden
	}
	return actor, err
}

// orgSeat is who's seat in the organisation and the account acting, read
// in a transaction of its own: for the checks made before the transaction
// that changes anything, which takes the seat again.
func (s *Service) orgSeat(ctx context.Context, who OrgActor, min Role) (me OrgMembership, actor *store.User, err error) {
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		me, actor, err = who.seat(ctx, s, tx, min)
		return err
	})
	return me, actor, err
}

// orgAction runs fn in a transaction after checking that who is an active
// member of at least role min (or an operator, who is an owner there); fn
// gets the actor's membership and account. Webhooks and emails fn queues
// leave with its change.
func (s *Service) orgAction(ctx context.Context, who OrgActor, min Role, fn func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error) error {
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		me, actor, err := who.seat(ctx, s, tx, min)
		if err != nil {
			return err
		}
		return fn(ctx, tx, me, actor)
	})
	if err == nil {
		s.queued()
	}
	return err
}

// member finds the person with public id in the actor's organisation;
// ErrOrgNotFound for anyone else.
func (s *Service) member(ctx context.Context, tx *store.Store, orgID int64, publicID string) (*store.MemberRow, error) {
	if publicID == "" || len(publicID) > 64 {
		return nil, ErrOrgNotFound
	}
	r, err := tx.MemberByPublicID(ctx, orgID, publicID, string(EventLoginOK))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrOrgNotFound
	}
	return r, err
}

func (s *Service) orgOf(ctx context.Context, tx *store.Store, me OrgMembership) (*store.Organisation, error) {
	return tx.OrganisationByID(ctx, me.OrgID)
}

// Approve lets a pending join request in: an owner or admin only. The
// requester is told by email.
func (s *Service) Approve(ctx context.Context, who OrgActor, memberID string, m Meta) error {
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		r, err := s.member(ctx, tx, me.OrgID, memberID)
		if err != nil {
			return err
		}
		if r.Status != store.MemberPending {
			return ErrOrgNotFound
		}
		if err := tx.ActivateMembership(ctx, me.OrgID, r.UserID, s.now()); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrOrgNotFound
			}
			return err
		}
		org, err := s.orgOf(ctx, tx, me)
		if err != nil {
			return err
		}
		if err := s.trail(ctx, tx, me, actor.ID, r.UserID, OrgEventApproved, ""); err != nil {
			return err
		}
		if err := s.enqueue(ctx, tx, r.Email, r.Locale, JoinApprovedEmail{FirstName: r.FirstName, LastName: r.LastName, OrgName: org.Name,
			LoginURL: s.link(paths.Login, "", r.Locale)}); err != nil {
			return err
		}
		return s.notify(ctx, tx, WebhookOrgMemberJoined, r.PublicID, r.Email, orgDataBy(org, Role(r.Role), me, actor))
	})
}

// Decline turns a pending join request down: an owner or admin only. The
// requester is told by email and keeps an account without organisation.
func (s *Service) Decline(ctx context.Context, who OrgActor, memberID string, m Meta) error {
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		r, err := s.member(ctx, tx, me.OrgID, memberID)
		if err != nil {
			return err
		}
		if r.Status != store.MemberPending {
			return ErrOrgNotFound
		}
		if err := tx.DeleteMembership(ctx, me.OrgID, r.UserID); err != nil {
			return err
		}
		org, err := s.orgOf(ctx, tx, me)
		if err != nil {
			return err
		}
		if err := s.trail(ctx, tx, me, actor.ID, r.UserID, OrgEventDeclined, ""); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, r.Email, r.Locale, JoinDeclinedEmail{FirstName: r.FirstName, LastName: r.LastName, OrgName: org.Name})
	})
}

// ChangeRole gives an active member another role. Owners and admins may;
// only owners make or unmake owners; the last owner cannot be demoted.
func (s *Service) ChangeRole(ctx context.Context, who OrgActor, memberID, role string, m Meta) error {
	to, ok := ParseRole(role)
	if !ok {
		return FieldErrors{"role": i18n.Msg("error.org.role_invalid")}
	}
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		r, err := s.member(ctx, tx, me.OrgID, memberID)
		if err != nil {
			return err
		}
		if r.Status != store.MemberActive {
			return ErrOrgNotFound
		}
		from := Role(r.Role)
		if !CanAssign(me.Role, from, to) {
			return ErrOrgForbidden
		}
		if from == to {
			return nil
		}
		if from == RoleOwner {
			if err := s.notLastOwner(ctx, tx, me.OrgID); err != nil {
				return err
			}
		}
		if err := tx.SetMembershipRole(ctx, me.OrgID, r.UserID, string(to)); err != nil {
			return err
		}
		org, err := s.orgOf(ctx, tx, me)
		if err != nil {
			return err
		}
		if err := s.trail(ctx, tx, me, actor.ID, r.UserID, OrgEventRoleChanged, string(to)); err != nil {
			return err
		}
		return s.notify(ctx, tx, WebhookOrgRoleChanged, r.PublicID, r.Email, orgDataBy(org, to, me, actor))
	})
}

// notLastOwner refuses a change that would leave the organisation
// without an owner.
func (s *Service) notLastOwner(ctx context.Context, tx *store.Store, orgID int64) error {
	n, err := tx.CountOwners(ctx, orgID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return FieldErrors{"member": i18n.Msg("error.org.last_owner")}
	}
	return nil
}

// RemoveMember takes an active member out of the organisation and ends
// their sessions: owners and admins only; only owners remove owners, and
// never the last one. Removing oneself is Leave.
func (s *Service) RemoveMember(ctx context.Context, who OrgActor, memberID string, m Meta) error {
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		r, err := s.member(ctx, tx, me.OrgID, memberID)
		if err != nil {
			return err
		}
		if r.Status != store.MemberActive {
			return ErrOrgNotFound
		}
		if r.UserID == actor.ID {
			return FieldErrors{"member": i18n.Msg("error.org.remove_self")}
		}
		if Role(r.Role) == RoleOwner {
			if me.Role != RoleOwner {
				return ErrOrgForbidden
			}
			if err := s.notLastOwner(ctx, tx, me.OrgID); err != nil {
				return err
			}
		}
		return s.removeMember(ctx, tx, me, actor, r, OrgEventRemoved, true, m)
	})
}

// Leave takes the person out of their organisation; the last owner
// cannot leave (another owner must be made first).
func (s *Service) Leave(ctx context.Context, who User, m Meta) error {
	return s.orgAction(ctx, who, RoleMember, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		if me.Role == RoleOwner {
			if err := s.notLastOwner(ctx, tx, me.OrgID); err != nil {
				return err
			}
		}
		r, err := s.member(ctx, tx, me.OrgID, actor.PublicID)
		if err != nil {
			return err
		}
		return s.removeMember(ctx, tx, me, actor, r, OrgEventLeft, false, m)
	})
}

// removeMember deletes r's membership, ends r's sessions and tells r and
// the platform.
func (s *Service) removeMember(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User, r *store.MemberRow, kind OrgEventKind, tellThem bool, m Meta) error {
	if err := tx.DeleteMembership(ctx, me.OrgID, r.UserID); err != nil {
		return err
	}
	org, err := s.orgOf(ctx, tx, me)
	if err != nil {
		return err
	}
	if err := s.trail(ctx, tx, me, actor.ID, r.UserID, kind, ""); err != nil {
		return err
	}
	if tellThem {
		// Their sessions end: what they could reach came with the
		// organisation. Someone leaving keeps the session they are in.
		ended, err := tx.DeleteUserSessions(ctx, r.UserID, 0)
		if err != nil {
			return err
		}
		if ended > 0 {
			if err := s.notify(ctx, tx, WebhookSessionEnded, r.PublicID, r.Email, WebhookData{SessionsEnded: ended, Reason: EndedRemovedFromOrg}); err != nil {
				return err
			}
		}
		if err := s.enqueue(ctx, tx, r.Email, r.Locale, MemberRemovedEmail{FirstName: r.FirstName, LastName: r.LastName, OrgName: org.Name}); err != nil {
			return err
		}
	}
	return s.notify(ctx, tx, WebhookOrgMemberRemoved, r.PublicID, r.Email, orgDataBy(org, Role(r.Role), me, actor))
}

// RenameOrg gives the organisation a new name: owners and admins only.
// The name is what members' company shows from then on.
func (s *Service) RenameOrg(ctx context.Context, who OrgActor, name string, m Meta) error {
	name, err := orgName(name)
	if err != nil {
		return err
	}
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		if name == me.OrgName {
			return nil
		}
		if err := tx.RenameOrganisation(ctx, me.OrgID, name, s.now()); err != nil {
			return err
		}
		return s.trail(ctx, tx, me, actor.ID, 0, OrgEventRenamed, name)
	})
}

// orgName is an organisation's name as a form gave it, trimmed, or the
// FieldErrors on "name" of an empty or too long one.
func orgName(name string) (string, error) {
	name = strings.TrimSpace(stripInvisible(name))
	switch {
	case name == "":
		return "", FieldErrors{"name": i18n.Msg("error.org.name_required")}
	case utf8.RuneCountInString(name) > 200:
		return "", FieldErrors{"name": i18n.Message{ID: "error.field.too_long", Data: map[string]any{"Max": 200}}}
	}
	return name, nil
}

// ClaimDomain claims the domain of the actor's own verified address for
// the organisation: owners and admins only, never a free-mail or
// disposable domain, never one another organisation holds. A new claim
// joins by invitation only until its policy is changed.
func (s *Service) ClaimDomain(ctx context.Context, who User, m Meta) error {
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		return s.claimDomain(ctx, tx, me, actor, emailDomain(actor.Email))
	})
}

// ClaimMembersDomain is ClaimDomain for an operator in the console, who
// has no address in the organisation: the domain must be that of one of
// its active members' verified addresses (what ConsoleOrg offers), so a
// claim is still backed by someone there who proved an address at it,
// and the same domains stay unclaimable.
func (s *Service) ClaimMembersDomain(ctx context.Context, who OrgOperator, domain string, m Meta) error {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return FieldErrors{"domain": i18n.Message{ID: "error.org.domain_no_member", Data: map[string]any{"Domain": clip(domain, 80)}}}
	}
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		rows, err := tx.Members(ctx, me.OrgID, store.MemberActive, string(EventLoginOK))
		if err != nil {
			return err
		}
		for _, r := range rows {
			if emailDomain(r.Email) == d {
				return s.claimDomain(ctx, tx, me, actor, d)
			}
		}
		return FieldErrors{"domain": i18n.Message{ID: "error.org.domain_no_member", Data: map[string]any{"Domain": d}}}
	})
}

// claimDomain claims domain for the organisation of me, refusing what no
// organisation may claim and what another one holds.
func (s *Service) claimDomain(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User, domain string) error {
	if msg := unclaimable(domain); msg != "" {
		return FieldErrors{"domain": i18n.Message{ID: msg, Data: map[string]any{"Domain": domain}}}
	}
	err := tx.ClaimDomain(ctx, &store.OrgDomain{OrgID: me.OrgID, Domain: domain, JoinPolicy: string(JoinInvite), ClaimedBy: &actor.ID, ClaimedAt: s.now()})
	if errors.Is(err, store.ErrTaken) {
		d, derr := tx.OrgDomainByName(ctx, domain)
		if derr == nil && d.OrgID == me.OrgID {
			return nil // claimed already, by this organisation
		}
		return FieldErrors{"domain": i18n.Message{ID: "error.org.domain_taken", Data: map[string]any{"Domain": domain}}}
	}
	if err != nil {
		return err
	}
	return s.trail(ctx, tx, me, actor.ID, 0, OrgEventDomainClaimed, domain)
}

// SetJoinPolicy changes how a claimed domain's addresses join: owners and
// admins only, and only of this organisation's domains.
func (s *Service) SetJoinPolicy(ctx context.Context, who OrgActor, domain, policy string, m Meta) error {
	p, ok := ParseJoinPolicy(policy)
	if !ok {
		return FieldErrors{"policy": i18n.Msg("error.org.policy_invalid")}
	}
	d, err := NormalizeDomain(domain)
	if err != nil {
		return ErrOrgNotFound
	}
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		if err := tx.SetDomainPolicy(ctx, me.OrgID, d, string(p)); errors.Is(err, store.ErrNotFound) {
			return ErrOrgNotFound
		} else if err != nil {
			return err
		}
		return s.trail(ctx, tx, me, actor.ID, 0, OrgEventPolicyChanged, d+" "+string(p))
	})
}

// ReleaseDomain gives up a claimed domain: owners and admins only.
func (s *Service) ReleaseDomain(ctx context.Context, who OrgActor, domain string, m Meta) error {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return ErrOrgNotFound
	}
	return s.orgAction(ctx, who, RoleAdmin, func(ctx context.Context, tx *store.Store, me OrgMembership, actor *store.User) error {
		if err := tx.ReleaseDomain(ctx, me.OrgID, d); errors.Is(err, store.ErrNotFound) {
			return ErrOrgNotFound
		} else if err != nil {
			return err
		}
		return s.trail(ctx, tx, me, actor.ID, 0, OrgEventDomainReleased, d)
	})
}
