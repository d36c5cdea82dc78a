package components

import (
	"context"
	"strings"

	"gatehouse/internal/account"
)

// mayChangeRole reports whether the viewer gets the role and remove forms
// of member m: owners and admins do, except for owners when the viewer is
// no owner, and for the last owner, who must stay one.
func mayChangeRole(o account.OrgOverview, m account.OrgMember) bool {
	if !o.MayManage {
		return false
	}
	if m.Role == account.RoleOwner && (!o.MayMakeOwners || o.OwnerCount <= 1) {
		return false
	}
	return true
}

// assignable are the roles the viewer may give member m, most powerful
// first; the server checks the same rule (account.CanAssign) again.
func assignable(o account.OrgOverview, m account.OrgMember) []account.Role {
	var out []account.Role
	for _, r := range account.Roles {
		if r == m.Role || account.CanAssign(o.Me.Role, m.Role, r) {
			out = append(out, r)
		}
	}
	return out
}

// trailData is an audit entry's placeholders: who, to whom, and the role,
// domain, policy or name it names, translated where it is a value of ours.
func trailData(ctx context.Context, e account.OrgEntry) map[string]any {
	person := func(s string) string {
		if s == "" {
			return t(ctx, "page.org.former_member")
		}
		return s
	}
	d := map[string]any{"Actor": person(e.Actor), "Subject": person(e.Subject), "Detail": e.Detail}
	switch {
	case e.ByOperator && e.Actor == "":
		d["Actor"] = t(ctx, "page.org.an_operator")
	case e.ByOperator:
		d["Actor"] = t(ctx, "page.org.operator_named", map[string]any{"Name": e.Actor})
	}
	switch e.Kind {
	case account.OrgEventRoleChanged:
		if r, ok := account.ParseRole(e.Detail); ok {
			d["Role"] = t(ctx, r.MessageID())
		}
	case account.OrgEventPolicyChanged:
		domain, policy, _ := strings.Cut(e.Detail, " ")
		d["Domain"] = domain
		if p, ok := account.ParseJoinPolicy(policy); ok {
			d["Policy"] = t(ctx, p.MessageID())
		}
	}
	return d
}

// memberName is how a member is named in a label: the name, else the
// address.
func memberName(m account.OrgMember) string {
	if n := m.Name(); n != "" {
		return n
	}
	return m.Email
}

// waitingTitle is the waiting page's heading.
func waitingTitle(w account.Waiting) string {
	if w.Kind == account.WaitApproval {
		return "page.org_waiting.title_approval"
	}
	if w.Kind == account.WaitOperator {
		return "wait.operator.title"
	}
	return "page.org_waiting.title_invitation"
}
