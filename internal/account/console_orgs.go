package account

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gatehouse/internal/store"
)

// ErrUnknownOrg means no organisation has the public id the console named.
var ErrUnknownOrg = errors.New("account: no such organisation")

// OrgSummary is one organisation of the console's list.
type OrgSummary struct {
	PublicID, Name             string
	CreatedAt                  time.Time
	Members, Requests, Domains int
}

// ConsoleOrgLimit is how many organisations the console's list shows.
const ConsoleOrgLimit = 200

// ListOrganisations lists organisations by name, those whose name or a
// claimed domain contains query when it is not empty.
func (s *Service) ListOrganisations(ctx context.Context, query string) ([]OrgSummary, error) {
	rows, err := s.store.ListOrganisations(ctx, query, ConsoleOrgLimit)
	if err != nil {
		return nil, err
	}
	out := make([]OrgSummary, len(rows))
	for i, r := range rows {
		out[i] = orgSummary(r)
	}
	return out, nil
}

func orgSummary(r store.OrgRow) OrgSummary {
	return OrgSummary{PublicID: r.PublicID, Name: r.Name, CreatedAt: r.CreatedAt, Members: r.Members, Requests: r.Requests, Domains: r.Domains}
}

// OrgQuery selects the organisations of the command line's list: those
// whose name or a claimed domain contains Text ("" for all), at most Limit.
type OrgQuery struct {
	Text  string
	Limit int
}

// OrgListing is one organisation of the command line's list: the console
// list's row with its claimed domains, their join policies and the
// second-step rule, so a script needs no call per organisation.
type OrgListing struct {
	OrgSummary
	RequireSecondFactor bool
	Claimed             []OrgDomain
}

// ListOrgs lists organisations as ListOrganisations does, at most q.Limit,
// each with its domains.
func (s *Service) ListOrgs(ctx context.Context, q OrgQuery) ([]OrgListing, error) {
	rows, err := s.store.ListOrganisations(ctx, q.Text, q.Limit)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	domains, err := s.store.DomainsByOrgs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]OrgListing, len(rows))
	for i, r := range rows {
		out[i] = OrgListing{OrgSummary: orgSummary(r), RequireSecondFactor: r.RequireSecondFactor}
		for _, d := range domains[r.ID] {
			out[i].Claimed = append(out[i].Claimed, OrgDomain{Domain: d.Domain, Policy: JoinPolicy(d.JoinPolicy), ClaimedAt: d.ClaimedAt})
		}
	}
	return out, nil
}

// AmbiguousOrgShown is how many ids an AmbiguousOrgError names at most.
const AmbiguousOrgShown = 20

// AmbiguousOrgError is a name, or a name and a claimed domain, that
// several organisations answer to. IDs are their public ids, which tell
// them apart: those of the same name oldest first (at most
// AmbiguousOrgShown; More when there are others), then the domain's. It
// is ErrAmbiguousOrg.
type AmbiguousOrgError struct {
	IDs  []string
	More bool
}

func (e *AmbiguousOrgError) Error() string {
	return fmt.Sprintf("%v: %s", ErrAmbiguousOrg, strings.Join(e.IDs, ", "))
}

// Is makes errors.Is(err, ErrAmbiguousOrg) true.
func (e *AmbiguousOrgError) Is(target error) bool { return target == ErrAmbiguousOrg }

// FindConsoleOrg is ConsoleOrg for the organisation whose public id is
// ref, or else whose name (in any case) or claimed domain is ref: what an
// operator knows of it. ErrUnknownOrg for none; an *AmbiguousOrgError
// when the name is several organisations', or the name one's and the
// domain another's.
func (s *Service) FindConsoleOrg(ctx context.Context, ref string) (ConsoleOrg, error) {
	o, err := s.findOrg(ctx, ref)
	if err != nil {
		return ConsoleOrg{}, err
	}
	return s.ConsoleOrg(ctx, o.PublicID)
}

