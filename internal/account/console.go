package account

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"gatehouse/internal/logctx"
	"gatehouse/internal/store"
)

// ErrUnknownMessage means no outbox row has the id an operator named, or
// it cannot be retried (sent already: its link is erased).
var ErrUnknownMessage = errors.New("account: no such message to retry")

// ErrNoSuppression means the address is not suppressed.
var ErrNoSuppression = errors.New("account: the address is not suppressed")

// UserPage is one page of the console's account list.
type UserPage struct {
	Users []Managed
	// Next is the cursor of the following page; "" on the last.
	Next string
}

// ListUsersPage lists accounts newest first from cursor (as a previous
// page's Next gave it; "" for the first page). A cursor that does not
// parse starts at the top.
func (s *Service) ListUsersPage(ctx context.Context, q UserQuery, cursor string) (UserPage, error) {
	rows, more, err := s.store.ListUsersPage(ctx, store.UserFilter{Status: q.Status, Query: q.Text, Limit: q.Limit},
		parseCursor(cursor), string(EventLoginOK))
	if err != nil {
		return UserPage{}, err
	}
	p := UserPage{Users: make([]Managed, len(rows))}
	for i := range rows {
		r := &rows[i]
		p.Users[i] = Managed{User: userView(&r.User), Status: r.Status, LastSignInAt: r.LastSignInAt}
		if r.OrgPublicID != "" {
			p.Users[i].Membership = &OrgMembership{OrgPublicID: r.OrgPublicID, OrgName: r.OrgName, Role: Role(r.OrgRole),
				Pending: r.OrgStatus != store.MemberActive}
		}
	}
	if more && len(rows) > 0 {
		last := rows[len(rows)-1]
		p.Next = formatCursor(last.CreatedAt, last.ID)
	}
	return p, nil
}

// formatCursor is the cursor of a page that starts after the account
// created at with id, as parseCursor reads it.
func formatCursor(at time.Time, id int64) string {
	return strconv.FormatInt(at.UnixMicro(), 10) + "." + strconv.FormatInt(id, 10)
}

func parseCursor(c string) store.UserCursor {
	at, id, ok := strings.Cut(c, ".")
	if !ok {
		return store.UserCursor{}
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return store.UserCursor{}
	}
	return store.UserCursor{CreatedAt: time.UnixMicro(us).UTC(), ID: n}
}

