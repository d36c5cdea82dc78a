// Package migrations holds Gatehouse's schema changes, applied in order at
// start-up and by `gatehouse migrate`. They are append-only: a migration that
// has shipped is never edited; a change is a new file.
package migrations

import "github.com/uptrace/bun/migrate"

// Migrations is every migration, registered by the files of this package.
var Migrations = migrate.NewMigrations()
