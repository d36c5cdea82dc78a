package paths

// Operator routes: not part of the user-facing contract, kept away from the
// public by the proxy.
const (
	Metrics = "/metrics"
)
