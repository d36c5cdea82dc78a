package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"gatehouse/internal/account"
)

// orgsUsage is the usage of the orgs commands.
const orgsUsage = `usage: gatehouse orgs list [--q TEXT] [--limit N] [--json]
       gatehouse orgs show ID|NAME|DOMAIN [--json]`

// parseOrgs reads an operator's command on organisations, before anything
// is opened, like parseUsers:
//
//	gatehouse orgs list [--q TEXT] [--limit N] [--json]
//	gatehouse orgs show ID|NAME|DOMAIN [--json]
//
// Flags may come before or after the organisation.
func parseOrgs(args []string) (usersOp, error) {
	if len(args) == 0 {
		return nil, errors.New(orgsUsage)
	}
	name := args[0]
	if name != "list" && name != "show" {
		return nil, fmt.Errorf("unknown orgs command %q\n%s", name, orgsUsage)
	}
	fs := flag.NewFlagSet("orgs "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	var query *string
	var limit *int
	if name == "list" {
		query = fs.String("q", "", "a part of the name or of a claimed domain")
		limit = fs.Int("limit", 100, "at most this many organisations")
	}
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return nil, fmt.Errorf("orgs %s: %w\n%s", name, err, orgsUsage)
	}
	if name == "list" {
		if len(positional) > 0 {
			return nil, fmt.Errorf("orgs list: unexpected argument %q (want flags only)\n%s", positional[0], orgsUsage)
		}
		if *limit < 1 || *limit > 10000 {
			return nil, fmt.Errorf("orgs list: --limit: want 1 to 10000, got %d", *limit)
		}
		q := account.OrgQuery{Text: strings.TrimSpace(*query), Limit: *limit}
		return func(ctx context.Context, svc *account.Service, _ account.Operator, stdout io.Writer) error {
			return orgsList(ctx, svc, q, *asJSON, stdout)
		}, nil
	}
	if len(positional) != 1 || strings.TrimSpace(positional[0]) == "" {
		return nil, fmt.Errorf("orgs show: want one organisation: its id, its name or a domain it claimed\n%s", orgsUsage)
	}
	ref := positional[0]
	return func(ctx context.Context, svc *account.Service, _ account.Operator, stdout io.Writer) error {
		o, err := svc.FindConsoleOrg(ctx, ref)
		if err != nil {
			return orgsError(name, ref, err)
		}
		return orgsShow(o, *asJSON, stdout)
	}, nil
}

// orgsError names the command and the organisation in a refusal, and the
// ids that tell apart organisations of the same name.
func orgsError(name, ref string, err error) error {
	return orgRefError("orgs "+name, ref, err)
}

// orgRefError is the refusal of an organisation that FindConsoleOrg does
// not know (ErrUnknownOrg) or cannot tell apart (an AmbiguousOrgError,
// whose ids it lists), after what, the command or its flag; any other
// error as it is.
func orgRefError(what, ref string, err error) error {
	if errors.Is(err, account.ErrUnknownOrg) {
		return fmt.Errorf("%s: no organisation has the id, name or domain %q", what, ref)
	}
	var amb *account.AmbiguousOrgError
	if errors.As(err, &amb) {
		ids := strings.Join(amb.IDs, ", ")
		if amb.More {
			ids += ", …"
		}
		return fmt.Errorf("%s: %q is several organisations (%s); name one by its id", what, ref, ids)
	}
	return err
}

// orgDomainJSON is a claimed domain as --json prints it.
type orgDomainJSON struct {
	Domain     string    `json:"domain"`
	JoinPolicy string    `json:"join_policy"`
	ClaimedAt  time.Time `json:"claimed_at"`
}

func domainsJSON(list []account.OrgDomain) []orgDomainJSON {
	out := []orgDomainJSON{}
	for _, d := range list {
		out = append(out, orgDomainJSON{Domain: d.Domain, JoinPolicy: string(d.Policy), ClaimedAt: d.ClaimedAt.UTC()})
	}
	return out
}

// orgJSON is an organisation as orgs list --json prints it.
type orgJSON struct {
	ID                  string          `json:"id"`
	Name                string          `json:"name"`
	Members             int             `json:"members"`
	Requests            int             `json:"requests"`
	Domains             []orgDomainJSON `json:"domains"`
	RequireSecondFactor bool            `json:"require_second_factor"`
	CreatedAt           time.Time       `json:"created_at"`
}

// domainCells are a list's DOMAINS and JOIN POLICY cells: the domains,
// and each one's policy in the same order.
func domainCells(list []account.OrgDomain) (string, string) {
	if len(list) == 0 {
		return "-", "-"
	}
	domains, policies := make([]string, len(list)), make([]string, len(list))
	for i, d := range list {
		domains[i], policies[i] = d.Domain, string(d.Policy)
	}
	return strings.Join(domains, ", "), strings.Join(policies, ", ")
}

