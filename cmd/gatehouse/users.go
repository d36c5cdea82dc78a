package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/config"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
)

// usersUsage is the usage of the users commands.
const usersUsage = `usage: gatehouse users list [--status pending|active|disabled] [--q TEXT] [--limit N] [--json]
       gatehouse users show|disable|enable|delete|resend-activation|end-sessions|unlock|reset-2fa|approve|decline EMAIL [--json]`

// usersOp is one parsed users command, run once the database is open.
type usersOp func(ctx context.Context, svc *account.Service, by account.Operator, stdout io.Writer) error

// usersCommands are the commands that act on one account, by the account
// method they call; each returns the line (and JSON fields) to print.
var usersCommands = map[string]func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error){
	"disable": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		n, changed, err := svc.DisableUser(ctx, email, by)
		if !changed {
			return "already disabled", map[string]any{"changed": false, "sessions_ended": 0}, err
		}
		return fmt.Sprintf("disabled; %d sessions ended", n), map[string]any{"changed": true, "sessions_ended": n}, err
	},
	"enable": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		status, changed, err := svc.EnableUser(ctx, email, by)
		if !changed {
			return "not disabled (it is " + status + "); nothing changed", map[string]any{"changed": false, "status": status}, err
		}
		return "enabled; now " + status, map[string]any{"changed": true, "status": status}, err
	},
	"delete": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		return "deleted", map[string]any{"changed": true}, svc.DeleteUser(ctx, email, by)
	},
	"resend-activation": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		return "activation email queued", map[string]any{"changed": true}, svc.ResendActivation(ctx, email, by)
	},
	"end-sessions": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		n, err := svc.EndSessions(ctx, email, by)
		return fmt.Sprintf("%d sessions ended", n), map[string]any{"changed": n > 0, "sessions_ended": n}, err
	},
	"approve": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		return "approved; the person is told by email", map[string]any{"changed": true}, svc.ApproveSignup(ctx, email, by)
	},
	"decline": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		return "declined and erased; the person is told by email", map[string]any{"changed": true}, svc.DeclineSignup(ctx, email, by)
	},
	"unlock": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		return "sign-in unlocked", map[string]any{"changed": true}, svc.UnlockUser(ctx, email, by)
	},
	"reset-2fa": func(ctx context.Context, svc *account.Service, email string, by account.Operator) (string, map[string]any, error) {
		changed, err := svc.ResetSecondFactor(ctx, email, by)
		if !changed {
			return "no two-step verification; nothing changed", map[string]any{"changed": false}, err
		}
		return "two-step verification removed; the owner is told by email", map[string]any{"changed": true}, err
	},
}

