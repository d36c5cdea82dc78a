package components

import (
	"context"
	"net/url"
	"strconv"

	"gatehouse/internal/account"
	"gatehouse/internal/paths"
)

type wideKey struct{}

// WithWide marks ctx so the document's main column is wide: the console's
// tables do not fit the sign-in card's width.
func WithWide(ctx context.Context) context.Context { return context.WithValue(ctx, wideKey{}, true) }

// mainClass is the page's width: the console's tables (WithWide) take
// the most, a two-column page (WidePage) less, everything else the
// sign-in card's.
func mainClass(ctx context.Context, wide bool) string {
	if b, _ := ctx.Value(wideKey{}).(bool); b {
		return "mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:py-12"
	}
	if wide {
		return "mx-auto w-full max-w-5xl flex-1 px-4 py-8 sm:py-12"
	}
	return "mx-auto w-full max-w-lg flex-1 px-4 py-8 sm:py-12"
}

// AdminSection names the console page a view belongs to, for its
// navigation.
type AdminSection string

// The console's sections.
const (
	AdminOverview AdminSection = "overview"
	AdminAccounts AdminSection = "accounts"
	AdminMailbox  AdminSection = "mail"
	AdminExport   AdminSection = "audit"
	AdminOrgs     AdminSection = "orgs"
	AdminQueue    AdminSection = "approvals"
)

// AdminNotice is a one-line success message after a console action,
// carried in the address (?done=) of the page redirected to.
type AdminNotice string

// The console's notices.
const (
	AdminDoneResent   AdminNotice = "resent"
	AdminDoneDisabled AdminNotice = "disabled"
	AdminDoneEnabled  AdminNotice = "enabled"
	AdminDoneEnded    AdminNotice = "sessions_ended"
	AdminDoneUnlocked AdminNotice = "unlocked"
	AdminDoneDeleted  AdminNotice = "deleted"
	AdminDoneRetried  AdminNotice = "retried"
	AdminDoneLifted   AdminNotice = "lifted"
	AdminDoneApproved AdminNotice = "approved"
	AdminDoneDeclined AdminNotice = "declined"
	// AdminDoneTwoStepRemoved: an operator removed two-step verification.
	AdminDoneTwoStepRemoved AdminNotice = "two_step_removed"
)

// MessageID is the notice's text; "" for anything else, so an address
// can name only these.
func (n AdminNotice) MessageID() string {
	switch n {
	case AdminDoneResent:
		return "page.admin.done.resent"
	case AdminDoneDisabled:
		return "page.admin.done.disabled"
	case AdminDoneEnabled:
		return "page.admin.done.enabled"
	case AdminDoneEnded:
		return "page.admin.done.sessions_ended"
	case AdminDoneUnlocked:
		return "page.admin.done.unlocked"
	case AdminDoneDeleted:
		return "page.admin.done.deleted"
	case AdminDoneRetried:
		return "page.admin.done.retried"
	case AdminDoneLifted:
		return "page.admin.done.lifted"
	case AdminDoneApproved:
		return "page.admin.done.approved"
	case AdminDoneDeclined:
		return "page.admin.done.declined"
	case AdminDoneTwoStepRemoved:
		return "page.admin.done.two_step_removed"
	}
	return ""
}

// statusLabel is an account status in words.
func statusLabel(status string) string {
	switch status {
	case "pending":
		return "page.admin.status.pending"
	case "active":
		return "page.admin.status.active"
	case "disabled":
		return "page.admin.status.disabled"
	}
	return "page.admin.status.unknown"
}

// mailStatusLabel is an outbox status in words.
func mailStatusLabel(status string) string {
	switch status {
	case "pending":
		return "page.admin.mail.status.pending"
	case "sent":
		return "page.admin.mail.status.sent"
	case "failed":
		return "page.admin.mail.status.failed"
	}
	return "page.admin.status.unknown"
}

