package password

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// OnWait hears every acquire: zero when a slot is free, about MaxWait when
// the caller is turned away busy.
func TestHasherOnWait(t *testing.T) {
	h := NewHasher(weakParams, 1)
	h.MaxWait = 50 * time.Millisecond
	var mu sync.Mutex
	var waits []time.Duration
	h.OnWait = func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
	}
	phc, err := h.Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Verify(context.Background(), "pw", phc); err != nil {
		t.Fatal(err)
	}
	wait := holdSlot(t, h) // the holder's own acquire is heard too, as 0
	if _, err := h.Hash(context.Background(), "pw"); !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 4 || waits[0] != 0 || waits[1] != 0 || waits[2] != 0 {
		t.Fatalf("waits = %v, want 0, 0, 0 and about 50ms", waits)
	}
	if w := waits[3]; w < 40*time.Millisecond || w > 500*time.Millisecond {
		t.Errorf("busy wait = %v, want about MaxWait", w)
	}
}