// parseUsers reads an operator's command on accounts, before anything is
// opened, so a typo never touches the database:
//
//	gatehouse users list [--status S] [--q TEXT] [--limit N] [--json]
//	gatehouse users show|disable|… EMAIL [--json]
//
// Flags may come before or after the address, as a script writes them.
func parseUsers(args []string) (usersOp, error) {
	if len(args) == 0 {
		return nil, errors.New(usersUsage)
	}
	name := args[0]
	fs := flag.NewFlagSet("users "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	var status, query *string
	var limit *int
	if name == "list" {
		status = fs.String("status", "", "only accounts in this status")
		query = fs.String("q", "", "a part of the email, name or company")
		limit = fs.Int("limit", 100, "at most this many accounts")
	} else if _, ok := usersCommands[name]; !ok && name != "show" {
		return nil, fmt.Errorf("unknown users command %q\n%s", name, usersUsage)
	}
	var positional []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return nil, fmt.Errorf("users %s: %w\n%s", name, err, usersUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if name == "list" {
		if len(positional) > 0 {
			return nil, fmt.Errorf("users list: unexpected argument %q (want flags only)\n%s", positional[0], usersUsage)
		}
		if *status != "" && !slices.Contains(account.Statuses, *status) {
			return nil, fmt.Errorf("users list: --status: want %s, got %q", strings.Join(account.Statuses, ", "), *status)
		}
		if *limit < 1 || *limit > 10000 {
			return nil, fmt.Errorf("users list: --limit: want 1 to 10000, got %d", *limit)
		}
		q := account.UserQuery{Status: *status, Text: strings.TrimSpace(*query), Limit: *limit}
		return func(ctx context.Context, svc *account.Service, _ account.Operator, stdout io.Writer) error {
			return usersList(ctx, svc, q, *asJSON, stdout)
		}, nil
	}
	if len(positional) != 1 || !strings.Contains(positional[0], "@") {
		return nil, fmt.Errorf("users %s: want one email address\n%s", name, usersUsage)
	}
	email := positional[0]
	if name == "show" {
		return func(ctx context.Context, svc *account.Service, _ account.Operator, stdout io.Writer) error {
			d, err := svc.ShowUser(ctx, email)
			if err != nil {
				return usersError(name, email, err)
			}
			return usersShow(d, *asJSON, stdout)
		}, nil
	}
	act := usersCommands[name]
	return func(ctx context.Context, svc *account.Service, by account.Operator, stdout io.Writer) error {
		msg, fields, err := act(ctx, svc, email, by)
		if err != nil {
			return usersError(name, email, err)
		}
		if *asJSON {
			fields["email"], fields["action"] = email, name
			return writeJSON(stdout, fields)
		}
		_, err = fmt.Fprintf(stdout, "%s: %s\n", email, msg)
		return err
	}, nil
}

// usersError names the command and the address in a refusal.
func usersError(name, email string, err error) error {
	switch {
	case errors.Is(err, account.ErrUnknownUser):
		return fmt.Errorf("users %s: no account with the address %q", name, email)
	case errors.Is(err, account.ErrNotPending), errors.Is(err, account.ErrNoLinks), errors.Is(err, account.ErrNotAwaiting):
		return fmt.Errorf("users %s %s: %w", name, email, err)
	}
	var blocked *account.DeleteBlockedError
	if errors.As(err, &blocked) {
		return fmt.Errorf("users %s %s: the account is the only owner of the organisation %q, which has other members: make one of them an owner first (the console's organisation page)",
			name, email, blocked.OrgName)
	}
	return err
}

// runUsers runs op with a Service over st: the same rules as the pages,
// but with a hasher of one slot, since no sign-in happens here.
func runUsers(ctx context.Context, op usersOp, cfg config.Config, st *store.Store, getenv func(string) string, stdout io.Writer) error {
	svc, err := account.New(account.Deps{Store: st, Hasher: password.NewHasher(password.DefaultParams, 1),
		Limiter: &ratelimit.Limiter{Counter: st, Now: time.Now}}, account.Config{
		BaseURL:         cfg.BaseURL,
		ActivationTTL:   cfg.ActivationTTL,
		ResetTTL:        cfg.ResetTTL,
		InviteTTL:       cfg.InviteTTL,
		SignupMode:      cfg.SignupMode,
		ApprovalNotify:  cfg.ApprovalNotify,
		SessionIdle:     cfg.SessionIdleTimeout,
		SessionAbsolute: cfg.SessionAbsoluteTimeout,
		Policy:          password.Policy{MinLength: cfg.PasswordMinLength, MaxLength: cfg.PasswordMaxLength},
		Verification:    cfg.VerificationMethod,
		WebAuthnRPID:    cfg.WebAuthnRPID,
	})
	if err != nil {
		return err
	}
	// The trail names who ran the command, as the shell knows them.
	name := getenv("USER")
	if name == "" {
		name = "unknown"
	}
	return op(ctx, svc, account.Operator{Name: "cli " + name}, stdout)
}

// userJSON is an account as --json prints it: never a hash or a token.
type userJSON struct {
	Email        string     `json:"email"`
	FirstName    string     `json:"first_name"`
	LastName     string     `json:"last_name"`
	Company      string     `json:"company"`
	Country      string     `json:"country,omitempty"`
	Region       string     `json:"region,omitempty"`
	Phone        string     `json:"phone,omitempty"`
	Locale       string     `json:"locale,omitempty"`
	Status       string     `json:"status"`
	CreatedAt    time.Time  `json:"created_at"`
	ActivatedAt  *time.Time `json:"activated_at"`
	LastSignInAt *time.Time `json:"last_sign_in_at"`
	Operator     bool       `json:"operator"`
}

func toJSON(m account.Managed) userJSON {
	return userJSON{Email: m.Email, FirstName: m.FirstName, LastName: m.LastName, Company: m.Company,
		Country: m.Country, Region: m.Region, Phone: m.Phone, Locale: m.Locale, Status: m.Status,
		CreatedAt: m.CreatedAt.UTC(), ActivatedAt: utcPtr(m.ActivatedAt), LastSignInAt: utcPtr(m.LastSignInAt),
		Operator: m.Operator}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// stamp is a time for a table: RFC 3339 in UTC, "-" for never.
func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// cell keeps what a person typed from breaking a table row.
func cell(s string) string {
	s = truncate(oneLine(s), 40)
	if s == "" {
		return "-"
	}
	return s
}

func usersList(ctx context.Context, svc *account.Service, q account.UserQuery, asJSON bool, stdout io.Writer) error {
	list, err := svc.ListUsers(ctx, q)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]userJSON, len(list))
		for i, m := range list {
			out[i] = toJSON(m)
		}
		return writeJSON(stdout, out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tCOMPANY\tSTATUS\tCREATED\tLAST SIGN-IN")
	for _, m := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Email, cell(m.Name()), cell(m.Company), m.Status,
			stamp(&m.CreatedAt), stamp(m.LastSignInAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "(no accounts)")
	}
	return nil
}

// sessionJSON is a session as --json prints it: never its token.
type sessionJSON struct {
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
}

// twoStepJSON is the account's second factors as --json prints them:
// whether it has any, and which, never a secret or a code.
type twoStepJSON struct {
	On                bool       `json:"on"`
	Authenticator     bool       `json:"authenticator_app"`
	AuthenticatorFrom *time.Time `json:"authenticator_app_since"`
	RecoveryCodesLeft int        `json:"recovery_codes_left"`
	Passkeys          int        `json:"passkeys"`
}

func toTwoStepJSON(d account.UserDetail) twoStepJSON {
	v := twoStepJSON{On: d.HasSecondFactor(), Authenticator: d.TwoStep.On, Passkeys: d.Passkeys}
	if d.TwoStep.On {
		v.AuthenticatorFrom, v.RecoveryCodesLeft = utcPtr(&d.TwoStep.Since), d.TwoStep.CodesLeft
	}
	return v
}

// twoStepCell says in the table whether the account has a second factor
// and which: "no", or "yes:" with the authenticator app (since when, and
// the recovery codes left) and the passkeys.
func twoStepCell(d account.UserDetail) string {
	if !d.HasSecondFactor() {
		return "no"
	}
	var parts []string
	if d.TwoStep.On {
		parts = append(parts, fmt.Sprintf("authenticator app since %s (%d recovery codes left)", stamp(&d.TwoStep.Since), d.TwoStep.CodesLeft))
	}
	switch d.Passkeys {
	case 0:
	case 1:
		parts = append(parts, "1 passkey")
	default:
		parts = append(parts, fmt.Sprintf("%d passkeys", d.Passkeys))
	}
	return "yes: " + strings.Join(parts, ", ")
}

// eventJSON is one audit event as --json prints it.
type eventJSON struct {
	Kind string    `json:"kind"`
	At   time.Time `json:"at"`
	IP   string    `json:"ip"`
}

func usersShow(d account.UserDetail, asJSON bool, stdout io.Writer) error {
	if asJSON {
		v := struct {
			userJSON
			Failures    int           `json:"failed_sign_ins"`
			LockedUntil *time.Time    `json:"locked_until"`
			TwoStep     twoStepJSON   `json:"two_step"`
			Sessions    []sessionJSON `json:"sessions"`
			Events      []eventJSON   `json:"events"`
		}{userJSON: toJSON(d.Managed), Failures: d.Failures, TwoStep: toTwoStepJSON(d), Sessions: []sessionJSON{}, Events: []eventJSON{}}
		if !d.LockedUntil.IsZero() {
			v.LockedUntil = utcPtr(&d.LockedUntil)
		}
		for _, s := range d.Sessions {
			v.Sessions = append(v.Sessions, sessionJSON{CreatedAt: s.CreatedAt.UTC(), LastSeenAt: s.LastSeenAt.UTC(),
				ExpiresAt: s.ExpiresAt.UTC(), IP: s.IP, UserAgent: s.UserAgent})
		}
		for _, e := range d.Events {
			v.Events = append(v.Events, eventJSON{Kind: string(e.Kind), At: e.At.UTC(), IP: e.IP})
		}
		return writeJSON(stdout, v)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	locked := "no"
	if !d.LockedUntil.IsZero() {
		locked = "until " + stamp(&d.LockedUntil)
	}
	for _, row := range [][2]string{
		{"Email", d.Email}, {"Name", cell(d.Name())}, {"Company", cell(d.Company)},
		{"Country", cell(strings.Trim(d.Country+" "+d.Region, " "))}, {"Phone", cell(d.Phone)},
		{"Language", cell(d.Locale)}, {"Status", d.Status}, {"Operator", map[bool]string{true: "yes", false: "no"}[d.Operator]}, {"Created", stamp(&d.CreatedAt)},
		{"Activated", stamp(d.ActivatedAt)}, {"Password changed", stamp(d.PasswordChangedAt)},
		{"Last sign-in", stamp(d.LastSignInAt)}, {"Failed sign-ins", fmt.Sprint(d.Failures)}, {"Locked", locked},
		{"Two-step", twoStepCell(d)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nSessions (%d):\n", len(d.Sessions))
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	// The device (the user agent) goes last and nearly whole: its telling
	// part, the browser, comes at the end of the string.
	fmt.Fprintln(tw, "LAST SEEN\tSIGNED IN\tIP\tDEVICE")
	for _, s := range d.Sessions {
		ua := truncate(oneLine(s.UserAgent), 160)
		if ua == "" {
			ua = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", stamp(&s.LastSeenAt), stamp(&s.CreatedAt), cell(s.IP), ua)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nRecent events (%d):\n", len(d.Events))
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tEVENT\tIP")
	for _, e := range d.Events {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", stamp(&e.At), e.Kind, cell(e.IP))
	}
	return tw.Flush()
}
