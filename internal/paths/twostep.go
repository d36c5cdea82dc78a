package paths

// The routes of two-step verification: the sign-in's second step and the
// account page's setup.
const (
	LoginCode             = "/login/code"
	AccountTwoStep        = "/account/two-step"
	AccountTwoStepStart   = "/account/two-step/start"
	AccountTwoStepConfirm = "/account/two-step/confirm"
	AccountTwoStepOff     = "/account/two-step/off"
	AccountRecoveryCodes  = "/account/two-step/recovery-codes"
)
