package account_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/ratelimit"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// Every flow names all of its pages, and no two flows share a page or a
// cookie: the router registers each flow's paths as they are.
func TestFlowsAreComplete(t *testing.T) {
	seen := map[string]string{}
	names := map[string]bool{}
	for _, f := range account.Flows {
		if f.Name == "" || names[f.Name] {
			t.Errorf("flow %q: empty or repeated name", f.Name)
		}
		names[f.Name] = true
		p := reflect.ValueOf(f.Paths)
		for i := 0; i < p.NumField(); i++ {
			path := p.Field(i).String()
			field := p.Type().Field(i).Name
			if field == "Check" && path == "" && f.NewAddress {
				continue // no password, no checklist
			}
			if !strings.HasPrefix(path, "/") {
				t.Errorf("flow %s: Paths.%s = %q", f.Name, field, path)
			}
			if field == "Link" && path == f.Paths.Form {
				continue // the link may open the form's own path
			}
			if other, dup := seen[path]; dup && !(field == "Start" && strings.HasSuffix(other, ".Start")) {
				t.Errorf("flow %s: Paths.%s = %s is also %s", f.Name, field, path, other)
			}
			seen[path] = f.Name + "." + field
		}
		c := f.Copy
		if c.SentTitle == "" || c.SentBody == "" || c.FormTitle == "" || c.FormButton == "" || (c.FormConfirmed == "") == (c.FormIntro == "") {
			t.Errorf("flow %s: incomplete copy %+v", f.Name, c)
		}
		if f.Done.MessageID() == "" {
			t.Errorf("flow %s: Done notice %q has no message", f.Name, f.Done)
		}
	}
}

// A Service without a rate limiter is refused: it would enforce no limit
// at all without saying so.
func TestNewRequiresALimiter(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite)
	h := password.NewHasher(password.Params{Memory: 64, Time: 1, Threads: 1}, 1)
	if _, err := account.New(account.Deps{Store: st, Hasher: h}, config()); err == nil {
		t.Fatal("New without a Limiter succeeded")
	}
	if _, err := account.New(account.Deps{Store: st, Hasher: h, Limiter: &ratelimit.Limiter{Counter: st, Now: time.Now}}, config()); err != nil {
		t.Fatalf("New with a Limiter: %v", err)
	}
}

// Every email survives the outbox as the same value of its own type, and
// rows queued before emails were typed (every value a string) still read.
func TestEmailsRoundTrip(t *testing.T) {
	at := time.Date(2030, 1, 2, 9, 45, 0, 0, time.UTC)
	link := account.LinkEmail{FirstName: "Zoë", Link: "https://gatehouse.example/activate?token=x", Code: "012345", ExpiresAt: at}
	for _, e := range []account.Email{
		account.ActivationEmail{LinkEmail: link},
		account.ResetEmail{LinkEmail: link},
		account.AlreadyRegisteredEmail{FirstName: "Ada", LoginURL: "https://g.example/login", ResetURL: "https://g.example/password/forgot"},
		account.PasswordChangedEmail{FirstName: "Ada", Initial: true, ResetURL: "https://g.example/password/forgot", ChangedAt: at},
		account.EmailChangeEmail{LinkEmail: link},
		account.EmailChangedEmail{FirstName: "Ada", NewEmail: "ada@example.org", RevertURL: "https://g.example/account/email/revert?token=x",
			RevertUntil: at, ChangedAt: at, Device: "Firefox on Linux", IP: "192.0.2.1"},
		account.AddressInUseEmail{FirstName: "Ada", LoginURL: "https://g.example/login", ResetURL: "https://g.example/password/forgot", At: at},
		account.AccountDeletedEmail{DeletedAt: at},
	} {
		data, err := account.EncodeEmail(e)
		if err != nil {
			t.Fatal(err)
		}
		back, err := account.DecodeEmail(e.Kind(), data)
		if err != nil {
			t.Fatalf("%s: %v", e.Kind(), err)
		}
		if !reflect.DeepEqual(back, e) {
			t.Errorf("%s: %#v came back as %#v", e.Kind(), e, back)
		}
	}
	old := `{"FirstName":"Ada","Initial":"true","ResetURL":"u","ChangedAt":"2030-01-02T09:45:00Z"}`
	e, err := account.DecodeEmail(account.EmailPasswordChanged, old)
	if err != nil {
		t.Fatal(err)
	}
	if pc := e.(account.PasswordChangedEmail); !pc.Initial || !pc.ChangedAt.Equal(at) {
		t.Errorf("old password_changed row read as %+v", pc)
	}
	if _, err := account.DecodeEmail("bogus", "{}"); err == nil {
		t.Error("unknown kind decoded")
	}
}

