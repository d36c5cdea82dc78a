package account

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"gatehouse/internal/i18n"
	"gatehouse/internal/logctx"
	"gatehouse/internal/paths"
	"gatehouse/internal/returnto"
	"gatehouse/internal/store"
	"gatehouse/internal/token"
)

// Passkeys are WebAuthn credentials, through go-webauthn: the library does
// every check of the ceremonies; this file keeps their state (server-side,
// single use, short-lived and bound to the browser that began them) and
// the credentials.

// Lifetimes of the passkey ceremonies.
const (
	// PasskeyChallengeTTL is how long a begun ceremony can be finished;
	// it is also the timeout the browser is given.
	PasskeyChallengeTTL = 5 * time.Minute
	// PasskeyEnrolTTL is how long, after a password is set, the offer to
	// add a passkey before signing in stays open.
	PasskeyEnrolTTL = 15 * time.Minute
	// MaxPasskeyName is the longest name a passkey can be given, in
	// characters.
	MaxPasskeyName = 64
	// maxPasskeys is how many passkeys one account may hold.
	maxPasskeys = 20
	// passkeyBeginsPerSignIn is how many sign-in ceremonies a client may
	// begin for each sign-in attempt RATE_LIMIT_LOGIN_PER_IP allows it:
	// every visit of the sign-in page begins one (the autofill request),
	// and each leaves a row until it expires.
	passkeyBeginsPerSignIn = 4
)

// ErrPasskeysOff means the deployment has no relying party id (an IP
// address in BASE_URL and no WEBAUTHN_RP_ID), so passkeys cannot work.
var ErrPasskeysOff = errors.New("account: passkeys are off")

// ErrPasskeyFailed covers every passkey registration that did not go
// through: an expired, used or foreign challenge, a response the library
// refused, a credential already registered.
var ErrPasskeyFailed = errors.New("account: passkey not added")

// ErrNoPasskey is a passkey that is not the user's, or not at all.
var ErrNoPasskey = errors.New("account: no such passkey")

// ErrNoEnrolment means the browser holds no open offer to add a passkey.
var ErrNoEnrolment = errors.New("account: no passkey offer")

// ErrLastSignInMethod refuses to remove the only way left to sign in.
var ErrLastSignInMethod = errors.New("account: the last way to sign in")

// Passkey is one credential as the account page shows it.
type Passkey struct {
	ID         int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	// Synced is a passkey the authenticator may back up or sync
	// (backup eligible): a password manager's, a phone's.
	Synced bool
	// Method is what a sign-in with it records: hwk or swk.
	Method Method
}

func passkeyView(p *store.Passkey) Passkey {
	return Passkey{ID: p.ID, Name: p.Name, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt, Synced: p.BackupEligible, Method: passkeyMethod(p.BackupEligible)}
}

// passkeyMethod is the RFC 8176 method a passkey proves. A key the
// authenticator may back up or sync (the backup-eligible flag, which a
// passkey keeps for life) lives in software that can copy it to other
// devices: "swk". One that is device-bound (a security key, a platform
// authenticator that never exports it) is "hwk". Attestation would say
// more, but passkeys are registered with none, as browsers advise.
func passkeyMethod(backupEligible bool) Method {
	if backupEligible {
		return MethodSoftwareKey
	}
	return MethodHardwareKey
}

// Ceremony is a begun passkey ceremony: the options for
// navigator.credentials (JSON, as go-webauthn writes them) and the secret
// the browser keeps in a cookie to finish it.
type Ceremony struct {
	Options json.RawMessage
	Binding string
}

// PasskeySignIn is a finished passkey sign-in: the session token and the
// deep link kept with the challenge.
type PasskeySignIn struct {
	Session  string
	ReturnTo string
	Methods  Methods
}

