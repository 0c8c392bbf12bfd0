// Conference Companion service worker. Served from /sw.js so that it controls the whole site.
// Strategies (docs/offline.md): versioned static files cache-first; public programme pages
// stale-while-revalidate; the programme JSON and /api/v1/me network-first with the cached copy as
// fallback; My schedule network-first from a private cache that sign-out clears.
const BUILD = {{ build|tojson }};
const SHELL = {{ shell|tojson }};
const ICON = {{ icon|tojson }};
const SHELL_CACHE = `shell-${BUILD}`;
const PAGES_CACHE = `pages-${BUILD}`;
const PRIVATE_CACHE = "private";
const META_CACHE = "meta";
// What the server's URLs are (companion/offline/service_worker.py renders it from its rules).
const URLS = {{ urls|tojson }};
const OFFLINE_URL = URLS.offline;
const KEEP = new Set([SHELL_CACHE, PAGES_CACHE, PRIVATE_CACHE, META_CACHE]);
// One person's page (My schedule), and pages never kept (sign-in, settings, one-time links, the
// organiser's and host's pages).
const PRIVATE_PAGE = new RegExp(URLS.private_page);
const NEVER_CACHE = new RegExp(URLS.never_kept);
// Posting to these signs someone in or out.
const SIGN_IN_OR_OUT = new RegExp(URLS.sign_in_or_out);
// Map files are fetched as images (an <image> in a map, or opened on their own), not as pages.
const MAP_FILE = new RegExp(URLS.map_file);
const SEARCH_PAGE = new RegExp(URLS.search_page);
// Query parameters that never change the server's answer for the saved copy to be right (see
// PAGE_SIDE_PARAMS there); any other parameter makes a page that only the network can answer.
const PAGE_SIDE_PARAMS = new Set(URLS.page_side_params);
// A conference's URL from its rule (`conf` already encoded for a path).
const forConference = (rule, conf) => rule.replace("<conf>", () => conf);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (!KEEP.has(name)) await caches.delete(name);
    }
    // Pages saved by an older build point at its static files: forget which revisions we hold.
    const meta = await caches.open(META_CACHE);
    for (const request of await meta.keys()) {
      const stamp = await (await meta.match(request)).text();
      if (!stamp.startsWith(`${BUILD}:`)) await meta.delete(request);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "skip-waiting") self.skipWaiting();
  if (data.type === "warm" && data.conference) event.waitUntil(warm(data.conference, event.source));
  if (data.type === "sign-out") event.waitUntil(caches.delete(PRIVATE_CACHE));
  if (data.type === "age" && event.ports[0]) event.waitUntil(age(data.url, event.ports[0]));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    // Whoever signs in or out, the saved private pages were someone else's: forget them.
    if (SIGN_IN_OR_OUT.test(url.pathname)) {
      event.respondWith(fetch(request).finally(() => caches.delete(PRIVATE_CACHE)));
    }
    return; // writes always go to the network (offline stars are queued by the page)
  }
  if (url.pathname === URLS.worker) return;
  if (url.pathname.startsWith(URLS.static)) {
    event.respondWith(cacheFirst(request, SHELL_CACHE));
  } else if (url.pathname.startsWith(URLS.private_api)) {
    event.respondWith(networkFirst(request, PRIVATE_CACHE));
  } else if (url.pathname.startsWith(URLS.api)) {
    event.respondWith(networkFirst(request, PAGES_CACHE));
  } else if (PRIVATE_PAGE.test(url.pathname)) {
    event.respondWith(networkFirst(request, PRIVATE_CACHE, OFFLINE_URL));
  } else if (NEVER_CACHE.test(url.pathname)) {
    event.respondWith(fetch(request).catch(() => offlinePage()));
  } else if (request.mode === "navigate" || request.headers.get("Accept")?.includes("text/html")
    || MAP_FILE.test(url.pathname)) {
    const key = savedCopyKey(url);
    event.respondWith(key ? staleWhileRevalidate(event, request, PAGES_CACHE, key) : networkOnly(request, url));
  }
});

// The URL under which a page's saved copy is kept: the URL without the parameters the page
// applies itself, or null when another parameter makes it a page no saved copy can stand for.
function savedCopyKey(url) {
  const key = new URL(url.href);
  key.hash = "";
  for (const name of [...key.searchParams.keys()]) {
    if (!PAGE_SIDE_PARAMS.has(name)) return null;
    key.searchParams.delete(name);
  }
  return key.href;
}

// A page made for its query (search results): from the network, never kept. Offline, search says
// that it needs the network (offline search does not exist yet); anything else is "not saved".
async function networkOnly(request, url) {
  try {
    return await fetch(request);
  } catch {
    const search = SEARCH_PAGE.exec(url.pathname);
    const unavailable = search && await caches.match(forConference(URLS.offline_search, search[1]), { ignoreVary: true });
    return unavailable || offlinePage();
  }
}

