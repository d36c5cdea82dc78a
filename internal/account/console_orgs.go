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
	co.MayManage = true
	if err := s.fillOrg(ctx, &co.OrgOverview, o.ID, "", true); err != nil {
		return ConsoleOrg{}, err
	}
	return co, nil
}