// newRelyingParty makes the WebAuthn relying party of the deployment: its
// id is rpID or BASE_URL's host, its one origin BASE_URL's. It returns nil
// (passkeys off) for an IP address with no rpID, which no browser accepts.
func newRelyingParty(base *url.URL, rpID string) (*webauthn.WebAuthn, error) {
	host := strings.ToLower(base.Hostname())
	if rpID == "" {
		if net.ParseIP(host) != nil {
			return nil, nil
		}
		rpID = host
	}
	if host != rpID && !strings.HasSuffix(host, "."+rpID) {
		return nil, fmt.Errorf("account: passkey relying party %q is neither the host of %s nor a parent domain of it", rpID, base)
	}
	rk := true
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          rpID,
		RPDisplayName: "Gatehouse",
		RPOrigins:     []string{base.Scheme + "://" + base.Host},
		// Discoverable credentials with user verification: a passkey
		// names its account (sign-in without an address) and is two
		// factors by itself, so a passkey sign-in needs no second step.
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: &rk,
			UserVerification: protocol.VerificationRequired,
		},
		AttestationPreference: protocol.PreferNoAttestation,
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: PasskeyChallengeTTL, TimeoutUVD: PasskeyChallengeTTL},
			Registration: webauthn.TimeoutConfig{Timeout: PasskeyChallengeTTL, TimeoutUVD: PasskeyChallengeTTL},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("account: passkeys: %w", err)
	}
	return wa, nil
}

// PasskeysOn reports whether passkeys work in this deployment.
func (s *Service) PasskeysOn() bool { return s.rp != nil }

// RelyingPartyID is the passkeys' relying party id ("" when off).
func (s *Service) RelyingPartyID() string {
	if s.rp == nil {
		return ""
	}
	return s.rp.Config.RPID
}

// waUser is an account as go-webauthn sees it. The user handle is the
// account's public id: random, stable and already what the platform knows
// the person by, so it says nothing an authenticator should not hold.
type waUser struct {
	u     *store.User
	creds []webauthn.Credential
}

