package components

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"

	"gatehouse/internal/account"
	"gatehouse/internal/i18n"
)

// EmailFor chooses the copy of an email in ctx's language; each kind of
// email is a type of the account package with exactly the fields it needs.
func EmailFor(ctx context.Context, e account.Email) (EmailData, error) {
	var d EmailData
	switch e := e.(type) {
	case account.ActivationEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.activation.subject")
		d.Paras = []string{t(ctx, "email.activation.body")}
		withLinkAndCode(ctx, &d, e.LinkEmail, t(ctx, "email.activation.button"))
		d.After = []string{t(ctx, "email.link_expires", map[string]any{"When": i18n.Date(ctx, e.ExpiresAt)}), t(ctx, "email.activation.not_you")}
	case account.AlreadyRegisteredEmail:
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.already_registered.subject")
		d.Paras = []string{t(ctx, "email.already_registered.body")}
		d.Button, d.Link = t(ctx, "email.already_registered.button"), e.LoginURL
		d.Also, d.AlsoLink = t(ctx, "email.already_registered.forgot"), e.ResetURL
		d.After = []string{t(ctx, "email.already_registered.not_you")}
	case account.ResetEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.reset.subject")
		d.Paras = []string{t(ctx, "email.reset.body")}
		withLinkAndCode(ctx, &d, e.LinkEmail, t(ctx, "email.reset.button"))
		d.After = []string{t(ctx, "email.link_expires", map[string]any{"When": i18n.Date(ctx, e.ExpiresAt)}), t(ctx, "email.reset.not_you")}
	case account.PasswordChangedEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		when := map[string]any{"When": i18n.Date(ctx, e.ChangedAt)}
		if e.Initial {
			d.Subject = t(ctx, "email.password_set.subject")
			d.Paras = []string{t(ctx, "email.password_set.body", when)}
		} else {
			d.Subject = t(ctx, "email.password_changed.subject")
			d.Paras = []string{t(ctx, "email.password_changed.body", when)}
		}
		if e.Device != "" || e.IP != "" {
			d.Paras = append(d.Paras, t(ctx, "email.password_changed.where", map[string]any{"Device": e.Device, "IP": e.IP}))
		}
		// The way out comes before the button that takes it.
		d.Paras = append(d.Paras, t(ctx, "email.password_changed.not_you"))
		d.Button, d.Link = t(ctx, "action.reset_password"), e.ResetURL
	case account.SignInThrottledEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.sign_in_throttled.subject")
		when := map[string]any{"When": i18n.Date(ctx, e.At)}
		if e.SecondStep {
			d.Paras = []string{t(ctx, "email.sign_in_throttled.code_body", when)}
		} else {
			d.Paras = []string{t(ctx, "email.sign_in_throttled.body", when)}
		}
		d.Paras = append(d.Paras, t(ctx, "email.sign_in_throttled.wait", map[string]any{"Count": e.Minutes}))
		d.Button, d.Link = t(ctx, "action.reset_password"), e.ResetURL
		if e.SecondStep {
			d.After = []string{t(ctx, "email.sign_in_throttled.code_not_you")}
		} else {
			d.After = []string{t(ctx, "email.sign_in_throttled.not_you")}
		}
	case account.TwoStepOnEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.two_step_on.subject")
		d.Paras = []string{t(ctx, "email.two_step_on.body", map[string]any{"When": i18n.Date(ctx, e.At)})}
		twoStepWhere(ctx, &d, e.Device, e.IP, e.ResetURL)
	case account.TwoStepOffEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.two_step_off.subject")
		when := map[string]any{"When": i18n.Date(ctx, e.At)}
		if e.ByOperator {
			// Nobody signed in did it, so no device to name; what to do
			// if the owner never asked comes before the button.
			d.Paras = []string{t(ctx, "email.two_step_off.by_operator", when), t(ctx, "email.two_step_off.by_operator_not_you")}
			d.Button, d.Link = t(ctx, "action.reset_password"), e.ResetURL
		} else {
			d.Paras = []string{t(ctx, "email.two_step_off.body", when)}
			twoStepWhere(ctx, &d, e.Device, e.IP, e.ResetURL)
		}
	case account.PasskeyAddedEmail:
		passkeyEmail(ctx, &d, e.PasskeyEmail, "email.passkey_added.subject", "email.passkey_added.body", "email.passkey_added.not_you")
	case account.PasskeyRemovedEmail:
		passkeyEmail(ctx, &d, e.PasskeyEmail, "email.passkey_removed.subject", "email.passkey_removed.body", "email.passkey_removed.not_you")
		d.After = []string{t(ctx, "email.sign_in_throttled.not_you")}
	case account.InvitationEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		who := map[string]any{"Inviter": e.Inviter, "Org": e.Org, "Role": t(ctx, RoleName(e.Role))}
		if e.FirstName != "" || e.LastName != "" {
			d = greeting(ctx, e.FirstName, e.LastName)
		} else {
			d = EmailData{Greeting: t(ctx, "email.greeting_plain"), LinkLabel: t(ctx, "email.link_label")}
		}
		d.Subject = t(ctx, byOperator("email.invitation.subject", e.ByOperator), who)
		d.Paras = []string{t(ctx, byOperator("email.invitation.body", e.ByOperator), who)}
		d.Button, d.Link = t(ctx, "email.invitation.button"), e.Link
		d.After = []string{t(ctx, "email.link_expires", map[string]any{"When": i18n.Date(ctx, e.ExpiresAt)}), t(ctx, "email.invitation.not_you")}
	case account.SignupApprovedEmail:
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.signup_approved.subject")
		d.Paras = []string{t(ctx, "email.signup_approved.body")}
		d.Button, d.Link = t(ctx, "action.sign_in"), e.LoginURL
	case account.SignupDeclinedEmail:
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.signup_declined.subject")
		d.Paras = []string{t(ctx, "email.signup_declined.body")}
	case account.SignupToApproveEmail:
		who := map[string]any{"Name": e.Name, "Email": e.Email, "Company": e.Company}
		d = EmailData{Greeting: t(ctx, "email.greeting_plain"), LinkLabel: t(ctx, "email.link_label")}
		d.Subject = t(ctx, "email.signup_to_approve.subject", who)
		d.Paras = []string{t(ctx, "email.signup_to_approve.body", who), t(ctx, "email.signup_to_approve.how", who)}
	case account.NoAccountEmail:
		d = EmailData{Greeting: t(ctx, "email.greeting_plain"), LinkLabel: t(ctx, "email.link_label")}
		d.Subject = t(ctx, "email.no_account.subject")
		d.Paras = []string{t(ctx, "email.no_account.body")}
		d.Button, d.Link = t(ctx, "email.no_account.button"), e.SignUpURL
		d.After = []string{t(ctx, "email.no_account.not_you")}
	case account.EmailChangeEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.email_change.subject")
		d.Paras = []string{t(ctx, "email.email_change.body")}
		withLinkAndCode(ctx, &d, e.LinkEmail, t(ctx, "email.email_change.button"))
		d.After = []string{t(ctx, "email.link_expires", map[string]any{"When": i18n.Date(ctx, e.ExpiresAt)}), t(ctx, "email.email_change.not_you")}
	case account.EmailChangedEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.email_changed.subject")
		d.Paras = []string{t(ctx, "email.email_changed.body", map[string]any{"Email": e.NewEmail, "When": i18n.Date(ctx, e.ChangedAt)})}
		if e.Device != "" || e.IP != "" {
			d.Paras = append(d.Paras, t(ctx, "email.password_changed.where", map[string]any{"Device": e.Device, "IP": e.IP}))
		}
		d.Paras = append(d.Paras, t(ctx, "email.email_changed.not_you"))
		d.Button, d.Link = t(ctx, "email.email_changed.button"), e.RevertURL
		d.After = []string{t(ctx, "email.email_changed.expires", map[string]any{"When": i18n.Date(ctx, e.RevertUntil)})}
	case account.AddressInUseEmail:
		ctx = i18n.WithZone(ctx, e.TimeZone)
		d = greeting(ctx, e.FirstName, e.LastName)
		d.Subject = t(ctx, "email.address_in_use.subject")
		d.Paras = []string{t(ctx, "email.address_in_use.body", map[string]any{"When": i18n.Date(ctx, e.At)}), t(ctx, "email.address_in_use.nothing_changed")}
		d.Button, d.Link = t(ctx, "email.already_registered.button"), e.LoginURL
		d.Also, d.AlsoLink = t(ctx, "email.already_registered.forgot"), e.ResetURL
		d.After = []string{t(ctx, "email.address_in_use.not_you")}
	case account.AccountDeletedEmail:
		d = EmailData{Greeting: t(ctx, "email.greeting_anonymous"), LinkLabel: t(ctx, "email.link_label")}
		d.Subject = t(ctx, "email.account_deleted.subject")
		d.Paras = []string{t(ctx, "email.account_deleted.body", map[string]any{"When": i18n.Date(ctx, e.DeletedAt)}), t(ctx, "email.account_deleted.kept")}
		d.After = []string{t(ctx, "email.account_deleted.not_you")}
	case account.JoinRequestEmail:
		d = greeting(ctx, e.FirstName, e.LastName)
		who := map[string]any{"Name": e.RequesterName, "Email": e.RequesterEmail, "Org": e.OrgName}
		d.Subject = t(ctx, "email.org_join_request.subject", who)
		d.Paras = []string{t(ctx, "email.org_join_request.body", who)}
		d.Button, d.Link = t(ctx, "email.org_join_request.button"), e.OrgURL
		d.After = []string{t(ctx, "email.org_join_request.not_known")}
	case account.JoinApprovedEmail:
		d = greeting(ctx, e.FirstName, e.LastName)
		org := map[string]any{"Org": e.OrgName}
		d.Subject = t(ctx, "email.org_join_approved.subject", org)
		d.Paras = []string{t(ctx, "email.org_join_approved.body", org)}
		d.Button, d.Link = t(ctx, "action.sign_in"), e.LoginURL
	case account.JoinDeclinedEmail:
		d = greeting(ctx, e.FirstName, e.LastName)
		org := map[string]any{"Org": e.OrgName}
		d.Subject = t(ctx, "email.org_join_declined.subject", org)
		d.Paras = []string{t(ctx, "email.org_join_declined.body", org)}
	case account.MemberRemovedEmail:
		d = greeting(ctx, e.FirstName, e.LastName)
		org := map[string]any{"Org": e.OrgName}
		d.Subject = t(ctx, "email.org_member_removed.subject", org)
		d.Paras = []string{t(ctx, "email.org_member_removed.body", org)}
		d.After = []string{t(ctx, "email.org_member_removed.not_expected")}
	default:
		return EmailData{}, fmt.Errorf("components: no copy for email %T", e)
	}
	return d, nil
}