// Every audit event that is declared is recorded somewhere in the flows
// and has a name on the account page: a constant no code writes is a
// promise the trail does not keep.
func TestEveryEventIsRecorded(t *testing.T) {
	uses := map[string]int{}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "events.go" {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && strings.HasPrefix(id.Name, "Event") {
				uses[id.Name]++
			}
			return true
		})
	}
	if len(uses) == 0 {
		t.Fatal("found no use of any event: is the test in the package folder?")
	}
	names := map[account.Event]string{
		account.EventRegistered: "EventRegistered", account.EventRegisterExists: "EventRegisterExists",
		account.EventActivated: "EventActivated", account.EventLoginOK: "EventLoginOK",
		account.EventLoginFailed: "EventLoginFailed", account.EventLogout: "EventLogout",
		account.EventResetRequested: "EventResetRequested", account.EventPasswordReset: "EventPasswordReset",
		account.EventSessionsRevoked: "EventSessionsRevoked", account.EventPasswordChanged: "EventPasswordChanged",
		account.EventDisabledByOperator: "EventDisabledByOperator", account.EventEnabledByOperator: "EventEnabledByOperator",
		account.EventDeletedByOperator:          "EventDeletedByOperator",
		account.EventActivationResentByOperator: "EventActivationResentByOperator",
		account.EventSessionsEndedByOperator:    "EventSessionsEndedByOperator",
		account.EventUnlockedByOperator:         "EventUnlockedByOperator",
		account.EventTwoStepOn:                  "EventTwoStepOn", account.EventTwoStepOff: "EventTwoStepOff",
		account.EventTwoStepFailed: "EventTwoStepFailed", account.EventRecoveryCodeUsed: "EventRecoveryCodeUsed",
		account.EventTwoStepRemovedByOperator:    "EventTwoStepRemovedByOperator",
		account.EventRecoveryCodesRenewed:        "EventRecoveryCodesRenewed",
		account.EventEmailChangeRequested:        "EventEmailChangeRequested",
		account.EventEmailChanged:                "EventEmailChanged",
		account.EventEmailChangeReverted:         "EventEmailChangeReverted",
		account.EventEmailClaimRefused:           "EventEmailClaimRefused",
		account.EventProfileUpdated:              "EventProfileUpdated",
		account.EventSessionEnded:                "EventSessionEnded",
		account.EventDataExported:                "EventDataExported",
		account.EventAccountDeleted:              "EventAccountDeleted",
		account.EventPasskeyAdded:                "EventPasskeyAdded",
		account.EventPasskeyRenamed:              "EventPasskeyRenamed",
		account.EventPasskeyRemoved:              "EventPasskeyRemoved",
		account.EventPasskeySignIn:               "EventPasskeySignIn",
		account.EventPasskeyCloneWarning:         "EventPasskeyCloneWarning",
		account.EventInvitationSent:              "EventInvitationSent",
		account.EventInvitationAccepted:          "EventInvitationAccepted",
		account.EventInvitationDeclined:          "EventInvitationDeclined",
		account.EventAwaitingApproval:            "EventAwaitingApproval",
		account.EventApprovedByOperator:          "EventApprovedByOperator",
		account.EventDeclinedByOperator:          "EventDeclinedByOperator",
		account.EventOperatorGranted:             "EventOperatorGranted",
		account.EventOperatorRevoked:             "EventOperatorRevoked",
		account.EventPasswordConfirmed:           "EventPasswordConfirmed",
		account.EventMailRetriedByOperator:       "EventMailRetriedByOperator",
		account.EventSuppressionLiftedByOperator: "EventSuppressionLiftedByOperator",
		account.EventAuditExported:               "EventAuditExported",
		account.EventOrgChangedByOperator:        "EventOrgChangedByOperator",
	}
	if len(names) != len(account.Events) {
		t.Fatalf("this test knows %d events, the package lists %d", len(names), len(account.Events))
	}
	for _, e := range account.Events {
		if uses[names[e]] == 0 {
			t.Errorf("%s is declared but never recorded", names[e])
		}
		if e.MessageID() == "" {
			t.Errorf("%s has no message", names[e])
		}
	}
}

