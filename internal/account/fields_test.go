package account_test

import (
	"context"
	"database/sql"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun/driver/sqliteshim"

	"gatehouse/internal/account"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// The migrations give every kept sign-up field a column of exactly its
// MaxLen, on every database: a narrower one would refuse (PostgreSQL) what
// the validator lets through, and a wider one means the two were changed
// apart. A new field's migration is held to its entry here.
func TestRegistrationFieldsMatchColumns(t *testing.T) {
	for _, b := range []storetest.Backend{storetest.SQLite, storetest.Postgres} {
		t.Run(string(b), func(t *testing.T) {
			sizes := userColumnSizes(t, b)
			for _, f := range account.RegistrationFields {
				size, ok := sizes[f.Name]
				switch {
				case f.User == nil && ok:
					t.Errorf("%s is not kept, yet users has a column of that name", f.Name)
				case f.User == nil:
				case !ok:
					t.Errorf("users has no sized column %s", f.Name)
				case size != f.MaxLen:
					t.Errorf("users.%s holds %d characters, the field takes up to %d", f.Name, size, f.MaxLen)
				}
			}
		})
	}
}

// userColumnSizes migrates a fresh database on b and returns the declared
// size of each varchar column of users.
func userColumnSizes(t *testing.T, b storetest.Backend) map[string]int {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t, b)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()

	driver, query := "pgx", `SELECT column_name, character_maximum_length FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'users' AND character_maximum_length IS NOT NULL`
	if b == storetest.SQLite {
		driver, dsn, query = sqliteshim.ShimName, "file:"+dsn, `SELECT name, type FROM pragma_table_info('users')`
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	varchar := regexp.MustCompile(`^(?i:varchar|character varying)\((\d+)\)$`)
	sizes := map[string]int{}
	for rows.Next() {
		var name, size string
		if err := rows.Scan(&name, &size); err != nil {
			t.Fatal(err)
		}
		if m := varchar.FindStringSubmatch(size); m != nil {
			size = m[1]
		}
		if n, err := strconv.Atoi(size); err == nil {
			sizes[name] = n
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(sizes) == 0 {
		t.Fatalf("%s: no sized columns found in users", b)
	}
	return sizes
}

// Each kept field writes the store.User field whose column bears its name,
// so what the form calls first_name lands in first_name.
func TestRegistrationFieldsWriteTheirColumn(t *testing.T) {
	typ := reflect.TypeFor[store.User]()
	for _, f := range account.RegistrationFields {
		if f.User == nil {
			continue
		}
		var u store.User
		*f.User(&u) = "\x00mark"
		v := reflect.ValueOf(u)
		var cols []string
		for i := range typ.NumField() {
			if v.Field(i).Kind() == reflect.String && v.Field(i).String() == "\x00mark" {
				col, _, _ := strings.Cut(typ.Field(i).Tag.Get("bun"), ",")
				cols = append(cols, col)
			}
		}
		if len(cols) != 1 || cols[0] != f.Name {
			t.Errorf("%s writes the columns %v", f.Name, cols)
		}
	}
}