// passkeyEmail is the copy of a passkey added or removed: which one, when,
// from where, what to do if it was not the owner, and the account page.
func passkeyEmail(ctx context.Context, d *EmailData, e account.PasskeyEmail, subject, body, notYou string) {
	ctx = i18n.WithZone(ctx, e.TimeZone)
	*d = greeting(ctx, e.FirstName, e.LastName)
	d.Subject = t(ctx, subject)
	d.Paras = []string{t(ctx, body, map[string]any{"Name": e.Passkey, "When": i18n.Date(ctx, e.At)})}
	if e.Device != "" || e.IP != "" {
		d.Paras = append(d.Paras, t(ctx, "email.password_changed.where", map[string]any{"Device": e.Device, "IP": e.IP}))
	}
	d.Paras = append(d.Paras, t(ctx, notYou))
	d.Button, d.Link = t(ctx, "email.passkey.button"), e.AccountURL
	d.Also, d.AlsoLink = t(ctx, "action.reset_password"), e.ResetURL
}

// twoStepWhere ends a two-step email as the password-changed one ends:
// where the change came from, and the way out if it was not the owner.
func twoStepWhere(ctx context.Context, d *EmailData, device, ip, resetURL string) {
	if device != "" || ip != "" {
		d.Paras = append(d.Paras, t(ctx, "email.password_changed.where", map[string]any{"Device": device, "IP": ip}))
	}
	d.Paras = append(d.Paras, t(ctx, "email.password_changed.not_you"))
	d.Button, d.Link = t(ctx, "action.reset_password"), resetURL
}

