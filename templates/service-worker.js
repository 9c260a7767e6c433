// Festival's service worker: judge pages that open with no network. Served at /sw.js so that its
// scope is the whole site; a new asset list makes a new worker (the version below changes).
//
// - Static files (the app shell) come from the cache first: their names change with their
//   content, so a cached copy is never stale.
// - The pages a signed-in judge or gate needs offline (the list and sheets; the scanner) go to the network
//   first and are kept in a cache of that user's own, refreshed whenever they load online;
//   without a network the kept copy opens, and the page's script says it is offline.
// - Nothing is cached for anyone else, nothing but GET is touched (saves wait in the device's
//   outbox), and signing out deletes every cache (the page clears them before its form goes). An answer saying the session was revoked (signed out of every device)
//   drops the kept pages too, and a kept page older than the set time (OFFLINE_KEEP_HOURS, sent by
//   the pages) is never served: it is dropped.
"use strict";

const VERSION = {{ version|tojson }};
// The release's number (0 without a static build): during a rolling release a machine still on the old
// release hands out its older worker, which must not replace the newer one a browser already runs.
const RELEASE = {{ release|tojson }};
const SHELL = "festival-shell-" + RELEASE + "-" + VERSION;
const META = "festival-meta";
const ASSETS = {{ assets|tojson }};
const OFFLINE_URL = {{ offline_url|tojson }};
const KEPT = [{% for pattern in kept %}new RegExp({{ pattern|tojson }}){% if not loop.last %}, {% endif %}{% endfor %}];

async function newerReleaseKept() {
  const names = await caches.keys();
  return names.some((name) => {
    const found = /^festival-shell-(\d+)-/.exec(name);
    return found !== null && Number(found[1]) > RELEASE;
  });
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    newerReleaseKept()
      .then((newer) => {
        // A failed install leaves the running (newer) worker in place; the browser tries again later.
        if (newer) throw new Error("Festival: an older release's service worker is not installed over a newer one");
      })
      .then(() => caches.open(SHELL))
      .then((cache) => cache.addAll([...ASSETS, OFFLINE_URL]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((name) => name.startsWith("festival-shell-") && name !== SHELL).map((name) => caches.delete(name)))
      )
      .then(() => self.clients.claim())
  );
});

async function currentUser() {
  const meta = await caches.open(META);
  const answer = await meta.match("/__user__");
  return answer ? answer.text() : "";
}

async function setUser(user) {
  if ((await currentUser()) !== user) {
    // Another person on this device: the last one's pages go.
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("festival-pages-")).map((name) => caches.delete(name)));
  }
  const meta = await caches.open(META);
  await meta.put("/__user__", new Response(user));
}

function keepable(response) {
  // Only the page itself: not a redirect to sign-in, not an error page.
  return response.ok && !response.redirected && response.type === "basic";
}

async function keep(user, request, response) {
  if (user && keepable(response)) {
    const cache = await caches.open("festival-pages-u" + user);
    await cache.put(request, response);
  }
}

async function dropPages() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith("festival-pages-") || name === META).map((name) => caches.delete(name)));
}

async function keepFor() {
  const answer = await (await caches.open(META)).match("/__keep__");
  return answer ? Number(await answer.text()) : 24 * 3600 * 1000;
}

async function fresh(kept) {
  const made = Date.parse(kept.headers.get("Date") || "");
  return isNaN(made) || Date.now() - made < (await keepFor());
}

async function networkFirst(request) {
  const user = await currentUser();
  try {
    const response = await fetch(request);
    if (response.headers.get("X-Festival-Session") === "ended") {
      await dropPages();
      return response;
    }
    await keep(user, request, response.clone());
    return response;
  } catch (error) {
    const cache = user ? await caches.open("festival-pages-u" + user) : undefined;
    const kept = cache ? await cache.match(request, { ignoreVary: true }) : undefined;
    if (kept && (await fresh(kept))) {
      return kept;
    }
    if (kept) {
      await cache.delete(request, { ignoreVary: true }); // older than the device may keep it
    }
    if (request.mode === "navigate") {
      return (await caches.match(OFFLINE_URL)) || Response.error();
    }
    return Response.error();
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (KEPT.some((pattern) => pattern.test(url.pathname))) {
    event.respondWith(networkFirst(request));
  }
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "keep-pages") {
    // Opened online, a page names what its user may need offline (the judge's list: every sheet;
    // the gate: the scanner) and the files it runs on: fetch and keep them all now.
    const user = String(message.user);
    event.waitUntil(
      setUser(user)
        .then(() => caches.open(META))
        .then((meta) => meta.put("/__keep__", new Response(String(message.keepMs || 24 * 3600 * 1000))))
        .then(() =>
          Promise.all([
            caches.open(SHELL).then((cache) => cache.addAll(message.assets || [])).catch(() => {}),
            ...message.pages.map((page) =>
              fetch(page, { credentials: "same-origin" })
                .then((response) => keep(user, new Request(page), response))
                .catch(() => {})
            ),
          ])
        )
        .then(() => event.source && event.source.postMessage({ type: "pages-kept", count: message.pages.length }))
    );
  }
});