func (w *waUser) WebAuthnID() []byte   { return []byte(w.u.PublicID) }
func (w *waUser) WebAuthnName() string { return w.u.Email }
func (w *waUser) WebAuthnDisplayName() string {
	return strings.TrimSpace(w.u.FirstName + " " + w.u.LastName)
}
func (w *waUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

var b64 = base64.RawURLEncoding

// credential rebuilds the library's record from a stored passkey.
func credential(p *store.Passkey) (webauthn.Credential, error) {
	id, err := b64.DecodeString(p.CredentialID)
	if err != nil {
		return webauthn.Credential{}, fmt.Errorf("account: passkey %d id: %w", p.ID, err)
	}
	pk, err := b64.DecodeString(p.PublicKey)
	if err != nil {
		return webauthn.Credential{}, fmt.Errorf("account: passkey %d key: %w", p.ID, err)
	}
	flags := protocol.FlagUserPresent
	if p.UserVerified {
		flags |= protocol.FlagUserVerified
	}
	if p.BackupEligible {
		flags |= protocol.FlagBackupEligible
	}
	if p.BackupState {
		flags |= protocol.FlagBackupState
	}
	var transports []protocol.AuthenticatorTransport
	for _, t := range strings.Split(p.Transports, ",") {
		if t != "" {
			transports = append(transports, protocol.AuthenticatorTransport(t))
		}
	}
	var aaguid []byte
	if g, err := uuid.Parse(p.AAGUID); err == nil {
		aaguid = g[:]
	}
	return webauthn.Credential{ID: id, PublicKey: pk, AttestationType: p.AttestationType, AttestationFormat: p.AttestationFormat,
		Transport: transports, Flags: webauthn.NewCredentialFlags(flags),
		Authenticator: webauthn.Authenticator{AAGUID: aaguid, SignCount: uint32(p.SignCount), CloneWarning: p.CloneWarning,
			Attachment: protocol.AuthenticatorAttachment(p.Attachment)}}, nil
}

func (s *Service) webauthnUser(ctx context.Context, u *store.User) (*waUser, []store.Passkey, error) {
	list, err := s.store.PasskeysByUser(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	w := &waUser{u: u}
	for i := range list {
		c, err := credential(&list[i])
		if err != nil {
			return nil, nil, err
		}
		w.creds = append(w.creds, c)
	}
	return w, list, nil
}

// challengeData is what a stored challenge holds besides the library's
// session data: for an enrolment grant, where the person goes next.
type challengeData struct {
	Session  *webauthn.SessionData `json:"session,omitempty"`
	ReturnTo string                `json:"return_to,omitempty"`
	Flow     string                `json:"flow,omitempty"`
}

// saveChallenge stores a ceremony's state under a fresh browser secret.
func (s *Service) saveChallenge(ctx context.Context, ceremony string, userID int64, d challengeData, ttl time.Duration) (string, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("account: passkey challenge: %w", err)
	}
	raw, hash := token.New()
	now := s.now()
	c := &store.WebAuthnChallenge{Hash: hash, Ceremony: ceremony, Data: string(data), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if userID != 0 {
		c.UserID = &userID
	}
	if err := s.store.AddWebAuthnChallenge(ctx, c); err != nil {
		return "", err
	}
	return raw, nil
}

// takeChallenge uses up the browser's challenge of that ceremony; a
// missing, used, expired or other browser's challenge is ErrNotFound.
func (s *Service) takeChallenge(ctx context.Context, tx *store.Store, binding, ceremony string) (*store.WebAuthnChallenge, challengeData, error) {
	if !token.WellFormed(binding) {
		return nil, challengeData{}, store.ErrNotFound
	}
	c, err := tx.ConsumeWebAuthnChallenge(ctx, token.Hash(binding), ceremony, s.now())
	if err != nil {
		return nil, challengeData{}, err
	}
	var d challengeData
	if err := json.Unmarshal([]byte(c.Data), &d); err != nil || (ceremony != store.CeremonyEnrol && d.Session == nil) {
		return nil, challengeData{}, fmt.Errorf("account: stored passkey challenge unreadable: %v", err)
	}
	return c, d, nil
}

// BeginPasskeyRegistration starts adding a passkey to userID's account
// (the signed-in user, or the one an enrolment grant names): the options
// exclude the passkeys it has, so one authenticator is not added twice.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, userID int64) (Ceremony, error) {
	if s.rp == nil {
		return Ceremony{}, ErrPasskeysOff
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return Ceremony{}, err
	}
	w, _, err := s.webauthnUser(ctx, u)
	if err != nil {
		return Ceremony{}, err
	}
	creation, sess, err := s.rp.BeginRegistration(w, webauthn.WithExclusions(webauthn.Credentials(w.creds).CredentialDescriptors()),
		webauthn.WithExtensions(webauthn.WithExtensionCredProps()))
	if err != nil {
		return Ceremony{}, fmt.Errorf("account: begin passkey registration: %w", err)
	}
	opts, err := json.Marshal(creation)
	if err != nil {
		return Ceremony{}, err
	}
	binding, err := s.saveChallenge(ctx, store.CeremonyRegister, u.ID, challengeData{Session: sess}, PasskeyChallengeTTL)
	if err != nil {
		return Ceremony{}, err
	}
	return Ceremony{Options: opts, Binding: binding}, nil
}

// FinishPasskeyRegistration checks the browser's answer (body, the
// credential as JSON) to the challenge its binding names, which must have
// been begun for userID, and stores the passkey. The challenge is used up
// whatever the outcome. Its name defaults to what made it (a known
// password manager or platform) or the browser and system.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, userID int64, binding string, body []byte, m Meta) (Passkey, error) {
	if s.rp == nil {
		return Passkey{}, ErrPasskeysOff
	}
	log := logctx.From(ctx).With("user_id", userID)
	c, d, err := s.takeChallenge(ctx, s.store, binding, store.CeremonyRegister)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (c.UserID == nil || *c.UserID != userID)) {
		log.InfoContext(ctx, "passkey registration refused", "reason", "challenge")
		return Passkey{}, ErrPasskeyFailed
	}
	if err != nil {
		return Passkey{}, err
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return Passkey{}, err
	}
	if u.Status != store.UserActive {
		return Passkey{}, ErrPasskeyFailed
	}
	w, existing, err := s.webauthnUser(ctx, u)
	if err != nil {
		return Passkey{}, err
	}
	if len(existing) >= maxPasskeys {
		log.InfoContext(ctx, "passkey registration refused", "reason", "too many")
		return Passkey{}, ErrPasskeyFailed
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(body)
	if err != nil {
		log.InfoContext(ctx, "passkey registration refused", "reason", "unparsable", "err", err)
		return Passkey{}, ErrPasskeyFailed
	}
	cred, err := s.rp.CreateCredential(w, *d.Session, parsed)
	if err != nil {
		log.InfoContext(ctx, "passkey registration refused", "reason", "invalid", "err", err)
		return Passkey{}, ErrPasskeyFailed
	}
	now := s.now()
	var transports []string
	for _, t := range cred.Transport {
		transports = append(transports, string(t))
	}
	p := &store.Passkey{UserID: u.ID, CredentialID: b64.EncodeToString(cred.ID), PublicKey: b64.EncodeToString(cred.PublicKey),
		SignCount: int64(cred.Authenticator.SignCount), Transports: clip(strings.Join(transports, ","), 200),
		UserVerified: cred.Flags.UserVerified, BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState,
		AttestationType: clip(cred.AttestationType, 32), AttestationFormat: clip(cred.AttestationFormat, 32),
		Attachment: clip(string(cred.Authenticator.Attachment), 32), AAGUID: aaguidString(cred.Authenticator.AAGUID),
		CreatedAt: now}
	p.Name = defaultPasskeyName(p.AAGUID, m.UserAgent)
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if _, err := tx.PasskeyByCredentialID(ctx, p.CredentialID); err == nil {
			return ErrPasskeyFailed // already someone's (excluded, so a forged answer)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := tx.AddPasskey(ctx, p); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, u.ID, EventPasskeyAdded, m); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookPasskeyAdded, u.PublicID, u.Email, WebhookData{}); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, u.Email, u.Locale, PasskeyAddedEmail{PasskeyEmail: s.passkeyEmail(u, p.Name, now, m)})
	})
	if errors.Is(err, ErrPasskeyFailed) {
		log.InfoContext(ctx, "passkey registration refused", "reason", "duplicate")
		return Passkey{}, err
	}
	if err != nil {
		return Passkey{}, err
	}
	s.queued()
	log.InfoContext(ctx, "passkey added", "passkey_id", p.ID, "backup_eligible", p.BackupEligible)
	return passkeyView(p), nil
}

