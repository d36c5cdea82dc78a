// Package locales embeds the message files translators edit:
// active.<lang>.toml, English being the source.
package locales

import "embed"

// FS holds every active.*.toml message file.
//
//go:embed active.*.toml
var FS embed.FS
