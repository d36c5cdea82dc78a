// Package static holds the browser assets served under /static/.
package static

import "embed"

// FS holds the vendored htmx, the built CSS, the site script, the icons,
// the web manifest and the service worker (the last two are also served
// at the root by handlers/pwa.go).
//
//go:embed htmx.min.js app.css app.js passkeys.js icon.svg
//go:embed icon-192.png icon-512.png icon-maskable-512.png apple-touch-icon.png
//go:embed manifest.webmanifest sw.js
var FS embed.FS
