package handlers

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// asset is one static file held in memory with its gzip form, compressed
// once at start-up: assets carry no secrets, so compressing them is safe
// (pages are not compressed, which keeps BREACH-style attacks off them).
type asset struct {
	raw, gz     []byte
	etag, ctype string
}

// loadAssets reads every file of fsys into memory.
func loadAssets(fsys fs.FS) (map[string]asset, error) {
	out := map[string]asset{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(raw)
		zw.Close()
		a := asset{raw: raw, ctype: mime.TypeByExtension(path.Ext(p))}
		if buf.Len() < len(raw) {
			a.gz = buf.Bytes()
		}
		if a.ctype == "" {
			a.ctype = http.DetectContentType(raw)
		}
		sum := sha256.Sum256(raw)
		a.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
		out[p] = a
		return nil
	})
	return out, err
}

// serveAsset answers GET /static/*file from memory: gzip when the client
// takes it, 304 when its copy is current.
func serveAsset(assets map[string]asset) gin.HandlerFunc {
	return func(c *gin.Context) {
		a, ok := assets[strings.TrimPrefix(c.Param("file"), "/")]
		if !ok {
			c.Status(http.StatusNotFound)
			return
		}
		h := c.Writer.Header()
		h.Set("Cache-Control", "public, max-age=3600")
		h.Set("ETag", a.etag)
		h.Set("Vary", "Accept-Encoding")
		if c.GetHeader("If-None-Match") == a.etag {
			c.Status(http.StatusNotModified)
			return
		}
		body := a.raw
		if a.gz != nil && strings.Contains(c.GetHeader("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body = a.gz
		}
		c.Data(http.StatusOK, a.ctype, body)
	}
}
