package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// The session lookup (one prepared statement with its own column list)
// hands over every text column of the user as the ordinary lookup does, so
// a column added to users cannot go missing from the signed-in pages, as
// the time zone first did.
func TestSessionUserHasEveryColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := newUser("cols@example.com")
		u.Region, u.Phone, u.ReturnTo, u.TimeZone, u.Status = "GB-ENG", "+442079460958", "/reports", "Asia/Tokyo", store.UserActive
		if _, err := s.CreateUserIfAbsent(ctx, u); err != nil {
			t.Fatal(err)
		}
		want, err := s.UserByEmail(ctx, u.Email)
		if err != nil {
			t.Fatal(err)
		}
		sess := &store.Session{UserID: want.ID, Hash: "cols-hash", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionUserByHash(ctx, "cols-hash", t0, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		w, g := reflect.ValueOf(*want), reflect.ValueOf(*got.User)
		for i := range w.NumField() {
			f := w.Type().Field(i)
			if f.Type.Kind() == reflect.String && w.Field(i).String() != g.Field(i).String() {
				t.Errorf("%s: session lookup gives %q, user lookup %q", f.Name, g.Field(i).String(), w.Field(i).String())
			}
		}
	})
}

// SetUserTimeZoneIfUnset fills an empty zone and never replaces one.
func TestSetUserTimeZoneIfUnset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.CreateUserIfAbsent(ctx, newUser("zone@example.com")); err != nil {
			t.Fatal(err)
		}
		u, _ := s.UserByEmail(ctx, "zone@example.com")
		for _, zone := range []string{"Europe/Berlin", "Asia/Tokyo"} {
			if err := s.SetUserTimeZoneIfUnset(ctx, u.ID, zone); err != nil {
				t.Fatal(err)
			}
		}
		if u, _ = s.UserByEmail(ctx, "zone@example.com"); u.TimeZone != "Europe/Berlin" {
			t.Errorf("TimeZone = %q, want the first one kept", u.TimeZone)
		}
	})
}