// greeting starts every email: "Hello Ada," or "山田様", by the name the
// recipient's language greets with (i18n.GreetingName), and the label of
// the plain link.
func greeting(ctx context.Context, firstName, lastName string) EmailData {
	name := i18n.GreetingName(ctx, firstName, lastName)
	return EmailData{Greeting: t(ctx, "email.greeting", map[string]any{"Name": name}), LinkLabel: t(ctx, "email.link_label")}
}

// withLinkAndCode adds the button (when there is a link) and the code
// (when there is one) of a verification email.
func withLinkAndCode(ctx context.Context, d *EmailData, l account.LinkEmail, button string) {
	if l.Link != "" {
		d.Button, d.Link = button, l.Link
	}
	if l.Code != "" {
		d.Code = l.Code
		if d.Link != "" {
			d.CodeLabel = t(ctx, "email.code_or")
		} else {
			d.CodeLabel = t(ctx, "email.code_only")
		}
	}
}

// plainText is the text part's content, in the order of the HTML part.
// It is written in Go rather than as templ statements because templ puts a
// space between expressions on separate lines, which started every
// paragraph after the first with one.
func plainText(ctx context.Context, d EmailData) string {
	var b strings.Builder
	para := func(s string) { b.WriteString(s + "\n\n") }
	para(d.Greeting)
	for _, p := range d.Paras {
		para(p)
	}
	if d.Button != "" {
		para(d.Button + ":\n" + d.Link)
	}
	if d.Code != "" {
		para(d.CodeLabel + "\n\n    " + d.Code)
	}
	if d.AlsoLink != "" {
		para(d.Also + "\n" + d.AlsoLink)
	}
	for _, p := range d.After {
		para(p)
	}
	b.WriteString("-- \n" + t(ctx, "email.footer") + "\n")
	return b.String()
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// RenderEmail renders both parts of an email.
func RenderEmail(ctx context.Context, d EmailData) (htmlPart, textPart string, err error) {
	var h, tx bytes.Buffer
	if err := EmailHTML(d).Render(ctx, &h); err != nil {
		return "", "", err
	}
	if err := EmailText(d).Render(ctx, &tx); err != nil {
		return "", "", err
	}
	text := html.UnescapeString(tx.String())
	text = blankLines.ReplaceAllString(strings.TrimSpace(text), "\n\n") + "\n"
	return h.String(), text, nil
}

// RenderOutbox renders an outbox row's email in the language stored with
// it: the recipient's, never that of whoever caused the send.
func RenderOutbox(ctx context.Context, catalog *i18n.Catalog, kind, locale, data string) (subject, htmlPart, textPart string, err error) {
	e, err := account.DecodeEmail(kind, data)
	if err != nil {
		return "", "", "", err
	}
	ctx = i18n.With(ctx, catalog.Localizer(catalog.Match(locale)))
	d, err := EmailFor(ctx, e)
	if err != nil {
		return "", "", "", err
	}
	htmlPart, textPart, err = RenderEmail(ctx, d)
	return d.Subject, htmlPart, textPart, err
}

// RoleName is the message ID of an organisation role's name.
func RoleName(role string) string { return account.Role(role).MessageID() }

// roleOptions are the roles a select offers, in the page's language.
func roleOptions(ctx context.Context, roles []account.Role) []Option {
	out := make([]Option, 0, len(roles))
	for _, r := range roles {
		out = append(out, Option{Value: string(r), Label: t(ctx, r.MessageID())})
	}
	return out
}

// byOperator is the message id of the variant of an invitation's sentence
// id that names no inviter ("An administrator invited you…") when an
// operator sent it, else id itself.
func byOperator(id string, operator bool) string {
	if operator {
		return operatorVariants[id]
	}
	return id
}

// operatorVariants are the invitation's sentences that name the inviter,
// each with its variant for an operator's invitation.
var operatorVariants = map[string]string{
	"email.invitation.subject": "email.invitation.subject_by_operator",
	"email.invitation.body":    "email.invitation.body_by_operator",
	"invite.join.intro":        "invite.join.intro_by_operator",
	"invite.existing.body":     "invite.existing.body_by_operator",
	"invite.mine.item":         "invite.mine.item_by_operator",
}
