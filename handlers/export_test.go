package handlers

// ResetPageCaches empties the page caches, so a test can serve the same
// requests from a cold cache and a warm one.
func ResetPageCaches() { registerPages = &pageCache{max: registerPages.max} }
