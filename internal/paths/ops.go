package paths

// Operator routes: not part of the user-facing contract, and never on the
// public listener; Metrics is served on METRICS_ADDR only.
const (
	Metrics = "/metrics"
)
