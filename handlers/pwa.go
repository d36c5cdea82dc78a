package handlers

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"gatehouse/internal/paths"
	"io/fs"
	"mime"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"gatehouse/components"
	"gatehouse/locales"
	"gatehouse/static"
)

// The installable app: the web manifest and the service worker at the
// root (a worker's scope cannot be wider than the folder it is served
// from), and the page the worker shows when the network is down.

const (
	pathServiceWorker = paths.ServiceWorker
	pathManifest      = paths.Manifest
	pathOffline       = paths.Offline

	manifestType = "application/manifest+json"
	scriptType   = "text/javascript; charset=utf-8"

	// swVersionMark in static/sw.js is replaced by swVersion when served.
	swVersionMark = "__GATEHOUSE_SW_VERSION__"
)

func init() {
	// Go's built-in table lacks .webmanifest and the system's may too;
	// this also types the copy under /static/.
	_ = mime.AddExtensionType(".webmanifest", manifestType)
}

func (s *server) pwaRoutes(r gin.IRoutes) {
	r.GET(pathServiceWorker, s.serviceWorker)
	r.GET(pathManifest, s.manifest)
	r.GET(pathOffline, s.offline)
}

// swScript is static/sw.js with its version filled in: a hash of every
// embedded asset and message file. The assets live at fixed URLs and the
// worker serves them cache-first, so any change to one must change the
// worker's bytes; the browser then installs the new worker, which
// precaches into a new cache and deletes the old.
var swScript = sync.OnceValues(func() ([]byte, error) {
	h := sha256.New()
	for _, fsys := range []fs.FS{static.FS, locales.FS} {
		err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			h.Write([]byte(path))
			h.Write([]byte{0})
			h.Write(b)
			h.Write([]byte{0})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	version := hex.EncodeToString(h.Sum(nil))[:16]
	src, err := fs.ReadFile(static.FS, "sw.js")
	if err != nil {
		return nil, err
	}
	return bytes.Replace(src, []byte(swVersionMark), []byte(version), 1), nil
})

// serviceWorker serves the worker at the root so its scope is the whole
// site. no-cache makes the browser revalidate on every update check; the
// ETag turns that into a 304 when nothing changed.
func (s *server) serviceWorker(c *gin.Context) {
	body, err := swScript()
	if err != nil {
		s.fail(c, err)
		return
	}
	serveBytes(c, "sw.js", scriptType, body)
}

func (s *server) manifest(c *gin.Context) {
	body, err := fs.ReadFile(static.FS, "manifest.webmanifest")
	if err != nil {
		s.fail(c, err)
		return
	}
	serveBytes(c, "manifest.webmanifest", manifestType, body)
}

// offline is the page the service worker precaches and shows when a
// navigation fails. It is the only page a cache may hold, so it shows
// nothing personal, and it is always the whole document (never an htmx
// fragment), whatever the request headers say.
func (s *server) offline(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	if err := s.respond(c.Writer, c.Request, http.StatusOK, components.OfflinePage(), fitDocument); err != nil {
		s.fail(c, err)
	}
}

func serveBytes(c *gin.Context, name, contentType string, body []byte) {
	sum := sha256.Sum256(body)
	c.Header("Content-Type", contentType)
	c.Header("Cache-Control", "no-cache")
	c.Header("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(body))
}
