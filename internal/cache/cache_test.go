package cache

import (
	"strconv"
	"sync"
	"testing"
)

// The cap holds against many distinct keys, and past it values are still
// made and returned.
func TestCacheStopsAtCap(t *testing.T) {
	c := New[string, int](8)
	for i := range 1000 {
		if got := c.GetOrMake(strconv.Itoa(i), func() int { return i }); got != i {
			t.Fatalf("GetOrMake(%d) = %d", i, got)
		}
	}
	if c.Len() != 8 {
		t.Fatalf("Len = %d, want 8", c.Len())
	}
	if v, ok := c.Get("3"); !ok || v != 3 {
		t.Fatalf(`Get("3") = %d, %v`, v, ok)
	}
	if _, ok := c.Get("999"); ok {
		t.Fatal("an entry past the cap was stored")
	}
	c.Clear()
	if c.Len() != 0 {
		t.Fatalf("Len after Clear = %d", c.Len())
	}
	if _, ok := c.Get("3"); ok {
		t.Fatal("Clear left an entry")
	}
}

// Racing first stores agree on one value and count the key once.
func TestCacheFirstStoreWins(t *testing.T) {
	c := New[string, *int](4)
	var wg sync.WaitGroup
	got := make([]*int, 16)
	for i := range got {
		wg.Go(func() { got[i] = c.GetOrMake("k", func() *int { v := i; return &v }) })
	}
	wg.Wait()
	for _, p := range got {
		if p != got[0] {
			t.Fatal("callers got different values for one key")
		}
	}
	if c.Len() != 1 {
		t.Fatalf("Len = %d, want 1", c.Len())
	}
}

// BenchmarkGetParallel is the hot path: a hit, from every core at once.
func BenchmarkGetParallel(b *testing.B) {
	c := New[int, int](16)
	for i := range 16 {
		c.Put(i, i)
	}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok := c.Get(i & 15); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
}
