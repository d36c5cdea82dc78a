// Package cache is the one in-memory cache type every cache in Gatehouse
// uses.
//
// Every cache here holds values that never change once made (a rendered
// page, an option list, a parsed header), under keys drawn from a small set
// that is fixed in practice (languages × likely countries, a few header
// values), and is read on nearly every request. That is the case sync.Map
// is built for: once a key is there, Load takes no lock, so concurrent
// readers on both cores never contend. A cap bounds what a client choosing
// keys could pin in memory; past it, callers make the value each time, as
// if there were no cache. Nothing is evicted: with the keys that matter
// fitting far below the cap, an LRU would only add a lock (and a write) to
// every read for no hit-rate gain.
package cache

import (
	"sync"
	"sync/atomic"
)

// Cache maps K to V, safe for concurrent use, and stops growing at about
// its cap (concurrent first stores may overshoot it by the number of
// goroutines storing at once). Values are shared between callers, who
// must not change them.
type Cache[K comparable, V any] struct {
	max int64
	n   atomic.Int64
	m   sync.Map // K → V
}

// New returns an empty cache that holds at most about max entries.
func New[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: int64(max)}
}

// Get returns the value stored under key.
func (c *Cache[K, V]) Get(key K) (V, bool) {
	v, ok := c.m.Load(key)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

// Put stores v under key when there is room, and returns the value now
// cached there (an earlier one wins a race) or v when the cache is full.
func (c *Cache[K, V]) Put(key K, v V) V {
	if c.n.Load() >= c.max {
		return v
	}
	got, loaded := c.m.LoadOrStore(key, v)
	if !loaded {
		c.n.Add(1)
	}
	return got.(V)
}

// GetOrMake returns the value under key, making and storing it on first
// use. make may run more than once for a key when callers race; the first
// stored value is the one every later caller gets.
func (c *Cache[K, V]) GetOrMake(key K, make func() V) V {
	if v, ok := c.Get(key); ok {
		return v
	}
	return c.Put(key, make())
}

// Len is the number of entries held.
func (c *Cache[K, V]) Len() int { return int(c.n.Load()) }

// Clear empties the cache, so a test can start from cold.
func (c *Cache[K, V]) Clear() {
	c.m.Clear()
	c.n.Store(0)
}
