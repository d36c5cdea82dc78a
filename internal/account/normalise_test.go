package account_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"gatehouse/internal/account"
	"gatehouse/internal/password"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
	"gatehouse/internal/token"
)

// decomposed is n distinct-looking letters, each typed as a base letter and
// a combining acute accent (as some keyboards and paste sources send
// them): 2n code points as typed, n after NFKC composes each pair.
func decomposed(n int, seed uint64) string {
	const bases = "aeiouycnszgklmprw" // all have a precomposed acute form
	r := rand.New(rand.NewPCG(seed, seed))
	var b strings.Builder
	for range n {
		b.WriteByte(bases[r.IntN(len(bases))])
		b.WriteRune('\u0301')
	}
	return b.String()
}

// Rules 14 and 17: a password's length is its NFKC length everywhere. One
// longer than MaxLength as typed but within it after NFKC is accepted when
// set, so it must also sign in and be accepted as the current password; one
// within MaxLength as typed but over it after NFKC is refused when set and
// at sign-in alike.
func TestPasswordLengthAfterNFKC(t *testing.T) {
	long := decomposed(200, 1) // 400 code points typed, 200 after NFKC
	if n, max := utf8.RuneCountInString(long), config().Policy.MaxLength; n <= max {
		t.Fatalf("test password has %d code points as typed, want over MaxLength %d", n, max)
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, password.DefaultParams, 4)
		e.activate("ada@example.com", long)
		sess, err := e.svc.Login(e.ctx, "ada@example.com", long, "", meta)
		if err != nil || !token.WellFormed(sess) {
			t.Fatalf("Login with the password just set = %q, %v; want a session", sess, err)
		}
		// The same password typed precomposed is the same password.
		if _, err := e.svc.Login(e.ctx, "ada@example.com", password.Normalize(long), "", meta); err != nil {
			t.Errorf("Login with the NFKC form of the password = %v; want a session", err)
		}
		u, cur, err := e.svc.Authenticate(e.ctx, sess)
		if err != nil {
			t.Fatal(err)
		}
		next := decomposed(210, 2)
		if err := e.svc.ChangePassword(e.ctx, u, cur, long, next, next, meta); err != nil {
			t.Fatalf("ChangePassword with the current password as set = %v", err)
		}
		if _, err := e.svc.Login(e.ctx, "ada@example.com", next, "", meta); err != nil {
			t.Errorf("Login with the changed password = %v; want a session", err)
		}

		// 200 ligatures: 200 code points typed, 400 after NFKC ("ﬀ" is "ff").
		lig := strings.Repeat("\ufb00", 200)
		raw := e.register("grace@example.com")
		err = e.svc.Complete(e.ctx, account.Activation, raw, lig, lig, meta)
		if fe, ok := err.(account.FieldErrors); !ok || fe["password"].ID != "error.password.too_long" {
			t.Errorf("setting %d ligatures = %v, want error.password.too_long", 200, err)
		}
		if _, err := e.svc.Login(e.ctx, "ada@example.com", lig, "", meta); err != account.ErrBadCredentials {
			t.Errorf("Login with a password too long after NFKC = %v, want ErrBadCredentials", err)
		}
	})
}
