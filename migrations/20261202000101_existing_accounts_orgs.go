package migrations

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

type users0101 struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID          int64      `bun:"id,pk"`
	Email       string     `bun:"email"`
	FirstName   string     `bun:"first_name"`
	LastName    string     `bun:"last_name"`
	Company     string     `bun:"company"`
	ActivatedAt *time.Time `bun:"activated_at"`
}

// orgPublicID0101 is the store's organisation id format, written out so
// this migration never changes once shipped.
func orgPublicID0101() string {
	var b [16]byte
	rand.Read(b[:])
	return "org_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// orgName0101 is the name an existing account's organisation starts with:
// the company it gave at sign-up, else its own name, else its domain.
func orgName0101(u users0101) string {
	if n := strings.TrimSpace(u.Company); n != "" {
		return n
	}
	if n := strings.TrimSpace(u.FirstName + " " + u.LastName); n != "" {
		return n
	}
	_, domain, _ := strings.Cut(u.Email, "@")
	return domain
}

// Every account activated before organisations existed becomes the owner
// of an organisation of its own, named after the company it gave at
// sign-up. No domain is claimed yet at this point, so each is exactly what
// a new sign-up would get as the first of its company; nobody loses access
// to the platform, and nobody is put together with strangers who typed the
// same company name. People who should share one organisation get there by
// invitation (or by its domain's join policy when they sign up anew).
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var users []users0101
			err := tx.NewSelect().Model(&users).
				Where("activated_at IS NOT NULL").
				Where("NOT EXISTS (SELECT 1 FROM memberships AS m WHERE m.user_id = u.id)").
				Order("id").Scan(ctx)
			if err != nil {
				return err
			}
			now := time.Now().UTC()
			for _, u := range users {
				var orgID int64
				err := tx.NewInsert().Model(&organisations0100{PublicID: orgPublicID0101(), Name: orgName0101(u), CreatedAt: now, UpdatedAt: now}).
					Returning("id").Scan(ctx, &orgID)
				if err != nil {
					return err
				}
				joined := *u.ActivatedAt
				m := &memberships0100{OrgID: orgID, UserID: u.ID, Role: "owner", Status: "active", CreatedAt: joined, JoinedAt: &joined}
				if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
					return err
				}
				id := u.ID
				e := &orgEvents0100{OrgID: orgID, ActorID: &id, SubjectID: &id, Kind: "org_created", Detail: "", CreatedAt: now}
				if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		// The organisations stay: by now they may have members, domains
		// and a trail of their own.
		return nil
	})
}
