package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gatehouse/internal/account"
)

// operatorsUsage is the usage of the operators commands.
const operatorsUsage = `usage: gatehouse operators add|remove EMAIL [--json]
       gatehouse operators list [--json]`

// parseOperators reads a command on the operator role, the only way to
// grant or remove it:
//
//	gatehouse operators add|remove EMAIL [--json]
//	gatehouse operators list [--json]
func parseOperators(args []string) (usersOp, error) {
	if len(args) == 0 {
		return nil, errors.New(operatorsUsage)
	}
	name := args[0]
	if !slices.Contains([]string{"add", "remove", "list"}, name) {
		return nil, fmt.Errorf("unknown operators command %q\n%s", name, operatorsUsage)
	}
	fs := flag.NewFlagSet("operators "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return nil, fmt.Errorf("operators %s: %w\n%s", name, err, operatorsUsage)
	}
	if name == "list" {
		if len(positional) > 0 {
			return nil, fmt.Errorf("operators list: unexpected argument %q\n%s", positional[0], operatorsUsage)
		}
		return func(ctx context.Context, svc *account.Service, _ account.Operator, stdout io.Writer) error {
			list, err := svc.Operators(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
				out := make([]userJSON, len(list))
				for i, m := range list {
					out[i] = toJSON(m)
				}
				return writeJSON(stdout, out)
			}
			tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "EMAIL\tNAME\tSTATUS")
			for _, m := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Email, cell(m.Name()), m.Status)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(stdout, "(no operators)")
			}
			return nil
		}, nil
	}
	if len(positional) != 1 || !strings.Contains(positional[0], "@") {
		return nil, fmt.Errorf("operators %s: want one email address\n%s", name, operatorsUsage)
	}
	email := positional[0]
	return func(ctx context.Context, svc *account.Service, by account.Operator, stdout io.Writer) error {
		var changed bool
		var err error
		if name == "add" {
			changed, err = svc.GrantOperator(ctx, email, by)
		} else {
			changed, err = svc.RevokeOperator(ctx, email, by)
		}
		switch {
		case errors.Is(err, account.ErrUnknownUser):
			return fmt.Errorf("operators %s: no account with the address %q", name, email)
		case errors.Is(err, account.ErrNotActive):
			return fmt.Errorf("operators %s %s: %w; only an active account can be an operator", name, email, err)
		case err != nil:
			return err
		}
		if *asJSON {
			return writeJSON(stdout, map[string]any{"email": email, "action": name, "changed": changed})
		}
		msg := map[[2]bool]string{{true, true}: "is now an operator", {true, false}: "was already an operator",
			{false, true}: "is no longer an operator", {false, false}: "was not an operator; nothing changed"}[[2]bool{name == "add", changed}]
		_, err = fmt.Fprintf(stdout, "%s: %s\n", email, msg)
		return err
	}, nil
}

// parseInterspersed parses fs from args with flags before or after the
// positional arguments, as a script writes them, and returns those.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// auditUsage is the usage of the audit commands.
const auditUsage = `usage: gatehouse audit export --since WHEN [--until WHEN] [--format csv|json] [--user EMAIL] [--org ORG] [--kind KIND[,KIND…]]
       WHEN is a date (2026-11-01, midnight UTC), an RFC 3339 time, or a duration back from now (720h)
       ORG is an organisation's id (org_…), name or claimed domain: the events of its people while they were in it (members and join requests)`

// parseAudit reads an export of the audit trail, streamed to stdout.
func parseAudit(args []string, now func() time.Time) (usersOp, error) {
	if len(args) == 0 || args[0] != "export" {
		return nil, errors.New(auditUsage)
	}
	fs := flag.NewFlagSet("audit export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	since := fs.String("since", "", "the start of the period")
	until := fs.String("until", "", "the end of the period (exclusive); now when empty")
	format := fs.String("format", account.ExportCSV, "csv or json")
	user := fs.String("user", "", "only this account's events")
	org := fs.String("org", "", "only the events of this organisation (its id, name or claimed domain)")
	kinds := fs.String("kind", "", "only these event kinds, comma-separated")
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return nil, fmt.Errorf("audit export: %w\n%s", err, auditUsage)
	}
	if len(positional) > 0 {
		return nil, fmt.Errorf("audit export: unexpected argument %q\n%s", positional[0], auditUsage)
	}
	if *format != account.ExportCSV && *format != account.ExportJSON {
		return nil, fmt.Errorf("audit export: --format: want csv or json, got %q", *format)
	}
	if *since == "" {
		return nil, fmt.Errorf("audit export: --since is required\n%s", auditUsage)
	}
	q := account.AuditQuery{Email: strings.TrimSpace(*user), Org: strings.TrimSpace(*org)}
	if q.Since, err = parseWhen(*since, now); err != nil {
		return nil, fmt.Errorf("audit export: --since: %w", err)
	}
	if *until != "" {
		if q.Until, err = parseWhen(*until, now); err != nil {
			return nil, fmt.Errorf("audit export: --until: %w", err)
		}
		if !q.Until.After(q.Since) {
			return nil, fmt.Errorf("audit export: --until must be after --since")
		}
	}
	if *kinds != "" {
		for _, k := range strings.Split(*kinds, ",") {
			k = strings.TrimSpace(k)
			if !slices.Contains(account.Events, account.Event(k)) {
				return nil, fmt.Errorf("audit export: --kind: unknown event kind %q", k)
			}
			q.Kinds = append(q.Kinds, account.Event(k))
		}
	}
	return func(ctx context.Context, svc *account.Service, by account.Operator, stdout io.Writer) error {
		q := q
		if ref := q.Org; ref != "" {
			// Resolved as `gatehouse orgs show` resolves it, then named by
			// its id, which the export cannot take for another.
			o, err := svc.FindConsoleOrg(ctx, ref)
			if err != nil {
				return orgRefError("audit export: --org", ref, err)
			}
			q.Org = o.PublicID
		}
		err := svc.ExportAudit(ctx, q, *format, stdout, by)
		switch {
		case errors.Is(err, account.ErrUnknownUser):
			return fmt.Errorf("audit export: --user: no account with the address %q", q.Email)
		case errors.Is(err, account.ErrUnknownOrg):
			return fmt.Errorf("audit export: --org: no organisation has the id, name or domain %q", q.Org)
		}
		return err
	}, nil
}

// parseWhen reads a date, an RFC 3339 time or a duration back from now.
func parseWhen(s string, now func() time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now().UTC().Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("want a date (2026-11-01), an RFC 3339 time or a duration (720h), got %q", s)
}