func yesNo(b bool) string { return map[bool]string{true: "yes", false: "no"}[b] }

func orgsList(ctx context.Context, svc *account.Service, q account.OrgQuery, asJSON bool, stdout io.Writer) error {
	list, err := svc.ListOrgs(ctx, q)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]orgJSON, len(list))
		for i, o := range list {
			out[i] = orgJSON{ID: o.PublicID, Name: o.Name, Members: o.Members, Requests: o.Requests,
				Domains: domainsJSON(o.Claimed), RequireSecondFactor: o.RequireSecondFactor, CreatedAt: o.CreatedAt.UTC()}
		}
		return writeJSON(stdout, out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tMEMBERS\tREQUESTS\tDOMAINS\tJOIN POLICY\tSECOND STEP\tCREATED")
	for _, o := range list {
		domains, policies := domainCells(o.Claimed)
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", o.PublicID, cell(o.Name), o.Members, o.Requests,
			domains, policies, yesNo(o.RequireSecondFactor), stamp(&o.CreatedAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "(no organisations)")
	}
	return nil
}

// memberJSON is a member, or a request to join, as --json prints it.
type memberJSON struct {
	Email        string     `json:"email"`
	FirstName    string     `json:"first_name"`
	LastName     string     `json:"last_name"`
	Role         string     `json:"role,omitempty"`
	RequestedAt  *time.Time `json:"requested_at,omitempty"`
	JoinedAt     *time.Time `json:"joined_at,omitempty"`
	LastSignInAt *time.Time `json:"last_sign_in_at"`
}

// orgEventJSON is one entry of the organisation's trail as --json prints it.
type orgEventJSON struct {
	Kind       string    `json:"kind"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Subject    string    `json:"subject"`
	Detail     string    `json:"detail"`
	ByOperator bool      `json:"by_operator"`
}

func orgsShow(o account.ConsoleOrg, asJSON bool, stdout io.Writer) error {
	if asJSON {
		v := struct {
			ID                  string          `json:"id"`
			Name                string          `json:"name"`
			RequireSecondFactor bool            `json:"require_second_factor"`
			CreatedAt           time.Time       `json:"created_at"`
			Domains             []orgDomainJSON `json:"domains"`
			Members             []memberJSON    `json:"members"`
			Requests            []memberJSON    `json:"requests"`
			Events              []orgEventJSON  `json:"events"`
		}{ID: o.PublicID, Name: o.Name, RequireSecondFactor: o.Me.RequireSecondFactor, CreatedAt: o.CreatedAt.UTC(),
			Domains: domainsJSON(o.Domains), Members: []memberJSON{}, Requests: []memberJSON{}, Events: []orgEventJSON{}}
		for _, m := range o.Members {
			v.Members = append(v.Members, memberJSON{Email: m.Email, FirstName: m.FirstName, LastName: m.LastName,
				Role: string(m.Role), JoinedAt: utcPtr(m.JoinedAt), LastSignInAt: utcPtr(m.LastSignInAt)})
		}
		for _, m := range o.Requests {
			at := m.RequestedAt.UTC()
			v.Requests = append(v.Requests, memberJSON{Email: m.Email, FirstName: m.FirstName, LastName: m.LastName,
				RequestedAt: &at, LastSignInAt: utcPtr(m.LastSignInAt)})
		}
		for _, e := range o.Trail {
			v.Events = append(v.Events, orgEventJSON{Kind: string(e.Kind), At: e.At.UTC(), Actor: e.Actor, Subject: e.Subject,
				Detail: e.Detail, ByOperator: e.ByOperator})
		}
		return writeJSON(stdout, v)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, row := range [][2]string{
		{"ID", o.PublicID}, {"Name", cell(o.Name)}, {"Second step required", yesNo(o.Me.RequireSecondFactor)},
		{"Created", stamp(&o.CreatedAt)}, {"Owners", fmt.Sprint(o.OwnerCount)},
	} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nDomains (%d):\n", len(o.Domains))
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tJOIN POLICY\tCLAIMED")
	for _, d := range o.Domains {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Domain, d.Policy, stamp(&d.ClaimedAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nMembers (%d):\n", len(o.Members))
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tJOINED\tLAST SIGN-IN")
	for _, m := range o.Members {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Email, cell(m.Name()), m.Role, stamp(m.JoinedAt), stamp(m.LastSignInAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nJoin requests (%d):\n", len(o.Requests))
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tREQUESTED")
	for _, m := range o.Requests {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Email, cell(m.Name()), stamp(&m.RequestedAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nRecent events (%d):\n", len(o.Trail))
	tw = tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tEVENT\tBY\tCONCERNING\tDETAIL")
	for _, e := range o.Trail {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", stamp(&e.At), e.Kind, cell(e.Actor), cell(e.Subject), cell(e.Detail))
	}
	return tw.Flush()
}