// findOrg is the organisation an operator names by ref: its public id,
// or else its name (in any case) or a domain it claimed. ErrUnknownOrg
// for none; an *AmbiguousOrgError (which is ErrAmbiguousOrg) when the
// name is several organisations', or the name one's and the domain
// another's.
func (s *Service) findOrg(ctx context.Context, ref string) (*store.Organisation, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 200 {
		return nil, ErrUnknownOrg
	}
	o, err := s.store.OrganisationByPublicID(ctx, ref)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return o, err
	}
	named, err := s.store.OrganisationsNamed(ctx, ref, AmbiguousOrgShown+1)
	if err != nil {
		return nil, err
	}
	more := len(named) > AmbiguousOrgShown
	if more {
		named = named[:AmbiguousOrgShown]
	}
	if domain, err := NormalizeDomain(ref); err == nil {
		d, err := s.store.OrgDomainByName(ctx, domain)
		switch {
		case err == nil && !slices.ContainsFunc(named, func(o store.Organisation) bool { return o.PublicID == d.Organisation.PublicID }):
			named = append(named, *d.Organisation)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return nil, err
		}
	}
	switch {
	case len(named) == 0:
		return nil, ErrUnknownOrg
	case len(named) == 1 && !more:
		return &named[0], nil
	}
	ids := make([]string, len(named))
	for i, o := range named {
		ids[i] = o.PublicID
	}
	return nil, &AmbiguousOrgError{IDs: ids, More: more}
}

// ConsoleOrg is an organisation as the console shows it: what its owners
// see on their organisation page (members, domains and their join
// policies, join requests, the organisation's audit trail), read the same
// way (fillOrg).
type ConsoleOrg struct {
	PublicID, Name string
	CreatedAt      time.Time
	OrgOverview
	// MemberDomains are the domains of the active members' addresses
	// that the operator may claim for the organisation (ClaimMembersDomain):
	// not claimed yet by anyone, and claimable at all.
	MemberDomains []string
}

// ConsoleOrg is the organisation behind the console's link;
// ErrUnknownOrg for none.
func (s *Service) ConsoleOrg(ctx context.Context, publicID string) (ConsoleOrg, error) {
	o, err := s.store.OrganisationByPublicID(ctx, publicID)
	if errors.Is(err, store.ErrNotFound) {
		return ConsoleOrg{}, ErrUnknownOrg
	}
	if err != nil {
		return ConsoleOrg{}, err
	}
	co := ConsoleOrg{PublicID: o.PublicID, Name: o.Name, CreatedAt: o.CreatedAt}
	// The operator acts with an owner's rights (OrgOperator), so the page
	// offers what an owner's page does.
	co.Me = OrgMembership{OrgID: o.ID, OrgPublicID: o.PublicID, OrgName: o.Name, Role: RoleOwner, RequireSecondFactor: o.RequireSecondFactor}
	co.MayManage, co.MayMakeOwners = true, true
	if err := s.fillOrg(ctx, &co.OrgOverview, o.ID, "", true); err != nil {
		return ConsoleOrg{}, err
	}
	seen := map[string]bool{}
	for _, d := range co.Domains {
		seen[d.Domain] = true
	}
	for _, m := range co.Members {
		d := emailDomain(m.Email)
		if seen[d] || unclaimable(d) != "" {
			continue
		}
		seen[d] = true
		if _, err := s.store.OrgDomainByName(ctx, d); err == nil {
			continue // another organisation's
		} else if !errors.Is(err, store.ErrNotFound) {
			return ConsoleOrg{}, err
		}
		co.MemberDomains = append(co.MemberDomains, d)
	}
	return co, nil
}

// CreateOrganisation makes a new organisation with no members from the
// console, named as a rename names one (FieldErrors on "name"); the
// operator then invites its first owner from its page. It is in the
// organisation's trail (as an administrator's) and in the audit trail
// with the operator as actor; ErrOrgForbidden when by is no longer an
// active operator. It returns the organisation's public id.
func (s *Service) CreateOrganisation(ctx context.Context, by Operator, name string) (string, error) {
	name, err := orgName(name)
	if err != nil {
		return "", err
	}
	now := s.now()
	org := &store.Organisation{Name: name, CreatedAt: now, UpdatedAt: now}
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		actor, err := activeOperator(ctx, tx, by)
		if err != nil {
			return err
		}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		me := OrgMembership{OrgID: org.ID, OrgPublicID: org.PublicID, OrgName: org.Name, Role: RoleOwner, operator: &by}
		return s.trail(ctx, tx, me, actor.ID, 0, OrgEventCreated, "")
	})
	if err != nil {
		return "", err
	}
	return org.PublicID, nil
}