func (s *Service) passkeyEmail(u *store.User, name string, at time.Time, m Meta) PasskeyEmail {
	return PasskeyEmail{FirstName: u.FirstName, LastName: u.LastName, TimeZone: u.TimeZone, Passkey: name, Device: DeviceName(m.UserAgent), IP: m.IP,
		At: at.Truncate(time.Second), AccountURL: s.link(paths.Account, "", u.Locale), ResetURL: s.link(paths.PasswordForgot, "", u.Locale)}
}

func aaguidString(b []byte) string {
	g, err := uuid.FromBytes(b)
	if err != nil {
		return ""
	}
	return g.String()
}

// knownAuthenticators name the passkey providers whose AAGUID is well
// known, so a new passkey's default name says where it lives.
var knownAuthenticators = map[string]string{
	"ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4": "Google Password Manager",
	"adce0002-35bc-c60a-648b-0b25f1f05503": "Chrome on Mac",
	"fbfc3007-154e-4ecc-8c0b-6e020557d7bd": "iCloud Keychain",
	"dd4ec289-e01d-41c9-bb89-70fa845d4bf2": "iCloud Keychain",
	"08987058-cadc-4b81-b6e1-30de50dcbe96": "Windows Hello",
	"9ddd1817-af5a-4672-a2b9-3e3dd95000a9": "Windows Hello",
	"6028b017-b1d4-4c02-b4b3-afcdafc96bb2": "Windows Hello",
	"bada5566-a7aa-401f-bd96-45619a55120d": "1Password",
	"d548826e-79b4-db40-a3d8-11116f7e8349": "Bitwarden",
}

