package components

import "context"

type approvalsKey struct{}

// WithApprovals carries the number of sign-ups waiting for an operator to
// the console's navigation, which then links to the queue with it
// (SIGNUP_MODE=approval).
func WithApprovals(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, approvalsKey{}, n)
}

// approvalsCount is the queue's length and whether the navigation shows it.
func approvalsCount(ctx context.Context) (int, bool) {
	n, ok := ctx.Value(approvalsKey{}).(int)
	return n, ok
}

// AdminApprovalRow is one account in the queue of sign-ups to approve.
type AdminApprovalRow struct {
	PublicID, Email, Name, Company, Created string
}

// AdminApprovalsView is the queue of sign-ups waiting for an operator.
type AdminApprovalsView struct {
	Rows   []AdminApprovalRow
	Notice AdminNotice
	// Next is the address of the following page ("" on the last), First
	// that of the head of the queue ("" on it).
	Next, First string
	// After is the cursor the page starts after ("" at the head), which
	// the buttons carry so that the answer comes back to this page.
	After string
}

// FromQueue is the value of the "from" field of the queue's buttons: the
// answer goes back to the queue rather than to the account's page.
const FromQueue = "approvals"