// Completing a flow voids every outstanding link and code of the account,
// of every flow (SECURITY.md rules 7 and 9): a code the owner's browser
// asked for before the password was set cannot set another one.
func TestCompletionVoidsCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 4)
		e.activate("ada@example.com", goodPW)

		sent, err := e.svc.Request(e.ctx, account.Recovery, "ada@example.com", meta)
		if err != nil {
			t.Fatal(err)
		}
		m := e.lastMail("ada@example.com", account.EmailReset)
		code := m.data["Code"]
		if code == "" {
			t.Fatal("the reset email carries no code")
		}
		// The owner opens the link of the same email instead.
		raw := e.tokenIn(m.data["Link"], "/password/reset")
		if err := e.svc.Complete(e.ctx, account.Recovery, raw, newPW, newPW, meta); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.VerifyCode(e.ctx, account.Recovery, sent.Binding, code, meta)
		var wrong *account.WrongCodeError
		if !errors.As(err, &wrong) && !errors.Is(err, account.ErrCodeExpired) {
			t.Fatalf("VerifyCode(code from before the reset) = %v, want it refused", err)
		}
	})
}

// Signing up again with a pending address re-sends the link but keeps
// what the first sign-up entered: the details belong to whoever proves
// the address, and a stranger cannot rewrite them or the greeting of the
// next email.
func TestPendingProfileIsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.Params{Memory: 64, Time: 1, Threads: 1}, 4)
		e.register("ada@example.com")
		r := registration("ada@example.com")
		r.Set("first_name", "Mallory")
		r.Set("company", "Evil Corp")
		if _, err := e.svc.Register(e.ctx, r, meta); err != nil {
			t.Fatal(err)
		}
		if u := e.user("ada@example.com"); u.FirstName != "Ada" || u.Company != "Analytical Engines Ltd" {
			t.Errorf("a second sign-up rewrote the pending profile: %q, %q", u.FirstName, u.Company)
		}
		if m := e.lastMail("ada@example.com", account.EmailActivation); m.data["FirstName"] != "Ada" {
			t.Errorf("the re-sent email greets %q", m.data["FirstName"])
		}
	})
}

// Names and company travel into emails sent to any address: no links in
// them, and no characters that change how they read without being seen.
func TestNamesCarryNoLinksOrInvisibleCharacters(t *testing.T) {
	for _, tc := range []struct {
		field, value string
		refused      bool
		kept         string
	}{
		{"first_name", "Verify at https://evil.example now", true, ""},
		{"first_name", "see www.evil.example", true, ""},
		{"last_name", "evil.example", true, ""},
		{"last_name", "Go to evil.com/login", true, ""},
		{"company", "http://evil.example", true, ""},
		{"company", "Booking.com", false, "Booking.com"},
		{"first_name", "Ada\u202e", false, "Ada"},
		{"first_name", "A\u200bda", false, "Ada"},
		{"last_name", "\u2066Love\u2069lace\ufeff", false, "Lovelace"},
		{"first_name", "J.R.R.", false, "J.R.R."},
		{"first_name", "مهر\u200cناز", false, "مهر\u200cناز"}, // Persian keeps its ZWNJ
		{"first_name", "Zoë", false, "Zoë"},
	} {
		r := registration("ada@example.com")
		r.Set(tc.field, tc.value)
		r.Normalize()
		_, bad := r.CheckField(tc.field)
		if bad != tc.refused {
			t.Errorf("%s %q: refused = %v, want %v", tc.field, tc.value, bad, tc.refused)
		}
		if !tc.refused && r.Get(tc.field) != tc.kept {
			t.Errorf("%s %q kept as %q, want %q", tc.field, tc.value, r.Get(tc.field), tc.kept)
		}
	}
}
