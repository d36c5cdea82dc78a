package mail_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"gatehouse/internal/mail"
	"gatehouse/internal/store"
	"gatehouse/internal/store/storetest"
)

// OnResult hears each claimed row's outcome once: retry, then sent; and
// failed for a row given up.
func TestWorkerOnResult(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		r := newRig(t, s)
		var got []mail.Result
		r.w.OnResult = func(result mail.Result) { got = append(got, result) }
		r.enqueue(t)
		r.fake.FailNext(1, http.StatusInternalServerError)
		r.runOnce(t)
		r.now = r.now.Add(time.Minute)
		r.runOnce(t)
		r.enqueue(t)
		r.fake.FailNext(1, http.StatusUnprocessableEntity)
		r.runOnce(t)
		want := []mail.Result{mail.ResultRetry, mail.ResultSent, mail.ResultFailed}
		if !slices.Equal(got, want) {
			t.Fatalf("OnResult heard %v, want %v", got, want)
		}
	})
}
