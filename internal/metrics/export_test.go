package metrics

import "github.com/prometheus/client_golang/prometheus"

// DefaultGathererFamilies names the families in the global default registry.
func DefaultGathererFamilies() ([]string, error) {
	mfs, err := prometheus.DefaultGatherer.Gather()
	var names []string
	for _, mf := range mfs {
		names = append(names, mf.GetName())
	}
	return names, err
}