// EmailOf is the address of the account the console links to by its
// public id; ErrUnknownUser for none.
func (s *Service) EmailOf(ctx context.Context, publicID string) (string, error) {
	u, err := s.store.UserByPublicID(ctx, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return "", ErrUnknownUser
	}
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

// SentEmail is one email to an account as the console lists it: never its
// content, which may hold a live link.
type SentEmail struct {
	ID        int64
	Kind      string
	Status    string // store.Outbox…
	Attempts  int
	LastError string
	CreatedAt time.Time
	SentAt    *time.Time
	// Delivery is the furthest delivery event the provider reported
	// (store.Delivery…), "" for none.
	Delivery   string
	DeliveryAt *time.Time
	Events     []store.MailEventRow
}

func sentEmail(m *store.OutboxMessage) SentEmail {
	return SentEmail{ID: m.ID, Kind: m.Kind, Status: m.Status, Attempts: m.Attempts, LastError: m.LastError,
		CreatedAt: m.CreatedAt, SentAt: m.SentAt, Delivery: m.Delivery, DeliveryAt: m.DeliveryAt}
}

// ConsoleUser is everything the console shows of one account.
type ConsoleUser struct {
	UserDetail
	Emails []SentEmail
	// Suppressed is why mail to the address stopped ("" when it has not).
	Suppressed string
	// Membership is the person's organisation and role; nil for none.
	Membership *OrgMembership
	// DeleteBlocked is why the account cannot be deleted now (the last
	// owner of an organisation with other people in it); nil when it can.
	DeleteBlocked *DeleteBlockedError
}

// ConsoleUser is the account behind the console's link, with every email
// sent to it and the state of its address.
func (s *Service) ConsoleUser(ctx context.Context, publicID string) (ConsoleUser, error) {
	email, err := s.EmailOf(ctx, publicID)
	if err != nil {
		return ConsoleUser{}, err
	}
	d, err := s.ShowUser(ctx, email)
	if err != nil {
		return ConsoleUser{}, err
	}
	cu := ConsoleUser{UserDetail: d}
	m, err := s.store.MembershipByUser(ctx, d.ID)
	switch {
	case err == nil:
		cu.Membership = membershipView(m)
	case !errors.Is(err, store.ErrNotFound):
		return ConsoleUser{}, err
	}
	if u, err := s.store.UserByID(ctx, d.ID); err != nil {
		return ConsoleUser{}, err
	} else if err := s.deletionBlocked(ctx, s.store, u); err != nil && !errors.As(err, &cu.DeleteBlocked) {
		return ConsoleUser{}, err
	}
	rows, err := s.store.OutboxTo(ctx, email, 50)
	if err != nil {
		return ConsoleUser{}, err
	}
	for i := range rows {
		cu.Emails = append(cu.Emails, sentEmail(&rows[i]))
	}
	sup, err := s.store.Suppressions(ctx, []string{email})
	if err != nil {
		return ConsoleUser{}, err
	}
	if x, ok := sup[store.NormalizeAddress(email)]; ok {
		cu.Suppressed = x.Reason
	}
	return cu, nil
}

// Outbox lists emails in a status (store.OutboxPending or
// store.OutboxFailed; "" for any), newest first.
func (s *Service) Outbox(ctx context.Context, status string, limit int) ([]SentEmail, []string, error) {
	rows, err := s.store.ListMail(ctx, status, limit)
	if err != nil {
		return nil, nil, err
	}
	var out []SentEmail
	var to []string
	for i := range rows {
		out = append(out, sentEmail(&rows[i]))
		to = append(to, rows[i].Recipient)
	}
	return out, to, nil
}

// MailMessage is one email with its recipient and delivery events.
func (s *Service) MailMessage(ctx context.Context, id int64) (SentEmail, string, error) {
	m, err := s.store.OutboxByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && m.Kind == store.KindWebhook) {
		return SentEmail{}, "", ErrUnknownMessage
	}
	if err != nil {
		return SentEmail{}, "", err
	}
	e := sentEmail(m)
	if e.Events, err = s.store.MailEventsFor(ctx, m.MessageID); err != nil {
		return SentEmail{}, "", err
	}
	return e, m.Recipient, nil
}

// RetryMail makes a failed or pending email due now, with a fresh count of
// attempts; a sent one cannot be (its link is erased).
func (s *Service) RetryMail(ctx context.Context, id int64, by Operator) error {
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		m, err := tx.OutboxByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && m.Kind == store.KindWebhook) {
			return ErrUnknownMessage
		}
		if err != nil {
			return err
		}
		if _, err := tx.RetryOutbox(ctx, id, s.now()); errors.Is(err, store.ErrNotFound) {
			return ErrUnknownMessage
		} else if err != nil {
			return err
		}
		var userID int64
		if u, err := tx.UserByEmail(ctx, strings.ToLower(m.Recipient)); err == nil {
			userID = u.ID
		}
		logctx.From(ctx).InfoContext(ctx, "mail retried by operator", "outbox_id", id, "operator", by.Name)
		return s.auditBy(ctx, tx, userID, EventMailRetriedByOperator, by)
	})
	if err != nil {
		return err
	}
	s.queued()
	return nil
}

// Suppressions lists the addresses mail no longer goes to, newest first.
func (s *Service) Suppressions(ctx context.Context, limit int) ([]store.Suppression, error) {
	return s.store.ListSuppressions(ctx, limit)
}

