// Package static holds the browser assets served under /static/.
package static

import "embed"

// FS holds the vendored htmx, the built CSS, the site script and the icons.
//
//go:embed htmx.min.js app.css app.js icon.svg
var FS embed.FS
