package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"
)

// stats collects latencies and errors per step; safe for concurrent use.
type stats struct {
	mu     sync.Mutex
	order  []string
	lat    map[string][]time.Duration
	errors map[string]int // "step: kind"
}

func newStats() *stats {
	return &stats{lat: map[string][]time.Duration{}, errors: map[string]int{}}
}

func (s *stats) record(step string, d time.Duration, errKind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.lat[step]; !ok {
		s.order = append(s.order, step)
		s.lat[step] = nil
	}
	if errKind != "" {
		s.errors[step+": "+errKind]++
		return
	}
	s.lat[step] = append(s.lat[step], d)
}

// merge adds o's samples into s; o must no longer be written to.
func (s *stats) merge(o *stats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, step := range o.order {
		if _, ok := s.lat[step]; !ok {
			s.order = append(s.order, step)
		}
		s.lat[step] = append(s.lat[step], o.lat[step]...)
	}
	for k, v := range o.errors {
		s.errors[k] += v
	}
}

func (s *stats) total() (ok, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.lat {
		ok += len(l)
	}
	for _, n := range s.errors {
		failed += n
	}
	return ok, failed
}

// pct returns the q-quantile (nearest rank) of sorted durations.
func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// print writes one row per step (successful requests only) and the errors.
func (s *stats) print(w io.Writer, elapsed time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(w, "%-22s %8s %8s %8s %8s %8s %8s %9s\n", "step", "ok", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors")
	for _, step := range s.order {
		l := slices.Clone(s.lat[step])
		slices.Sort(l)
		nerr := 0
		for k, v := range s.errors {
			if len(k) > len(step)+2 && k[:len(step)+2] == step+": " {
				nerr += v
			}
		}
		var mx time.Duration
		if len(l) > 0 {
			mx = l[len(l)-1]
		}
		fmt.Fprintf(w, "%-22s %8d %8.1f %8s %8s %8s %8s %9d\n", step, len(l), float64(len(l))/elapsed.Seconds(),
			ms(pct(l, .50)), ms(pct(l, .90)), ms(pct(l, .99)), ms(mx), nerr)
	}
	if len(s.errors) == 0 {
		fmt.Fprintln(w, "errors: none")
		return
	}
	keys := make([]string, 0, len(s.errors))
	for k := range s.errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(w, "errors by step and kind:")
	for _, k := range keys {
		fmt.Fprintf(w, "  %-50s %d\n", k, s.errors[k])
	}
}