// defaultPasskeyName names a new passkey by its provider when the AAGUID
// says it, else by the browser and system that added it.
func defaultPasskeyName(aaguid, userAgent string) string {
	if n, ok := knownAuthenticators[aaguid]; ok {
		return n
	}
	return clipRunes(DeviceName(userAgent), MaxPasskeyName)
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// BeginPasskeySignIn starts a sign-in with a discoverable passkey: no
// address asked, the authenticator offers the passkeys it holds for this
// site. conditional asks for the browser's autofill (mediation
// "conditional") rather than a dialog. returnTo is kept with the challenge.
// Beginning is limited per client IP (passkeyBeginsPerSignIn times the
// sign-in limit), as every ceremony leaves a row until it expires.
func (s *Service) BeginPasskeySignIn(ctx context.Context, conditional bool, returnTo string, m Meta) (Ceremony, error) {
	if s.rp == nil {
		return Ceremony{}, ErrPasskeysOff
	}
	rule := s.cfg.Limits.LoginPerIP
	rule.Max *= passkeyBeginsPerSignIn
	if err := s.allow(ctx, "passkey_begin_ip", check{"passkey:begin:ip:" + s.cfg.Limits.ipKey(m.IP), rule}); err != nil {
		return Ceremony{}, err
	}
	mediation := protocol.MediationDefault
	if conditional {
		mediation = protocol.MediationConditional
	}
	assertion, sess, err := s.rp.BeginDiscoverableMediatedLogin(mediation, webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return Ceremony{}, fmt.Errorf("account: begin passkey sign-in: %w", err)
	}
	opts, err := json.Marshal(assertion)
	if err != nil {
		return Ceremony{}, err
	}
	binding, err := s.saveChallenge(ctx, store.CeremonyLogin, 0, challengeData{Session: sess, ReturnTo: returnto.Clean(returnTo)}, PasskeyChallengeTTL)
	if err != nil {
		return Ceremony{}, err
	}
	return Ceremony{Options: opts, Binding: binding}, nil
}

// FinishPasskeySignIn checks the browser's assertion against the challenge
// its binding names and opens a session, ending the one the browser had
// (previous). Like Login, it counts against the per-IP sign-in limit and
// every refusal is ErrBadCredentials: an unknown passkey, a bad signature,
// a disabled or pending account, a used, expired or other browser's
// challenge, and a signature counter that went backwards (a cloned
// authenticator, as go-webauthn reports it). A passkey with user
// verification is a strong sign-in by itself: no second step follows.
func (s *Service) FinishPasskeySignIn(ctx context.Context, binding string, body []byte, previous string, m Meta) (PasskeySignIn, error) {
	if s.rp == nil {
		return PasskeySignIn{}, ErrPasskeysOff
	}
	log := logctx.From(ctx)
	if err := s.allow(ctx, "login_ip", check{"login:ip:" + s.cfg.Limits.ipKey(m.IP), s.cfg.Limits.LoginPerIP}); err != nil {
		return PasskeySignIn{}, err
	}
	_, d, err := s.takeChallenge(ctx, s.store, binding, store.CeremonyLogin)
	if errors.Is(err, store.ErrNotFound) {
		log.InfoContext(ctx, "passkey sign-in failed", "reason", "challenge")
		return PasskeySignIn{}, ErrBadCredentials
	}
	if err != nil {
		return PasskeySignIn{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(body)
	if err != nil {
		log.InfoContext(ctx, "passkey sign-in failed", "reason", "unparsable", "err", err)
		return PasskeySignIn{}, ErrBadCredentials
	}
	var (
		u   *store.User
		row *store.Passkey
	)
	var lookupErr error
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		p, err := s.store.PasskeyByCredentialID(ctx, b64.EncodeToString(rawID))
		if err != nil {
			lookupErr = err
			return nil, err
		}
		owner, err := s.store.UserByID(ctx, p.UserID)
		if err != nil {
			lookupErr = err
			return nil, err
		}
		if owner.Status != store.UserActive || string(userHandle) != owner.PublicID {
			lookupErr = store.ErrNotFound
			return nil, errors.New("not an active owner")
		}
		c, err := credential(p)
		if err != nil {
			lookupErr = err
			return nil, err
		}
		u, row = owner, p
		return &waUser{u: owner, creds: []webauthn.Credential{c}}, nil
	}
	_, cred, err := s.rp.ValidatePasskeyLogin(handler, *d.Session, parsed)
	if lookupErr != nil && !errors.Is(lookupErr, store.ErrNotFound) {
		return PasskeySignIn{}, lookupErr
	}
	if err != nil {
		if u != nil {
			if aerr := s.audit(ctx, s.store, u.ID, EventLoginFailed, m); aerr != nil {
				return PasskeySignIn{}, aerr
			}
			log.InfoContext(ctx, "passkey sign-in failed", "reason", "invalid", "user_id", u.ID, "err", err)
		} else {
			log.InfoContext(ctx, "passkey sign-in failed", "reason", "unknown passkey or account", "err", err)
		}
		return PasskeySignIn{}, ErrBadCredentials
	}
	now := s.now()
	if cred.Authenticator.CloneWarning {
		// The counter went backwards: two copies of one key exist. The
		// passkey is marked and refused until its owner removes it.
		row.CloneWarning = true
		err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := tx.MarkPasskeyCloned(ctx, row.ID); err != nil {
				return err
			}
			return s.audit(ctx, tx, u.ID, EventPasskeyCloneWarning, m)
		})
		if err != nil {
			return PasskeySignIn{}, err
		}
		log.WarnContext(ctx, "passkey sign-in failed", "reason", "sign count went backwards", "user_id", u.ID, "passkey_id", row.ID)
		return PasskeySignIn{}, ErrBadCredentials
	}
	if row.CloneWarning {
		log.WarnContext(ctx, "passkey sign-in failed", "reason", "passkey marked cloned", "user_id", u.ID, "passkey_id", row.ID)
		return PasskeySignIn{}, ErrBadCredentials
	}
	row.SignCount = int64(cred.Authenticator.SignCount)
	row.BackupState = cred.Flags.BackupState
	// User verification is required of every passkey ceremony (the
	// library refuses an assertion without it), so "user" always joins
	// the key's method, and the session's auth_time is now.
	methods := methodsOf(passkeyMethod(cred.Flags.BackupEligible), MethodUserVerified)
	var raw string
	err = s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.UsePasskey(ctx, row, now); err != nil {
			return err
		}
		var hash string
		var err error
		if raw, hash, err = s.openSession(ctx, tx, u, previous, methods, m); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookSignedIn, u.PublicID, u.Email, WebhookData{SessionID: sessionPublicID(hash)}); err != nil {
			return err
		}
		return s.audit(ctx, tx, u.ID, EventPasskeySignIn, m)
	})
	if err != nil {
		return PasskeySignIn{}, err
	}
	log.InfoContext(ctx, "passkey sign-in ok", "user_id", u.ID, "passkey_id", row.ID, "amr", methods.String())
	return PasskeySignIn{Session: raw, ReturnTo: d.ReturnTo, Methods: methods}, nil
}

