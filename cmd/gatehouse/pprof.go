//go:build pprof

package main

import (
	"fmt"
	"log"
	"net/http"
	_ "net/http/pprof" // the profiles, on the listener below only
	"runtime/metrics"
	"strings"
)

// pprofAddr is where a binary built with -tags pprof serves Go's profiles
// and its CPU accounting, for measuring a sign-in under load. The default
// build has neither; loopback only.
const pprofAddr = "127.0.0.1:6060"

func init() {
	http.HandleFunc("/debug/cpu-classes", cpuClasses)
	go func() { log.Println(http.ListenAndServe(pprofAddr, nil)) }()
}

// cpuClasses writes the runtime's estimate of CPU time by class
// (runtime/metrics /cpu/classes/…), so the share that went to garbage
// collection is the difference of /cpu/classes/gc/total over the
// difference of /cpu/classes/total between two reads.
func cpuClasses(w http.ResponseWriter, _ *http.Request) {
	var samples []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/cpu/classes/") || strings.HasPrefix(d.Name, "/gc/cycles/total") || d.Name == "/gc/heap/allocs:bytes" {
			samples = append(samples, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(samples)
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindFloat64:
			fmt.Fprintf(w, "%s %.6f\n", s.Name, s.Value.Float64())
		case metrics.KindUint64:
			fmt.Fprintf(w, "%s %d\n", s.Name, s.Value.Uint64())
		}
	}
}
