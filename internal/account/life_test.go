package account_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/logctx"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/token"
)

// view is the account as the pages see it.
func (e *env) view(email string) account.User {
	e.t.Helper()
	u, _, err := e.svc.Authenticate(e.ctx, e.session(email))
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) session(email string) string {
	e.t.Helper()
	raw, err := e.login(email, goodPW)
	if err != nil {
		e.t.Fatalf("login %s: %v", email, err)
	}
	return raw
}

// An email change proves the new address before anything changes: until
// the link is used the old address signs in and the new one does not; the
// link's check changes nothing; using it moves the account, tells the old
// address with a revert link, and keeps the sessions. The revert link then
// restores the old address, ends every session, voids the password and
// every other link, and hands over a recovery token.
func TestEmailChangeAndRevert(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		sess := e.session("ada@example.com")
		who := e.view("ada@example.com")

		if _, err := e.svc.RequestEmailChange(e.ctx, who, "ada@example.org", "wrong password entirely", meta); err == nil {
			t.Fatal("a wrong password was accepted")
		} else if errs := err.(account.FieldErrors); errs["current_password"].ID != "error.password.current_wrong" {
			t.Fatalf("wrong password: %v", errs)
		}
		if _, err := e.svc.RequestEmailChange(e.ctx, who, "Ada@Example.com", goodPW, meta); err == nil {
			t.Fatal("the current address was accepted as a new one")
		}
		sent, err := e.svc.RequestEmailChange(e.ctx, who, " Ada@Example.org ", goodPW, meta)
		if err != nil {
			t.Fatal(err)
		}
		if sent.Email != "ada@example.org" || sent.Binding == "" {
			t.Errorf("sent %+v", sent)
		}
		m := e.lastMail("ada@example.org", account.EmailChangeVerify)
		raw := e.tokenIn(m.data["Link"], "/account/email/confirm")
		if m.data["Code"] == "" {
			t.Error("the email carries no code")
		}
		// Nothing has changed yet.
		if _, err := e.login("ada@example.com", goodPW); err != nil {
			t.Errorf("the old address no longer signs in before the change: %v", err)
		}
		if _, err := e.login("ada@example.org", goodPW); err == nil {
			t.Error("the new address signs in before it is proven")
		}
		for range 3 {
			ch, err := e.svc.CheckEmailChange(e.ctx, account.EmailChange, raw)
			if err != nil || ch.From != "ada@example.com" || ch.To != "ada@example.org" {
				t.Fatalf("check: %+v %v", ch, err)
			}
		}
		if _, err := e.svc.ConfirmEmailChange(e.ctx, account.EmailChange, raw, meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ConfirmEmailChange(e.ctx, account.EmailChange, raw, meta); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("the link worked twice: %v", err)
		}
		if _, err := e.login("ada@example.com", goodPW); err == nil {
			t.Error("the old address still signs in")
		}
		if _, err := e.login("ada@example.org", goodPW); err != nil {
			t.Errorf("the new address does not sign in: %v", err)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, sess); err != nil {
			t.Errorf("the owner's session ended with the change: %v", err)
		}
		notice := e.lastMail("ada@example.com", account.EmailChanged)
		if notice.data["NewEmail"] != "ada@example.org" {
			t.Errorf("notice %v", notice.data)
		}
		revert := e.tokenIn(notice.data["RevertURL"], "/account/email/revert")
		until, _ := time.Parse(time.RFC3339, notice.data["RevertUntil"])
		if want := e.clk.Now().Add(7 * 24 * time.Hour); until.Sub(want).Abs() > time.Second {
			t.Errorf("revert link valid until %v, want 7 days (%v)", until, want)
		}
		// A reset link sent to the new address is void once reverted.
		reset := e.requestReset("ada@example.org")

		e.clk.Add(6 * 24 * time.Hour)
		ch, err := e.svc.CheckRevert(e.ctx, revert)
		if err != nil || ch.To != "ada@example.com" {
			t.Fatalf("check revert: %+v %v", ch, err)
		}
		_, recovery, err := e.svc.RevertEmailChange(e.ctx, revert, meta)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, sess); !errors.Is(err, account.ErrNoSession) {
			t.Errorf("a session survived the revert: %v", err)
		}
		for _, addr := range []string{"ada@example.com", "ada@example.org"} {
			if _, err := e.login(addr, goodPW); err == nil {
				t.Errorf("%s signs in with the password whoever changed the address knew", addr)
			}
		}
		if _, err := e.svc.CheckToken(e.ctx, account.Recovery, reset); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("a reset link to the other address survived: %v", err)
		}
		if _, _, err := e.svc.RevertEmailChange(e.ctx, revert, meta); !errors.Is(err, account.ErrInvalidToken) {
			t.Errorf("the revert link worked twice: %v", err)
		}
		if err := e.svc.Complete(e.ctx, account.Recovery, recovery, newPW, newPW, meta); err != nil {
			t.Fatalf("the recovery token handed over: %v", err)
		}
		if _, err := e.login("ada@example.com", newPW); err != nil {
			t.Errorf("the restored address does not sign in: %v", err)
		}
		kinds := e.kinds(e.user("ada@example.com").ID)
		for _, k := range []account.Event{account.EventEmailChangeRequested, account.EventEmailChanged, account.EventEmailChangeReverted} {
			if !contains(kinds, string(k)) {
				t.Errorf("trail %v lacks %s", kinds, k)
			}
		}
	})
}

