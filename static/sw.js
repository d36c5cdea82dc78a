"use strict";

// Gatehouse service worker, served at /sw.js (scope "/") by handlers/pwa.go.
//
// The rules, in the order the fetch handler applies them:
//   - Only same-origin GET requests are looked at; everything else (form
//     posts, htmx posts, other origins) goes to the network untouched.
//   - Page navigations go to the network only. When the network fails, the
//     precached /offline page is shown instead. A page's own response is
//     never stored: pages are personal or carry tokens.
//   - Precached URLs and /static/ assets are answered from the cache first,
//     then from the network, which is not stored either.
//   - Anything else (htmx fragments, /healthz, ...) is not handled.
//
// The only write to Cache Storage is cache.addAll(PRECACHE) at install.
// There is no cache.put and no runtime caching, so no HTML other than the
// explicit /offline page can ever be in a cache.
//
// VERSION is filled in by the server with a hash of the embedded static files
// and message files, so any change to an asset makes a new worker with a new
// cache, and the old caches are deleted when it activates.

const VERSION = "__GATEHOUSE_SW_VERSION__";
const CACHE = "gatehouse-" + VERSION;
const OFFLINE = "/offline";

const PRECACHE = [
  "/static/app.css",
  "/static/htmx.min.js",
  "/static/app.js",
  "/static/passkeys.js",
  "/static/icon.svg",
  "/static/icon-192.png",
  "/static/icon-512.png",
  "/static/icon-maskable-512.png",
  "/static/apple-touch-icon.png",
  "/manifest.webmanifest",
  OFFLINE,
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(CACHE)
      .then(function (cache) {
        // cache: "reload" skips the HTTP cache, so a new version never
        // precaches an asset the browser kept from before.
        return cache.addAll(PRECACHE.map(function (url) {
          return new Request(url, { cache: "reload" });
        }));
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("gatehouse-") === 0 && name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function isPrecachedAsset(url) {
  return url.pathname !== OFFLINE &&
    (url.pathname.indexOf("/static/") === 0 || PRECACHE.indexOf(url.pathname) !== -1);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.mode === "navigate") {
    // Network only; on failure, the one cached page. Nothing is stored.
    event.respondWith(
      fetch(request).catch(function (err) {
        return caches.open(CACHE).then(function (cache) {
          return cache.match(OFFLINE, { ignoreVary: true });
        }).then(function (page) {
          if (page) return page;
          throw err;
        });
      })
    );
    return;
  }

  if (isPrecachedAsset(url)) {
    // Cache first; a miss goes to the network and is not stored.
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(request);
      }).then(function (hit) {
        return hit || fetch(request);
      })
    );
  }
});