// Passkeys lists the user's passkeys, oldest first.
func (s *Service) Passkeys(ctx context.Context, u User) ([]Passkey, error) {
	list, err := s.store.PasskeysByUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Passkey, len(list))
	for i := range list {
		out[i] = passkeyView(&list[i])
	}
	return out, nil
}

// CheckPasskeyName is the problem with a new name for a passkey, if any.
func CheckPasskeyName(name string) (string, FieldErrors) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", FieldErrors{"name": i18n.Msg("error.passkey_name.required")}
	case utf8.RuneCountInString(name) > MaxPasskeyName:
		return "", FieldErrors{"name": i18n.Message{ID: "error.passkey_name.too_long", Data: map[string]any{"Max": MaxPasskeyName}}}
	}
	return name, nil
}

// RenamePasskey gives one of the user's passkeys a new name; a passkey
// of someone else is ErrNoPasskey, as one that does not exist.
func (s *Service) RenamePasskey(ctx context.Context, u User, id int64, name string, m Meta) error {
	name, errs := CheckPasskeyName(name)
	if errs != nil {
		return errs
	}
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.RenamePasskey(ctx, u.ID, id, name); errors.Is(err, store.ErrNotFound) {
			return ErrNoPasskey
		} else if err != nil {
			return err
		}
		return s.audit(ctx, tx, u.ID, EventPasskeyRenamed, m)
	})
	if err != nil {
		return err
	}
	logctx.From(ctx).InfoContext(ctx, "passkey renamed", "user_id", u.ID, "passkey_id", id)
	return nil
}

