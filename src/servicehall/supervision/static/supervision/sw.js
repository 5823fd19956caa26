/* The inspector's form, offline (R-SUP-2): this worker keeps the form page and the files it
   loads, so that reloading it in a hall with no signal still shows the form. Drafts are not
   here: the page keeps them in IndexedDB. Served at /supervision/visit/sw.js (its scope). */
"use strict";

const CACHE = "servicehall-visit-1";
const SCOPE = new URL(self.registration.scope).pathname;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("servicehall-visit-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// The page names the files it loaded (its scripts and styles) once the worker is ready.
self.addEventListener("message", (event) => {
  const urls = event.data && Array.isArray(event.data.cache) ? event.data.cache : [];
  const own = urls.filter((u) => new URL(u, self.location.href).origin === self.location.origin);
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(
        own.map((u) =>
          fetch(u, { credentials: "same-origin" })
            .then((r) => (r.ok && !r.redirected ? cache.put(new URL(u, self.location.href).pathname === SCOPE ? SCOPE : u, r) : null))
            .catch(() => null)
        )
      )
    )
  );
});

function keepIfGood(request, key) {
  return fetch(request).then((response) => {
    // never keep the login page a lapsed session was sent to, nor an error
    if (response.ok && !response.redirected && response.type === "basic") {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy));
    }
    return response;
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname !== SCOPE) return;
    // the form: the network's when there is one, else the copy kept
    event.respondWith(keepIfGood(request, SCOPE).catch(() => caches.match(SCOPE).then((hit) => hit || Response.error())));
    return;
  }
  // the form's scripts and styles: the kept copy at once, refreshed when the network answers
  event.respondWith(
    caches.match(request, { ignoreSearch: false }).then((hit) => {
      if (!hit) return fetch(request);
      event.waitUntil(keepIfGood(request, request).catch(() => null));
      return hit;
    })
  );
});
