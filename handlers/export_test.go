package handlers

// ResetPageCaches empties the page caches, so a test can serve the same
// requests from a cold cache and a warm one.
func ResetPageCaches() { registerPages.Clear() }

// RegisterPagesCached is how many sign-up pages are cached.
func RegisterPagesCached() int { return registerPages.Len() }

// MaxRegisterPages is the cap on cached sign-up pages.
const MaxRegisterPages = maxRegisterPages
