package handlers

// ResetPageCaches empties the page caches, so a test can serve the same
// requests from a cold cache and a warm one.
func ResetPageCaches() { registerPages.Clear() }

// RegisterPagesCached is how many sign-up pages are cached.
func RegisterPagesCached() int { return registerPages.Len() }

// MaxRegisterPages is the cap on cached sign-up pages.
const MaxRegisterPages = maxRegisterPages

// GETRoutes are the paths of every GET route the router registers, with
// the dev mailbox on, as Gin spells them (":id", "*file").
func GETRoutes(d Deps) []string {
	s := &server{Deps: d}
	r, err := s.engine()
	if err != nil {
		panic(err)
	}
	var out []string
	for _, rt := range r.Routes() {
		if rt.Method == "GET" {
			out = append(out, rt.Path)
		}
	}
	return out
}

// Route is one registered route: its method and Gin's path.
type Route struct{ Method, Path string }

// Routes are every route the router registers with d.
func Routes(d Deps) []Route {
	s := &server{Deps: d}
	r, err := s.engine()
	if err != nil {
		panic(err)
	}
	var out []Route
	for _, rt := range r.Routes() {
		out = append(out, Route{rt.Method, rt.Path})
	}
	return out
}