// LiftSuppression sends mail to addr again (after its owner fixed the
// mailbox that bounced, say).
func (s *Service) LiftSuppression(ctx context.Context, addr string, by Operator) error {
	return s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.RemoveSuppression(ctx, addr); errors.Is(err, store.ErrNotFound) {
			return ErrNoSuppression
		} else if err != nil {
			return err
		}
		var userID int64
		if u, err := tx.UserByEmail(ctx, store.NormalizeAddress(addr)); err == nil {
			userID = u.ID
		}
		logctx.From(ctx).InfoContext(ctx, "suppression lifted by operator", "email_hash", logctx.EmailHash(addr), "operator", by.Name)
		return s.auditBy(ctx, tx, userID, EventSuppressionLiftedByOperator, by)
	})
}

// Counts are what happened in a period, for the overview.
type Counts struct {
	SignUps, Activations, SignIns, FailedEmails, Bounces int
}

// FunnelDay is one day's sign-ups and how far they got.
type FunnelDay struct {
	Day                           time.Time // midnight UTC
	Registered, Activated, SignIn int
}

// Stats is the console's overview.
type Stats struct {
	Today, Week Counts
	// Funnel is the last FunnelDays days, oldest first.
	Funnel []FunnelDay
}

// FunnelDays is how many days the overview's funnel covers.
const FunnelDays = 30

// Stats counts today's (since midnight UTC) and this week's (since Monday)
// sign-ups, activations, sign-ins, failed emails and bounces, and follows
// the accounts of each of the last 30 days from registration to first
// sign-in.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	now := s.now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	week := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	var st Stats
	for _, p := range []struct {
		since time.Time
		c     *Counts
	}{{today, &st.Today}, {week, &st.Week}} {
		kinds, err := s.store.CountAuditKinds(ctx, p.since)
		if err != nil {
			return Stats{}, err
		}
		mail, err := s.store.CountMailTrouble(ctx, p.since)
		if err != nil {
			return Stats{}, err
		}
		*p.c = Counts{SignUps: kinds[string(EventRegistered)], Activations: kinds[string(EventActivated)],
			SignIns: kinds[string(EventLoginOK)], FailedEmails: mail.Failed, Bounces: mail.Bounced}
	}
	first := today.AddDate(0, 0, -(FunnelDays - 1))
	cohort, err := s.store.CohortSince(ctx, first, string(EventLoginOK))
	if err != nil {
		return Stats{}, err
	}
	st.Funnel = make([]FunnelDay, FunnelDays)
	for i := range st.Funnel {
		st.Funnel[i].Day = first.AddDate(0, 0, i)
	}
	for _, c := range cohort {
		i := int(c.CreatedAt.UTC().Sub(first) / (24 * time.Hour))
		if i < 0 || i >= FunnelDays {
			continue
		}
		st.Funnel[i].Registered++
		if c.ActivatedAt != nil {
			st.Funnel[i].Activated++
		}
		if c.SignedIn {
			st.Funnel[i].SignIn++
		}
	}
	return st, nil
}

// AuditQuery selects the events of an export: a period, one account (by
// address, "" for all), one organisation's (Org: its public id or its
// name, "" for all; the events of its people while they were in it) and
// kinds (none for all).
type AuditQuery struct {
	Since, Until time.Time
	Email        string
	Org          string
	Kinds        []Event
}

// ErrAmbiguousOrg means several organisations answer to the name (or the
// name and domain) an operator gave; the public id (on its console page)
// tells them apart.
var ErrAmbiguousOrg = errors.New("account: several organisations have that name; name it by its id")