// A revert link lives 7 days, no longer.
func TestRevertLinkExpires(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite), fastParams, 4)
	e.activate("ada@example.com", goodPW)
	if _, err := e.svc.RequestEmailChange(e.ctx, e.view("ada@example.com"), "ada@example.org", goodPW, meta); err != nil {
		t.Fatal(err)
	}
	raw := e.tokenIn(e.lastMail("ada@example.org", account.EmailChangeVerify).data["Link"], "/account/email/confirm")
	if _, err := e.svc.ConfirmEmailChange(e.ctx, account.EmailChange, raw, meta); err != nil {
		t.Fatal(err)
	}
	revert := e.tokenIn(e.lastMail("ada@example.com", account.EmailChanged).data["RevertURL"], "/account/email/revert")
	e.clk.Add(7*24*time.Hour + time.Minute)
	if _, _, err := e.svc.RevertEmailChange(e.ctx, revert, meta); !errors.Is(err, account.ErrInvalidToken) {
		t.Errorf("a revert link older than 7 days worked: %v", err)
	}
}

// A change to an address another account has is refused without the
// asker learning it: the same answer, the same trail, a code request that
// answers as any other; only that account's owner is told. The code of
// a free address works like its link.
func TestEmailChangeToATakenAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		e.activate("grace@example.com", goodPW)
		who := e.view("ada@example.com")
		before := len(e.kinds(who.ID))
		sent, err := e.svc.RequestEmailChange(e.ctx, who, "grace@example.com", goodPW, meta)
		if err != nil {
			t.Fatal(err)
		}
		if sent.Email != "grace@example.com" || sent.Binding == "" {
			t.Errorf("the answer differs: %+v", sent)
		}
		if k := e.kinds(who.ID); len(k) != before+1 || k[0] != string(account.EventEmailChangeRequested) {
			t.Errorf("the asker's trail reads %v", k)
		}
		m := e.lastMail("grace@example.com", account.EmailAddressInUse)
		if strings.Contains(m.Data, "token") || m.data["LoginURL"] == "" {
			t.Errorf("the owner's notice: %v", m.data)
		}
		if k := e.kinds(e.user("grace@example.com").ID); k[0] != string(account.EventEmailClaimRefused) {
			t.Errorf("the owner's trail reads %v", k)
		}
		_, _, err = e.svc.VerifyCode(e.ctx, account.EmailChange, sent.Binding, "123456", meta)
		var wrong *account.WrongCodeError
		if !errors.As(err, &wrong) {
			t.Errorf("a code for the refused change answered %v, want a wrong code like any", err)
		}
		if e.user("ada@example.com").Email != "ada@example.com" {
			t.Error("the account moved")
		}

		// The code of a free address is exchanged for a link token.
		sent, err = e.svc.RequestEmailChange(e.ctx, who, "ada@example.net", goodPW, meta)
		if err != nil {
			t.Fatal(err)
		}
		code := e.lastMail("ada@example.net", account.EmailChangeVerify).data["Code"]
		served, raw, err := e.svc.VerifyCode(e.ctx, account.EmailChange, sent.Binding, code, meta)
		if err != nil || served != account.EmailChange {
			t.Fatalf("code: %v %v", served, err)
		}
		// Another account takes the address before the click: refused.
		e.activate("ada@example.net", goodPW)
		if _, err := e.svc.ConfirmEmailChange(e.ctx, account.EmailChange, raw, meta); !errors.Is(err, account.ErrAddressTaken) {
			t.Errorf("confirming a taken address: %v", err)
		}
		if e.user("ada@example.com").ID != who.ID {
			t.Error("the account moved onto a taken address")
		}
	})
}

