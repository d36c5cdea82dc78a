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
	start  time.Time
	secs   []second // outcomes by the second of the run they ended in
}

// second counts the requests that ended in one second of the run.
type second struct{ ok, failed int }

func newStats() *stats {
	return &stats{lat: map[string][]time.Duration{}, errors: map[string]int{}, start: time.Now()}
}

// tick counts one outcome in the second it ended in; the caller holds s.mu.
func (s *stats) tick(failed bool) {
	i := int(time.Since(s.start) / time.Second)
	for len(s.secs) <= i {
		s.secs = append(s.secs, second{})
	}
	if failed {
		s.secs[i].failed++
	} else {
		s.secs[i].ok++
	}
}

func (s *stats) record(step string, d time.Duration, errKind string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.lat[step]; !ok {
		s.order = append(s.order, step)
		s.lat[step] = nil
	}
	s.tick(errKind != "")
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
	off := int(o.start.Sub(s.start) / time.Second) // o started within the same run
	for i, sec := range o.secs {
		j := max(i+off, 0)
		for len(s.secs) <= j {
			s.secs = append(s.secs, second{})
		}
		s.secs[j].ok += sec.ok
		s.secs[j].failed += sec.failed
	}
}

// printTimeline writes, when anything failed, requests ok and failed over the run in at most
// 30 rows, so an outage in the middle of a run shows where it began and where service resumed.
func (s *stats) printTimeline(w io.Writer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	failed := 0
	for _, sec := range s.secs {
		failed += sec.failed
	}
	if failed == 0 {
		return
	}
	width := max(1, (len(s.secs)+29)/30)
	fmt.Fprintf(w, "timeline (requests ending in each %ds):\n", width)
	for i := 0; i < len(s.secs); i += width {
		var b second
		for _, sec := range s.secs[i:min(i+width, len(s.secs))] {
			b.ok += sec.ok
			b.failed += sec.failed
		}
		fmt.Fprintf(w, "  %4ds %7d ok %7d failed\n", i, b.ok, b.failed)
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
