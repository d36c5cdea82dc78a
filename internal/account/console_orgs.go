package account

import (
	"context"
	"errors"
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
		out[i] = OrgSummary{PublicID: r.PublicID, Name: r.Name, CreatedAt: r.CreatedAt, Members: r.Members, Requests: r.Requests, Domains: r.Domains}
	}
	return out, nil
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
