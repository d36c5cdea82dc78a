package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// The schema of organisations as this migration creates it (not the
// store's models, which move on).

type organisations0100 struct {
	bun.BaseModel `bun:"table:organisations"`

	ID        int64     `bun:"id,pk,autoincrement"`
	PublicID  string    `bun:"public_id,notnull,type:varchar(40)"`
	Name      string    `bun:"name,notnull,type:varchar(200)"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

type orgDomains0100 struct {
	bun.BaseModel `bun:"table:org_domains"`

	ID         int64     `bun:"id,pk,autoincrement"`
	OrgID      int64     `bun:"org_id,notnull"`
	Domain     string    `bun:"domain,notnull,type:varchar(253)"`
	JoinPolicy string    `bun:"join_policy,notnull,type:varchar(16)"`
	ClaimedBy  *int64    `bun:"claimed_by"`
	ClaimedAt  time.Time `bun:"claimed_at,notnull"`
}

type memberships0100 struct {
	bun.BaseModel `bun:"table:memberships"`

	ID        int64      `bun:"id,pk,autoincrement"`
	OrgID     int64      `bun:"org_id,notnull"`
	UserID    int64      `bun:"user_id,notnull"`
	Role      string     `bun:"role,notnull,type:varchar(16)"`
	Status    string     `bun:"status,notnull,type:varchar(16)"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	JoinedAt  *time.Time `bun:"joined_at"`
}

type orgEvents0100 struct {
	bun.BaseModel `bun:"table:org_events"`

	ID        int64     `bun:"id,pk,autoincrement"`
	OrgID     int64     `bun:"org_id,notnull"`
	ActorID   *int64    `bun:"actor_id"`
	SubjectID *int64    `bun:"subject_id"`
	Kind      string    `bun:"kind,notnull,type:varchar(32)"`
	Detail    string    `bun:"detail,notnull,type:varchar(253)"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Companies become organisations: a stable opaque id for the platform, the
// email domains an organisation has claimed (unique across all of them,
// each with its join policy), its members with a role, and its own audit
// trail. A person belongs to one organisation for now, and only through
// the memberships_user_key index: allowing several later is dropping that
// index, not a new table.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			const (
				org     = `("org_id") REFERENCES "organisations" ("id") ON DELETE CASCADE`
				user    = `("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`
				claimer = `("claimed_by") REFERENCES "users" ("id") ON DELETE SET NULL`
				actor   = `("actor_id") REFERENCES "users" ("id") ON DELETE SET NULL`
				subject = `("subject_id") REFERENCES "users" ("id") ON DELETE SET NULL`
			)
			tables := []struct {
				model any
				fks   []string
			}{
				{(*organisations0100)(nil), nil},
				{(*orgDomains0100)(nil), []string{org, claimer}},
				{(*memberships0100)(nil), []string{org, user}},
				{(*orgEvents0100)(nil), []string{org, actor, subject}},
			}
			for _, t := range tables {
				q := tx.NewCreateTable().Model(t.model)
				for _, fk := range t.fks {
					q = q.ForeignKey(fk)
				}
				if _, err := q.Exec(ctx); err != nil {
					return err
				}
			}
			indexes := []struct {
				model  any
				name   string
				unique bool
				cols   string
			}{
				{(*organisations0100)(nil), "organisations_public_id_key", true, "public_id"},
				// The store writes domains normalised (lower case, IDNA
				// A-labels), so a plain unique index is unique per domain.
				{(*orgDomains0100)(nil), "org_domains_domain_key", true, "domain"},
				{(*orgDomains0100)(nil), "org_domains_org_idx", false, "org_id"},
				// One organisation per person: drop this index to allow several.
				{(*memberships0100)(nil), "memberships_user_key", true, "user_id"},
				{(*memberships0100)(nil), "memberships_org_user_key", true, "org_id, user_id"},
				{(*orgEvents0100)(nil), "org_events_org_idx", false, "org_id, created_at"},
			}
			for _, ix := range indexes {
				q := tx.NewCreateIndex().Model(ix.model).Index(ix.name).ColumnExpr(ix.cols)
				if ix.unique {
					q = q.Unique()
				}
				if _, err := q.Exec(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		for _, m := range []any{(*orgEvents0100)(nil), (*memberships0100)(nil), (*orgDomains0100)(nil), (*organisations0100)(nil)} {
			if _, err := db.NewDropTable().Model(m).IfExists().Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}
