package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// The structs below are the schema as this migration creates it. They are
// deliberately not the store's models: those move on, a shipped migration
// must not.

type users0001 struct {
	bun.BaseModel `bun:"table:users"`

	ID                int64      `bun:"id,pk,autoincrement"`
	Email             string     `bun:"email,notnull,type:varchar(254)"`
	FirstName         string     `bun:"first_name,notnull,type:varchar(100)"`
	LastName          string     `bun:"last_name,notnull,type:varchar(100)"`
	Company           string     `bun:"company,notnull,type:varchar(200)"`
	Country           string     `bun:"country,notnull,type:varchar(2)"`
	Region            string     `bun:"region,notnull,type:varchar(8)"`
	Phone             string     `bun:"phone,notnull,type:varchar(32)"`
	Locale            string     `bun:"locale,notnull,type:varchar(35)"`
	Status            string     `bun:"status,notnull,type:varchar(16)"`
	PasswordHash      string     `bun:"password_hash,notnull,type:text"`
	CreatedAt         time.Time  `bun:"created_at,notnull"`
	UpdatedAt         time.Time  `bun:"updated_at,notnull"`
	ActivatedAt       *time.Time `bun:"activated_at"`
	PasswordChangedAt *time.Time `bun:"password_changed_at"`
}

type tokens0001 struct {
	bun.BaseModel `bun:"table:tokens"`

	ID        int64      `bun:"id,pk,autoincrement"`
	UserID    int64      `bun:"user_id,notnull"`
	Purpose   string     `bun:"purpose,notnull,type:varchar(16)"`
	Hash      string     `bun:"hash,notnull,type:varchar(64)"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	ExpiresAt time.Time  `bun:"expires_at,notnull"`
	UsedAt    *time.Time `bun:"used_at"`
}

type sessions0001 struct {
	bun.BaseModel `bun:"table:sessions"`

	ID         int64     `bun:"id,pk,autoincrement"`
	UserID     int64     `bun:"user_id,notnull"`
	Hash       string    `bun:"hash,notnull,type:varchar(64)"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	LastSeenAt time.Time `bun:"last_seen_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`
	IP         string    `bun:"ip,notnull,type:varchar(64)"`
	UserAgent  string    `bun:"user_agent,notnull,type:varchar(512)"`
}

type outbox0001 struct {
	bun.BaseModel `bun:"table:outbox"`

	ID             int64      `bun:"id,pk,autoincrement"`
	Kind           string     `bun:"kind,notnull,type:varchar(32)"`
	Recipient      string     `bun:"recipient,notnull,type:varchar(254)"`
	Locale         string     `bun:"locale,notnull,type:varchar(35)"`
	Data           string     `bun:"data,notnull,type:text"`
	IdempotencyKey string     `bun:"idempotency_key,notnull,type:varchar(64)"`
	Status         string     `bun:"status,notnull,type:varchar(16)"`
	Attempts       int        `bun:"attempts,notnull"`
	NextAttemptAt  time.Time  `bun:"next_attempt_at,notnull"`
	ClaimedUntil   *time.Time `bun:"claimed_until"`
	LastError      string     `bun:"last_error,notnull,type:text"`
	CreatedAt      time.Time  `bun:"created_at,notnull"`
	SentAt         *time.Time `bun:"sent_at"`
}

type auditEvents0001 struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID        int64     `bun:"id,pk,autoincrement"`
	UserID    *int64    `bun:"user_id"`
	Kind      string    `bun:"kind,notnull,type:varchar(32)"`
	IP        string    `bun:"ip,notnull,type:varchar(64)"`
	UserAgent string    `bun:"user_agent,notnull,type:varchar(512)"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

type rateCounters0001 struct {
	bun.BaseModel `bun:"table:rate_counters"`

	Key         string    `bun:"key,pk,type:varchar(200)"`
	WindowStart time.Time `bun:"window_start,notnull"`
	Count       int       `bun:"count,notnull"`
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			const cascade = `("user_id") REFERENCES "users" ("id") ON DELETE CASCADE`
			tables := []struct {
				model any
				fk    string
			}{
				{(*users0001)(nil), ""},
				{(*tokens0001)(nil), cascade},
				{(*sessions0001)(nil), cascade},
				{(*outbox0001)(nil), ""},
				{(*auditEvents0001)(nil), `("user_id") REFERENCES "users" ("id") ON DELETE SET NULL`},
				{(*rateCounters0001)(nil), ""},
			}
			for _, t := range tables {
				q := tx.NewCreateTable().Model(t.model)
				if t.fk != "" {
					q = q.ForeignKey(t.fk)
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
				// Unique case-insensitively: the store writes canonical
				// lower case and looks up through the same expression.
				{(*users0001)(nil), "users_email_key", true, "lower(email)"},
				{(*tokens0001)(nil), "tokens_hash_key", true, "hash"},
				{(*tokens0001)(nil), "tokens_user_purpose_idx", false, "user_id, purpose"},
				{(*sessions0001)(nil), "sessions_hash_key", true, "hash"},
				{(*sessions0001)(nil), "sessions_user_idx", false, "user_id"},
				{(*outbox0001)(nil), "outbox_due_idx", false, "status, next_attempt_at"},
				{(*auditEvents0001)(nil), "audit_events_user_idx", false, "user_id, created_at"},
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
		for _, m := range []any{(*rateCounters0001)(nil), (*auditEvents0001)(nil), (*outbox0001)(nil),
			(*sessions0001)(nil), (*tokens0001)(nil), (*users0001)(nil)} {
			if _, err := db.NewDropTable().Model(m).IfExists().Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}
