package migrations

import (
	"context"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// identityTables are the tables the session lookup reads, each with the
// column that names whose identity a row is part of, the kind of that id
// ("u" a user, "o" an organisation) and a column whose change alone
// changes no identity ("last seen", written at most once a minute).
var identityTables = []identityTable{
	{"sessions", "user_id", "u", "last_seen_at"},
	{"users", "id", "u", ""},
	{"memberships", "user_id", "u", ""},
	{"organisations", "id", "o", ""},
	{"totp_secrets", "user_id", "u", ""},
	{"passkeys", "user_id", "u", ""},
}

type identityTable struct{ table, key, kind, ignore string }

// args are the trigger function's arguments for the table.
func (t identityTable) args() string {
	args := "'" + t.key + "', '" + t.kind + "'"
	if t.ignore != "" {
		args += ", '" + t.ignore + "'"
	}
	return args
}

// On PostgreSQL every change to a table the session lookup reads tells
// every instance, through the gatehouse_sessions channel, whose cached
// sessions to drop (store.SessionChannel). Triggers, not the code that
// writes, so that no write can forget, whoever makes it (another
// instance, the command line, an operator in psql). A notification is
// delivered only if its transaction commits, after it has. SQLite has one
// process serving; its store sees its own writes and polls for others'.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		if db.Dialect().Name() != dialect.PG {
			return nil
		}
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			qs := []string{
				`CREATE FUNCTION gatehouse_identity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	-- TG_ARGV: the id column, its kind, and a column whose change alone is no change.
	IF TG_OP = 'UPDATE' AND TG_NARGS > 2
		AND (to_jsonb(OLD) -> TG_ARGV[2]) IS DISTINCT FROM (to_jsonb(NEW) -> TG_ARGV[2])
		AND (to_jsonb(OLD) - TG_ARGV[2]) = (to_jsonb(NEW) - TG_ARGV[2]) THEN
		RETURN NULL;
	END IF;
	IF TG_OP <> 'INSERT' THEN
		PERFORM pg_notify('gatehouse_sessions', TG_ARGV[1] || ':' || (to_jsonb(OLD) ->> TG_ARGV[0]));
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM pg_notify('gatehouse_sessions', TG_ARGV[1] || ':' || (to_jsonb(NEW) ->> TG_ARGV[0]));
	END IF;
	RETURN NULL;
END $$`,
				`CREATE FUNCTION gatehouse_identity_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('gatehouse_sessions', '*');
	RETURN NULL;
END $$`,
			}
			for _, t := range identityTables {
				qs = append(qs,
					`CREATE TRIGGER `+t.table+`_identity AFTER INSERT OR UPDATE OR DELETE ON `+t.table+
						` FOR EACH ROW EXECUTE FUNCTION gatehouse_identity_changed(`+t.args()+`)`,
					`CREATE TRIGGER `+t.table+`_identity_truncate AFTER TRUNCATE ON `+t.table+
						` FOR EACH STATEMENT EXECUTE FUNCTION gatehouse_identity_truncated()`)
			}
			for _, q := range qs {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
	}, func(ctx context.Context, db *bun.DB) error {
		if db.Dialect().Name() != dialect.PG {
			return nil
		}
		var qs []string
		for _, t := range identityTables {
			qs = append(qs, `DROP TRIGGER `+t.table+`_identity ON `+t.table, `DROP TRIGGER `+t.table+`_identity_truncate ON `+t.table)
		}
		qs = append(qs, `DROP FUNCTION gatehouse_identity_changed()`, `DROP FUNCTION gatehouse_identity_truncated()`)
		for _, q := range qs {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