// "Send again" of a change goes to the address the owner's open request
// names, whatever the browser says it asked for.
func TestEmailChangeResendIgnoresTheCookie(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite), fastParams, 4)
	e.activate("ada@example.com", goodPW)
	who := e.view("ada@example.com")
	if _, err := e.svc.RequestEmailChange(e.ctx, who, "ada@example.org", goodPW, meta); err != nil {
		t.Fatal(err)
	}
	e.clk.Add(2 * time.Minute)
	m := meta
	m.Account = who.ID
	forged := account.Sent{Email: "mallory@example.net", At: e.clk.Now().Add(-time.Hour)}
	if _, err := e.svc.Resend(e.ctx, account.EmailChange, forged, m); err != nil {
		t.Fatal(err)
	}
	if got := e.mails("mallory@example.net"); len(got) != 0 {
		t.Fatalf("send again mailed the address the browser named: %v", got)
	}
	if got := e.mails("ada@example.org"); len(got) != 2 {
		t.Errorf("%d emails to the requested address, want 2", len(got))
	}
}

// Deleting the account asks for the password, then erases everything
// of the person in every table, in one transaction with the last email
// (which forgets its recipient once sent) and the user.deleted webhook;
// the audit trail keeps its events, naming nobody.
func TestDeleteAccountErasesEverything(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := config()
		cfg.Webhooks = true
		e := newEnvWith(t, st, fastParams, 4, cfg)
		reg := registration("zoe.erased@example.com")
		reg.Set("first_name", "Zoëquorra")
		reg.Set("last_name", "Vandersmythe")
		reg.Set("phone", "+44 20 7946 0111")
		if _, err := e.svc.Register(e.ctx, reg, meta); err != nil {
			t.Fatal(err)
		}
		raw := e.tokenIn(e.lastMail("zoe.erased@example.com", account.EmailActivation).data["Link"], "/activate")
		if err := e.svc.Complete(e.ctx, account.Activation, raw, goodPW, goodPW, meta); err != nil {
			t.Fatal(err)
		}
		e.activate("other@example.com", goodPW)
		sess := e.session("zoe.erased@example.com")
		who, current, err := e.svc.Authenticate(e.ctx, sess)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.login("zoe.erased@example.com", "not the password at all"); err == nil {
			t.Fatal("wrong password accepted")
		}
		if _, err := e.svc.Request(e.ctx, account.Recovery, "zoe.erased@example.com", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RequestEmailChange(e.ctx, who, "zoe.new@example.org", goodPW, meta); err != nil {
			t.Fatal(err)
		}
		// A passkey, named after the person, and a ceremony's challenge
		// still open: both go with the account, and the export lists the
		// passkey without its key.
		used := e.clk.Now().Truncate(time.Second)
		if err := st.AddPasskey(e.ctx, &store.Passkey{UserID: who.ID, CredentialID: "zoe-credential-id", PublicKey: "zoe-public-key",
			Name: "Zoëquorra's phone", CreatedAt: used, LastUsedAt: &used}); err != nil {
			t.Fatal(err)
		}
		if err := st.AddWebAuthnChallenge(e.ctx, &store.WebAuthnChallenge{Hash: "zoe-challenge", Ceremony: "register", UserID: &who.ID,
			Data: "{}", CreatedAt: used, ExpiresAt: used.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		x, err := e.svc.ExportData(e.ctx, who, current, meta)
		if err != nil {
			t.Fatal(err)
		}
		if x.Profile.Email != "zoe.erased@example.com" || len(x.Emails) == 0 || len(x.Sessions) != 1 || !x.Sessions[0].Current ||
			x.PendingEmailChange == nil || x.PendingEmailChange.NewEmail != "zoe.new@example.org" {
			t.Errorf("export %+v", x)
		}
		if len(x.Passkeys) != 1 || x.Passkeys[0].Name != "Zoëquorra's phone" || !x.Passkeys[0].CreatedAt.Equal(used) ||
			x.Passkeys[0].LastUsedAt == nil || !x.Passkeys[0].LastUsedAt.Equal(used) {
			t.Errorf("export passkeys %+v", x.Passkeys)
		}
		b, _ := json.Marshal(x)
		u := e.user("zoe.erased@example.com")
		for _, secret := range []string{u.PasswordHash, token.Hash(sess), sess, "$argon2id", "zoe-credential-id", "zoe-public-key"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("the export holds %q", secret)
			}
		}
		// Some mail was sent, with its delivery known.
		claimed, err := st.ClaimOutbox(e.ctx, e.clk.Now(), 100, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range claimed {
			if err := st.MarkOutboxSentWithIDs(e.ctx, []int64{r.ID}, []string{"msg-" + r.Kind}, e.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.AddDevMail(e.ctx, &store.DevMail{Sender: "g", Recipient: "zoe.erased@example.com", Subject: "Hello Zoëquorra",
			HTML: "Zoëquorra", Text: "Zoëquorra", CreatedAt: e.clk.Now()}, 100); err != nil {
			t.Fatal(err)
		}

		if err := e.svc.DeleteAccount(e.ctx, who, "wrong password entirely", meta); err == nil {
			t.Fatal("deleted with a wrong password")
		}
		if err := e.svc.DeleteAccount(e.ctx, who, goodPW, meta); err != nil {
			t.Fatal(err)
		}
		// The last email and the webhook are queued; send everything.
		last := e.lastMail("zoe.erased@example.com", account.EmailAccountDeleted)
		if !last.ForgetRecipient || strings.Contains(last.Data, "Zo") {
			t.Errorf("the last email %+v", last.OutboxMessage)
		}
		var hooks []string
		for _, q := range [][]store.OutboxMessage{must(st.ClaimOutbox(e.ctx, e.clk.Now(), 100, time.Minute)),
			must(store.Webhooks{Store: st}.ClaimOutbox(e.ctx, e.clk.Now(), 100, time.Minute))} {
			for _, r := range q {
				if r.Kind == store.KindWebhook {
					hooks = append(hooks, r.Data)
				}
				if err := st.MarkOutboxSent(e.ctx, r.ID, e.clk.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
		if n := len(hooks); n == 0 || !strings.Contains(hooks[n-1], `"type":"user.deleted"`) || !strings.Contains(hooks[n-1], u.PublicID) {
			t.Errorf("the last webhook is not user.deleted: %v", hooks)
		}
		for _, needle := range []string{"zoe.erased@example.com", "zoe.new@example.org", "Zoëquorra", "Vandersmythe",
			"+442079460111", "7946 0111", u.PublicID, logctx.EmailHash("zoe.erased@example.com"), logctx.EmailHash("zoe.new@example.org"),
			"zoe-credential-id", "zoe-public-key", "zoe-challenge"} {
			where, err := st.Mentions(e.ctx, needle)
			if err != nil {
				t.Fatal(err)
			}
			if len(where) > 0 {
				t.Errorf("%q is still in %v", needle, where)
			}
		}
		if refs, err := st.UserReferences(e.ctx, u.ID); err != nil || len(refs) > 0 {
			t.Errorf("rows of user %d remain in %v (%v)", u.ID, refs, err)
		}
		rows, err := st.ListAuditEvents(e.ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0].Kind != string(account.EventAccountDeleted) || rows[0].UserID != nil || rows[0].IP != "" {
			t.Errorf("the newest event is %+v", rows[0])
		}
		// The other account is untouched.
		if _, err := e.login("other@example.com", goodPW); err != nil {
			t.Errorf("another account was harmed: %v", err)
		}
	})
}

// The organisations' rule will plug into deletionBlocked; today nothing
// blocks, and CanDelete says so.
func TestCanDelete(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite), fastParams, 4)
	e.activate("ada@example.com", goodPW)
	if err := e.svc.CanDelete(e.ctx, e.view("ada@example.com")); err != nil {
		t.Errorf("CanDelete = %v", err)
	}
}

// The export is limited per account: the sixth within the hour is a 429.
func TestExportIsRateLimited(t *testing.T) {
	e := newEnv(t, storetest.Open(t, storetest.SQLite), fastParams, 4)
	e.activate("ada@example.com", goodPW)
	who, current, err := e.svc.Authenticate(e.ctx, e.session("ada@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range account.ExportLimit.Max {
		if _, err := e.svc.ExportData(e.ctx, who, current, meta); err != nil {
			t.Fatalf("export %d: %v", i+1, err)
		}
	}
	var limited *account.RateLimitedError
	if _, err := e.svc.ExportData(e.ctx, who, current, meta); !errors.As(err, &limited) {
		t.Errorf("export past the limit: %v", err)
	}
}

// The profile is edited with the sign-up form's checks; one session is
// ended by its id, and another account's id ends nothing.
func TestProfileAndOneSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		e.activate("ada@example.com", goodPW)
		e.activate("grace@example.com", goodPW)
		who := e.view("ada@example.com")
		r := account.ProfileForm(who)
		r.Set("first_name", "")
		r.Set("phone", "not a phone")
		err := e.svc.UpdateProfile(e.ctx, who, r, meta)
		errs, ok := err.(account.FieldErrors)
		if !ok || errs["first_name"].ID == "" || errs["phone"].ID == "" || len(errs) != 2 {
			t.Fatalf("UpdateProfile refused %v", err)
		}
		r = account.ProfileForm(who)
		r.Set("first_name", " Augusta ")
		r.Set("country", "de")
		r.Set("region", "DE-BE")
		r.Set("phone", "030 901820")
		if err := e.svc.UpdateProfile(e.ctx, who, r, meta); err != nil {
			t.Fatal(err)
		}
		u := e.user("ada@example.com")
		if u.FirstName != "Augusta" || u.Country != "DE" || u.Region != "DE-BE" || u.Phone != "+4930901820" || u.Email != "ada@example.com" {
			t.Errorf("profile stored as %+v", u)
		}
		if got := account.DisplayPhone(u.Phone); got != "+49 30 901820" {
			t.Errorf("DisplayPhone = %q", got)
		}

		other, _, err := e.svc.Authenticate(e.ctx, e.session("grace@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		_, graceSess, _ := e.svc.Authenticate(e.ctx, e.session("grace@example.com"))
		if err := e.svc.EndSession(e.ctx, who, graceSess.ID, meta); !errors.Is(err, account.ErrNoSession) {
			t.Errorf("ending another account's session: %v", err)
		}
		if _, err := st.SessionsByUser(e.ctx, other.ID, e.clk.Now(), time.Hour); err != nil {
			t.Fatal(err)
		}
		raw := e.session("ada@example.com")
		_, sess, _ := e.svc.Authenticate(e.ctx, raw)
		if err := e.svc.EndSession(e.ctx, who, sess.ID, meta); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, raw); !errors.Is(err, account.ErrNoSession) {
			t.Errorf("the ended session still works: %v", err)
		}
	})
}

// webhooks takes the webhook rows waiting in the outbox, oldest first, and
// marks them sent, so each call sees only what happened since the last.
func (e *env) webhooks() []account.Webhook {
	e.t.Helper()
	rows := must(store.Webhooks{Store: e.st}.ClaimOutbox(e.ctx, e.clk.Now(), 100, time.Minute))
	var out []account.Webhook
	for _, r := range rows {
		var h account.Webhook
		if err := json.Unmarshal([]byte(r.Data), &h); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, h)
		if err := e.st.MarkOutboxSent(e.ctx, r.ID, e.clk.Now()); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// The platform hears of a change (user.email_changed with the address it
// moved from) and of its undoing, with the sessions that ended.
func TestEmailChangeWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := config()
		cfg.Webhooks = true
		e := newEnvWith(t, st, fastParams, 4, cfg)
		e.activate("ada@example.com", goodPW)
		who := e.view("ada@example.com")
		hooks := e.webhooks
		hooks()
		if _, err := e.svc.RequestEmailChange(e.ctx, who, "ada@example.org", goodPW, meta); err != nil {
			t.Fatal(err)
		}
		if got := hooks(); len(got) != 0 {
			t.Errorf("a request alone told the platform %v", got)
		}
		raw := e.tokenIn(e.lastMail("ada@example.org", account.EmailChangeVerify).data["Link"], "/account/email/confirm")
		if _, err := e.svc.ConfirmEmailChange(e.ctx, account.EmailChange, raw, meta); err != nil {
			t.Fatal(err)
		}
		got := hooks()
		if len(got) != 1 || got[0].Type != account.WebhookEmailChanged || got[0].Data.Email != "ada@example.org" ||
			got[0].Data.PreviousEmail != "ada@example.com" || got[0].Data.UserID != who.PublicID {
			t.Errorf("after the change: %+v", got)
		}
		revert := e.tokenIn(e.lastMail("ada@example.com", account.EmailChanged).data["RevertURL"], "/account/email/revert")
		if _, _, err := e.svc.RevertEmailChange(e.ctx, revert, meta); err != nil {
			t.Fatal(err)
		}
		got = hooks()
		if len(got) != 2 || got[0].Type != account.WebhookEmailChanged || got[0].Data.Email != "ada@example.com" ||
			got[0].Data.PreviousEmail != "ada@example.org" || got[1].Type != account.WebhookSessionEnded || got[1].Data.Reason != account.EndedEmailRestored {
			t.Errorf("after the revert: %+v", got)
		}
	})
}

// An old address someone has signed up with since: a sign-up never
// activated (whoever made the change could start one to block the undo)
// gives way to the revert link, which proves the address; an account
// activated at it is its owner's, and the revert is refused, changing
// nothing.
func TestRevertToATakenAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, fastParams, 4)
		change := func(from, to string) string {
			t.Helper()
			if _, err := e.svc.RequestEmailChange(e.ctx, e.view(from), to, goodPW, meta); err != nil {
				t.Fatal(err)
			}
			raw := e.tokenIn(e.lastMail(to, account.EmailChangeVerify).data["Link"], "/account/email/confirm")
			if _, err := e.svc.ConfirmEmailChange(e.ctx, account.EmailChange, raw, meta); err != nil {
				t.Fatal(err)
			}
			return e.tokenIn(e.lastMail(from, account.EmailChanged).data["RevertURL"], "/account/email/revert")
		}
		e.activate("ada@example.com", goodPW)
		revert := change("ada@example.com", "ada@example.org")
		e.register("ada@example.com") // pending, never activated
		if _, _, err := e.svc.RevertEmailChange(e.ctx, revert, meta); err != nil {
			t.Fatalf("a pending sign-up blocked the revert: %v", err)
		}
		if u := e.user("ada@example.com"); u.ActivatedAt == nil {
			t.Error("the address went to the pending sign-up, not back to the account")
		}

		e.activate("grace@example.com", goodPW)
		revert = change("grace@example.com", "grace@example.org")
		sess := e.session("grace@example.org")
		e.activate("grace@example.com", goodPW) // its owner, proven
		if _, _, err := e.svc.RevertEmailChange(e.ctx, revert, meta); !errors.Is(err, account.ErrAddressTaken) {
			t.Fatalf("revert onto an activated account's address: %v", err)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, sess); err != nil {
			t.Errorf("a refused revert ended the session: %v", err)
		}
		if _, err := e.login("grace@example.org", goodPW); err != nil {
			t.Errorf("a refused revert changed the password: %v", err)
		}
	})
}