// deliveryLabel is a delivery state the provider reported, in words.
func deliveryLabel(state string) string {
	switch state {
	case "delivered":
		return "page.admin.delivery.delivered"
	case "delivery_delayed":
		return "page.admin.delivery.delayed"
	case "bounced":
		return "page.admin.delivery.bounced"
	case "complained":
		return "page.admin.delivery.complained"
	}
	return "page.admin.delivery.none"
}

// suppressionLabel is why an address gets no more mail.
func suppressionLabel(reason string) string {
	if reason == "complaint" {
		return "page.admin.suppression.complaint"
	}
	return "page.admin.suppression.bounce"
}

// AdminUserRow is one account in the console's list.
type AdminUserRow struct {
	PublicID, Email, Name, Company, Status string
	Created, LastSignIn                    string // "" for never
	Org                                    AdminOrgLink
}

// AdminOrgLink is a person's organisation and role as the console shows
// them beside the account; the zero value is none.
type AdminOrgLink struct {
	PublicID, Name string
	// Role is the role's message id; Pending a join request not approved.
	Role    string
	Pending bool
}

// AdminOrgRow is one organisation of the console's list.
type AdminOrgRow struct {
	PublicID, Name, Created    string
	Members, Requests, Domains int
}

// AdminOrgsView is the console's list of organisations.
type AdminOrgsView struct {
	Query string
	Rows  []AdminOrgRow
	// Limited says the list stopped at its length: a search narrows it.
	Limited bool
	Limit   int
	// Form is the new organisation's name, with its problem.
	Form Form
}

// AdminOrgView is one organisation in the console.
type AdminOrgView struct {
	Org account.ConsoleOrg
	// Notice is the result of the action just done; Form the problems of
	// a refused one (keyed name, member, role, domain or policy).
	Notice account.Notice
	Form   Form
	// Invitations is the organisation's invitations section, as its
	// owners have it.
	Invitations InvitationsView
}

// invitations is the invitations section on the organisation's console
// page, whose forms post to the console's routes for it.
func (v AdminOrgView) invitations() InvitationsView {
	iv := v.Invitations
	iv.Console = v.Org.PublicID
	return iv
}

// AdminUsersView is the account list with its search.
type AdminUsersView struct {
	Query, Status string
	Statuses      []string
	Rows          []AdminUserRow
	// Next is the address of the following page, "" on the last; First
	// is set when this is not the first page.
	Next, First string
	Notice      AdminNotice
}

// usersPageURL is the list's address with its search and a cursor.
func usersPageURL(q, status, after string) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if status != "" {
		v.Set("status", status)
	}
	if after != "" {
		v.Set("after", after)
	}
	if len(v) == 0 {
		return paths.AdminUsers
	}
	return paths.AdminUsers + "?" + v.Encode()
}

// UsersPageURL is exported for the handler that builds the view.
func UsersPageURL(q, status, after string) string { return usersPageURL(q, status, after) }

// AdminSessionRow is one of the account's live sessions.
type AdminSessionRow struct{ Device, IP, LastSeen, Created string }

// AdminEventRow is one audit event.
type AdminEventRow struct {
	Message, When, IP, Actor string
}

// AdminEmailRow is one email to the account.
type AdminEmailRow struct {
	ID                         int64
	Kind, Status, Delivery     string
	Created, Sent, DeliveredAt string
	Error                      string
	Attempts                   int
}

// AdminUserView is the console's page of one account.
type AdminUserView struct {
	PublicID, Email, Name, Company, Country, Region, Phone, Locale, Status string
	Created, Activated, PasswordChanged, LastSignIn                        string
	Operator                                                               bool
	// Awaiting: the account waits for an operator (SIGNUP_MODE=approval).
	Awaiting    bool
	Failures    int
	LockedUntil string // "" when not locked
	Suppressed  string // "" when mail goes out
	Sessions    []AdminSessionRow
	Events      []AdminEventRow
	Emails      []AdminEmailRow
	Notice      AdminNotice
	Org         AdminOrgLink
	// Self is the operator's own account: it cannot be disabled or
	// deleted from here.
	Self bool
	// LastOwnerOf is the organisation the account is the only owner of
	// while others are in it (zero otherwise): deleting it is refused
	// until someone else is made an owner there.
	LastOwnerOf AdminOrgLink
	// TwoStepSince is when two-step verification was turned on; "" when
	// it is off, and then there is nothing to remove.
	TwoStepSince string
}