async function cacheFirst(request, cacheName) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await put(cacheName, request, response.clone());
  return response;
}

async function networkFirst(request, cacheName, fallbackUrl) {
  try {
    const response = await fetch(request, { cache: "no-store" });
    if (response.ok) await put(cacheName, request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreVary: true, cacheName });
    if (cached) return cached;
    if (fallbackUrl) return offlinePage();
    throw error;
  }
}

// `key` is the page without its page-side parameters: the copy kept and refreshed is always that
// one (a filtered day page is the day page, filtered by app.js), never one answer per filter.
async function staleWhileRevalidate(event, request, cacheName, key) {
  const cached = await caches.match(key, { ignoreVary: true });
  // (A navigation's Request cannot be copied with options: fetch it as it is.)
  const refresh = (exact) => fetch(exact ? request : key).then(async (response) => {
    if (response.ok && response.type === "basic") await put(cacheName, key, response.clone());
    return response;
  });
  const exact = request.url === key;
  if (cached) {
    event.waitUntil(refresh(exact).catch(() => undefined));
    return cached;
  }
  if (exact) return refresh(true).catch(() => offlinePage());
  return fetch(request).catch(() => offlinePage());
}

async function offlinePage() {
  return (await caches.match(OFFLINE_URL)) || new Response("You are offline.", {
    status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
}

// A full or broken cache must never break a page: it only loses its offline copy.
async function put(cacheName, request, response) {
  try {
    const cache = await caches.open(cacheName);
    await cache.put(request, response);
  } catch (error) {
    console.warn("offline copy not saved", request.url || request, error);
  }
}

// Keep every public page of the conference, once per programme revision (and build).
const warming = new Map();
function warm(conference, client) {
  if (!warming.has(conference)) {
    warming.set(conference, doWarm(conference, client).finally(() => warming.delete(conference)));
  }
  return warming.get(conference);
}

async function doWarm(conference, client) {
  let list;
  try {
    const response = await fetch(forConference(URLS.offline_list, encodeURIComponent(conference)), { cache: "no-store" });
    if (!response.ok) return;
    list = await response.json();
  } catch {
    return; // offline: keep what we have
  }
  // My schedule is private: kept in its own cache (cleared at sign-out), refreshed by the page
  // whenever a star changes.
  const mine = forConference(URLS.my_schedule, encodeURIComponent(conference));
  if (!(await caches.match(mine, { cacheName: PRIVATE_CACHE }))) {
    try {
      const response = await fetch(mine, { cache: "no-store", credentials: "same-origin" });
      if (response.ok) await put(PRIVATE_CACHE, mine, response);
    } catch { /* next time */ }
  }
  const stampKey = `/__offline__/${conference}`;
  const stamp = `${BUILD}:${list.revision}`;
  const meta = await caches.open(META_CACHE);
  const previous = await meta.match(stampKey);
  const had = previous ? await previous.text() : null;
  if (had === stamp) {
    notify({ type: "offline-ready", conference, revision: list.revision }, client);
    return;
  }
  const queue = [...list.urls];
  let failed = 0;
  const worker = async () => {
    while (queue.length) {
      const url = queue.shift();
      try {
        // Ask with the validator of the copy held: a page's ETag follows its bytes, so a page
        // the edit did not change answers 304 and costs no body.
        const held = await caches.match(url, { cacheName: PAGES_CACHE, ignoreVary: true });
        const etag = held?.headers.get("ETag");
        const headers = etag ? { "If-None-Match": etag } : {};
        const response = await fetch(url, { cache: "no-store", headers });
        if (response.status === 304 && held) continue;
        if (response.ok) await put(PAGES_CACHE, url, response);
        else failed += 1;
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  if (failed) return; // try again on the next page load
  await meta.put(stampKey, new Response(stamp));
  const updated = had !== null && had.startsWith(`${BUILD}:`);
  notify({ type: updated ? "programme-updated" : "offline-ready", conference, revision: list.revision }, client);
}

async function notify(message, client) {
  const all = await self.clients.matchAll({ type: "window" });
  for (const each of all) each.postMessage(message);
  if (client && !all.some((each) => each.id === client.id)) client.postMessage?.(message);
}

// Web Push: show the message; a tag per session makes repeats replace each other.
self.addEventListener("push", (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(data.title || "Conference Companion", {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag && data.kind === "change"),
    icon: ICON,
    badge: ICON,
    data: { url: data.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/", self.location.origin).href;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = windows.find((client) => client.url === url);
    if (open) return open.focus();
    return self.clients.openWindow(url);
  })());
});

async function age(url, port) {
  const key = savedCopyKey(new URL(url, self.location.origin));
  const cached = key && await caches.match(key, { ignoreVary: true });
  const date = cached?.headers.get("Date");
  port.postMessage({ savedAt: date ? new Date(date).toISOString() : null });
}