// FindOrganisation is the organisation whose public id, or else whose
// name (in any case) or claimed domain, is ref: ErrUnknownOrg for none,
// ErrAmbiguousOrg (an *AmbiguousOrgError) when several answer to it.
func (s *Service) FindOrganisation(ctx context.Context, ref string) (OrgSummary, error) {
	o, err := s.findOrg(ctx, ref)
	if err != nil {
		return OrgSummary{}, err
	}
	return OrgSummary{PublicID: o.PublicID, Name: o.Name, CreatedAt: o.CreatedAt}, nil
}

// The export formats.
const (
	ExportCSV  = "csv"
	ExportJSON = "json"
)

// exportColumns are the CSV header, and the JSON fields, in order.
var exportColumns = []string{"id", "at", "kind", "email", "actor", "ip", "user_agent"}

// exportEvent is one event as the JSON export writes it.
type exportEvent struct {
	ID        int64  `json:"id"`
	At        string `json:"at"`
	Kind      string `json:"kind"`
	Email     string `json:"email"`
	Actor     string `json:"actor"`
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
}

// ExportAudit writes the events q selects to w as CSV or JSON (an array),
// oldest first, as they are read: memory stays that of one chunk of rows
// however many there are. An operator's export is itself recorded first.
func (s *Service) ExportAudit(ctx context.Context, q AuditQuery, format string, w io.Writer, by Operator) error {
	if format != ExportCSV && format != ExportJSON {
		return fmt.Errorf("account: unknown export format %q (want csv or json)", format)
	}
	f := store.AuditFilter{Since: q.Since, Until: q.Until}
	for _, k := range q.Kinds {
		f.Kinds = append(f.Kinds, string(k))
	}
	if q.Email != "" {
		u, err := s.managedUser(ctx, s.store, q.Email)
		if err != nil {
			return err
		}
		f.UserID = u.ID
	}
	if q.Org != "" {
		o, err := s.findOrg(ctx, q.Org)
		if err != nil {
			return err
		}
		f.OrgID = o.ID
	}
	if err := s.auditBy(ctx, s.store, f.UserID, EventAuditExported, by); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	var row func(*store.AuditRow) error
	var end func() error
	switch format {
	case ExportCSV:
		cw := csv.NewWriter(bw)
		if err := cw.Write(exportColumns); err != nil {
			return err
		}
		rec := make([]string, len(exportColumns))
		row = func(e *store.AuditRow) error {
			rec[0] = strconv.FormatInt(e.ID, 10)
			rec[1] = e.CreatedAt.UTC().Format(time.RFC3339Nano)
			rec[2], rec[3], rec[4] = e.Kind, e.Email, actorOf(e)
			rec[5], rec[6] = spreadsheetSafe(e.IP), spreadsheetSafe(e.UserAgent)
			return cw.Write(rec)
		}
		end = func() error { cw.Flush(); return cw.Error() }
	case ExportJSON:
		enc := json.NewEncoder(bw)
		n := 0
		if _, err := bw.WriteString("["); err != nil {
			return err
		}
		row = func(e *store.AuditRow) error {
			if n > 0 {
				bw.WriteString(",")
			}
			n++
			return enc.Encode(exportEvent{ID: e.ID, At: e.CreatedAt.UTC().Format(time.RFC3339Nano), Kind: e.Kind,
				Email: e.Email, Actor: actorOf(e), IP: e.IP, UserAgent: e.UserAgent})
		}
		end = func() error { _, err := bw.WriteString("]\n"); return err }
	}
	if err := s.store.EachAuditEvent(ctx, f, row); err != nil {
		return err
	}
	if err := end(); err != nil {
		return err
	}
	return bw.Flush()
}

// actorOf names who caused an event: the operator's address as it is now,
// else as it was recorded (the command line's "cli USER", or an operator
// whose account is gone).
func actorOf(e *store.AuditRow) string {
	if e.ActorEmail != "" {
		return e.ActorEmail
	}
	return e.Actor
}

// spreadsheetSafe keeps a value a visitor chose (their user agent) from
// being run as a formula when the CSV is opened in a spreadsheet.
func spreadsheetSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