// AdminMailView is the outbox and the suppressions.
type AdminMailView struct {
	Status       string // the outbox filter: pending, failed or "" (both)
	Rows         []AdminMailRow
	Suppressions []AdminSuppressionRow
	Notice       AdminNotice
}

// AdminMailRow is one email in the outbox list.
type AdminMailRow struct {
	AdminEmailRow
	To string
}

// AdminSuppressionRow is one suppressed address.
type AdminSuppressionRow struct{ Address, Reason, Detail, Since string }

// AdminMessageView is one email with its delivery events.
type AdminMessageView struct {
	AdminMailRow
	Events []AdminDeliveryEvent
}

// AdminDeliveryEvent is one event the provider reported.
type AdminDeliveryEvent struct{ State, When string }

// AdminReauthView asks for the password again before the action at
// Action, carrying the action's own fields through.
type AdminReauthView struct {
	Action string
	Hidden [][2]string
	Email  string
	Form   Form
}

// AdminAuditView is the export form.
type AdminAuditView struct {
	Since, Until, Email, Org, Format string
	Kinds                            []AdminKindOption
	Form                             Form
}

// AdminKindOption is one event kind the export can be narrowed to.
type AdminKindOption struct {
	Value, Label string
	Checked      bool
}

// AdminOverviewView is the console's front page.
type AdminOverviewView struct {
	Today, Week AdminCounts
	Funnel      []AdminFunnelDay
	Max         int // the largest daily count, the chart's scale
}

// AdminCounts are one period's figures.
type AdminCounts struct{ SignUps, Activations, SignIns, FailedEmails, Bounces int }

// AdminFunnelDay is one day of the funnel chart.
type AdminFunnelDay struct {
	Label                         string // the day, short
	Registered, Activated, SignIn int
}

func itoa(n int) string { return strconv.Itoa(n) }

// The funnel chart's geometry, in SVG user units: one slot a day, three
// bars to a slot, bars growing up from the baseline.
const (
	chartSlot   = 24
	chartBar    = 6
	chartHeight = 160
	chartTop    = 10
	// chartLeft leaves room for the scale's figure and for the first
	// day's label, centred under its bars; the same room is kept on the
	// right for the last one.
	chartLeft = 40
)

func chartWidth(days int) string { return itoa(chartLeft*2 + days*chartSlot) }

func baselineX1() string { return itoa(chartLeft) }

func baselineX2(days int) string { return itoa(chartLeft + days*chartSlot) }

func scaleX() string { return itoa(chartLeft - 4) }

func scaleY() string { return itoa(chartTop + 8) }

func topLineY() string { return itoa(chartTop) }

func chartViewBox(days int) string {
	return "0 0 " + chartWidth(days) + " " + itoa(chartTop+chartHeight+20)
}

func barX(day, series int) string { return itoa(chartLeft + day*chartSlot + 3 + series*chartBar) }

func barH(v, max int) int {
	if max <= 0 || v <= 0 {
		return 0
	}
	return max1(v*chartHeight/max, 1)
}

func barHeight(v, max int) string { return itoa(barH(v, max)) }

func barY(v, max int) string { return itoa(chartTop + chartHeight - barH(v, max)) }

func baselineY() string { return itoa(chartTop + chartHeight) }

func labelX(day int) string { return itoa(chartLeft + day*chartSlot + chartSlot/2) }

func labelY() string { return itoa(chartTop + chartHeight + 14) }

func max1(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// orNever is when, or "never" for "".
func orNever(ctx context.Context, when string) string {
	if when == "" {
		return t(ctx, "page.admin.never")
	}
	return when
}

// formWith is form with value for field, as the export form shows it.
func formWith(f Form, field, value string) Form {
	vals := map[string]string{}
	for k, v := range f.Values {
		vals[k] = v
	}
	vals[field] = value
	f.Values = vals
	return f
}