// RemovePasskey removes one of the user's passkeys and tells the owner by
// email. It is refused (ErrLastSignInMethod) when the account would be
// left with no way to sign in: no password and no other passkey. The
// user's row is held while it checks, so two removals cannot both pass.
func (s *Service) RemovePasskey(ctx context.Context, u User, id int64, m Meta) error {
	var name string
	err := s.store.Tx(ctx, func(ctx context.Context, tx *store.Store) error {
		if err := tx.LockUser(ctx, u.ID); err != nil {
			return err
		}
		row, err := tx.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		p, err := tx.DeletePasskey(ctx, u.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoPasskey
		}
		if err != nil {
			return err
		}
		left, err := tx.CountPasskeys(ctx, u.ID)
		if err != nil {
			return err
		}
		if left == 0 && row.PasswordHash == "" {
			return ErrLastSignInMethod
		}
		name = p.Name
		if err := s.audit(ctx, tx, u.ID, EventPasskeyRemoved, m); err != nil {
			return err
		}
		if err := s.notify(ctx, tx, WebhookPasskeyRemoved, row.PublicID, row.Email, WebhookData{}); err != nil {
			return err
		}
		return s.enqueue(ctx, tx, row.Email, row.Locale, PasskeyRemovedEmail{PasskeyEmail: s.passkeyEmail(row, p.Name, s.now(), m)})
	})
	if err != nil {
		return err
	}
	s.queued()
	logctx.From(ctx).InfoContext(ctx, "passkey removed", "user_id", u.ID, "passkey_id", id, "name_len", len(name))
	return nil
}

// OfferPasskey opens, right after a password was set, the short window in
// which this browser may add a passkey to the account before signing in.
// It returns the grant's secret for the browser's cookie.
func (s *Service) OfferPasskey(ctx context.Context, l Landing, flow string) (string, error) {
	if s.rp == nil || l.UserID == 0 {
		return "", ErrPasskeysOff
	}
	return s.saveChallenge(ctx, store.CeremonyEnrol, l.UserID, challengeData{ReturnTo: l.ReturnTo, Flow: flow}, PasskeyEnrolTTL)
}

// Enrolment is an open offer to add a passkey after setting a password.
type Enrolment struct {
	UserID   int64
	Email    string
	ReturnTo string
	Flow     string
}

// PasskeyEnrolment is the open offer the grant names, without using it.
func (s *Service) PasskeyEnrolment(ctx context.Context, grant string) (Enrolment, error) {
	if s.rp == nil {
		return Enrolment{}, ErrPasskeysOff
	}
	if !token.WellFormed(grant) {
		return Enrolment{}, ErrNoEnrolment
	}
	c, err := s.store.WebAuthnChallengeByHash(ctx, token.Hash(grant), store.CeremonyEnrol, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return Enrolment{}, ErrNoEnrolment
	}
	if err != nil {
		return Enrolment{}, err
	}
	var d challengeData
	if err := json.Unmarshal([]byte(c.Data), &d); err != nil || c.UserID == nil {
		return Enrolment{}, ErrNoEnrolment
	}
	u, err := s.store.UserByID(ctx, *c.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return Enrolment{}, ErrNoEnrolment
	}
	if err != nil {
		return Enrolment{}, err
	}
	if u.Status != store.UserActive {
		return Enrolment{}, ErrNoEnrolment
	}
	return Enrolment{UserID: u.ID, Email: u.Email, ReturnTo: d.ReturnTo, Flow: d.Flow}, nil
}

// EndPasskeyEnrolment closes the offer once used or declined.
func (s *Service) EndPasskeyEnrolment(ctx context.Context, grant string) error {
	if !token.WellFormed(grant) {
		return nil
	}
	_, _, err := s.takeChallenge(ctx, s.store, grant, store.CeremonyEnrol)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
