// Conference Companion service worker. Served from /sw.js so that it controls the whole site.
// Strategies (docs/offline.md): versioned static files cache-first; public programme pages
// stale-while-revalidate; the programme JSON and /api/v1/me network-first with the cached copy as
// fallback; My schedule and Alerts network-first from a private cache that sign-out clears.
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
// One person's pages (My schedule, Alerts), and pages never kept (sign-in, settings, one-time links, the
// organiser's and host's pages).
const PRIVATE_PAGE = new RegExp(URLS.private_page);
const NEVER_CACHE = new RegExp(URLS.never_kept);
// Posting to these signs someone in or out.
const SIGN_IN_OR_OUT = new RegExp(URLS.sign_in_or_out);
// Map files are fetched as images (an <image> in a map, or opened on their own), not as pages.
const MAP_FILE = new RegExp(URLS.map_file);
const SEARCH_PAGE = new RegExp(URLS.search_page);
// Search as one types: one answer per query, never kept (offline, search.js searches the saved
// programme itself).
const SEARCH_API = new RegExp(URLS.search_api);
// Query parameters that never change the server's answer for the saved copy to be right (see
// PAGE_SIDE_PARAMS there); any other parameter makes a page that only the network can answer.
const PAGE_SIDE_PARAMS = new Set(URLS.page_side_params);
// A conference's URL from its rule (`conf` already encoded for a path).
const forConference = (rule, conf) => rule.replace("<conf>", () => conf);
// The live event stream and its poll (static/js/live.js): never answered here, only by the
// network. An answer of ours would hold this worker alive for as long as the stream is open, and
// a saved one is stale by definition (the poll's "nothing new" is the server's 304, not ours).
const LIVE_EVENTS = new RegExp(URLS.live_events);
const isLive = (request, url) => request.headers.get("Accept")?.includes("text/event-stream") || LIVE_EVENTS.test(url.pathname);

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
      const held = await readJSON(await meta.match(request));
      if (held?.build !== BUILD) await meta.delete(request);
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
  if (data.type === "alerts" && event.ports[0]) event.waitUntil(deviceAlerts().then((list) => event.ports[0].postMessage(list)));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || isLive(request, url)) return;
  if (request.method !== "GET") {
    // Whoever signs in or out, the saved private pages were someone else's: forget them.
    if (SIGN_IN_OR_OUT.test(url.pathname)) {
      event.respondWith(fetch(request).finally(() => caches.delete(PRIVATE_CACHE)));
    }
    return; // writes always go to the network (offline stars are queued by the page)
  }
  if (url.pathname === URLS.worker || SEARCH_API.test(url.pathname)) return;
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

// A page made for its query (search results): from the network, never kept. Offline, a search is
// answered by the saved offline search page (search.js searches the saved programme); anything
// else is "not saved".
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

// `cacheName` PAGES_CACHE: a copy the sync keeps is not replaced here (it moves from one whole
// revision to the next, never page by page); one it does not keep yet is saved.
async function networkFirst(request, cacheName, fallbackUrl) {
  try {
    const response = await fetch(request, { cache: "no-store" });
    const synced = cacheName === PAGES_CACHE && await caches.match(request, { cacheName, ignoreVary: true });
    if (response.ok && !synced) await put(cacheName, request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request, { ignoreVary: true, cacheName });
    if (cached) return cached;
    if (fallbackUrl) return offlinePage();
    throw error;
  }
}

// `key` is the page without its page-side parameters: the copy kept is always that one (a
// filtered day page is the day page, filtered by app.js), never one answer per filter. A page the
// synced copy holds is shown at once and not fetched: the sync (`warm`, which every page load
// asks for) moves the whole copy from one revision to the next, so that pages never disagree. A
// saved page no sync keeps (the root's redirect, say) is shown and refreshed for next time.
async function staleWhileRevalidate(event, request, cacheName, key) {
  const cached = await caches.match(key, { ignoreVary: true });
  // (A navigation's Request cannot be copied with options: fetch it as it is.)
  const refresh = () => fetch(request.url === key ? request : key).then(async (response) => {
    if (response.ok && response.type === "basic") await put(cacheName, key, response.clone());
    return response;
  });
  if (cached) {
    if (!(await synced()).has(new URL(key).pathname)) event.waitUntil(refresh().catch(() => undefined));
    return cached;
  }
  if (request.url !== key) return fetch(request).catch(() => offlinePage());
  return refresh().catch(() => offlinePage());
}

// Every path the synced copies hold (read from their stamps; forgotten whenever one moves).
let syncedPaths = null;
async function synced() {
  if (!syncedPaths) {
    const meta = await caches.open(META_CACHE);
    const held = await Promise.all((await meta.keys()).map(async (key) => readJSON(await meta.match(key))));
    syncedPaths = new Set(held.flatMap((copy) => copy?.urls || []));
  }
  return syncedPaths;
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

// Keep every public page of the conference, one revision at a time (docs/offline.md): the first
// time one bundle of every page; then, on each page load, the changes since the revision held
// (one small answer: patches of the changed pages), applied all at once.
const warming = new Map();
function warm(conference, client) {
  if (!warming.has(conference)) {
    warming.set(conference, doWarm(conference, client).finally(() => warming.delete(conference)));
  }
  return warming.get(conference);
}

async function doWarm(conference, client) {
  const conf = encodeURIComponent(conference);
  // My schedule and Alerts are private: kept in their own cache (cleared at sign-out), refreshed
  // whenever they are opened (and My schedule by the page whenever a star changes).
  for (const rule of [URLS.my_schedule, URLS.my_alerts]) {
    const mine = forConference(rule, conf);
    if (await caches.match(mine, { cacheName: PRIVATE_CACHE })) continue;
    try {
      const response = await fetch(mine, { cache: "no-store", credentials: "same-origin" });
      if (response.ok) await put(PRIVATE_CACHE, mine, response);
    } catch { /* next time */ }
  }
  const meta = await caches.open(META_CACHE);
  const stampKey = `/__offline__/${conference}`;
  const held = await readJSON(await meta.match(stampKey));
  const had = held?.build === BUILD ? held : null;
  let copy = had;
  let shown = null;
  // While the server renders a newer revision it answers with the one before and says so
  // (Revision-Pending): ask again shortly, for up to a minute.
  for (let round = 0; round < 60; round += 1) {
    const before = copy;
    try {
      copy = before ? await deltaSync(conf, before) : await fullSync(conf, held?.urls || []);
    } catch {
      return; // offline, or a page failed: keep what we have, try again on the next page load
    }
    if (!before || copy.revision !== before.revision) {
      await meta.put(stampKey, new Response(JSON.stringify({ build: BUILD, revision: copy.revision, urls: copy.urls })));
      syncedPaths = null;
    }
    if (shown !== copy.revision) {
      // An update for the open pages if they were shown an earlier revision.
      const previous = shown ?? had?.revision ?? null;
      const updated = previous !== null && copy.revision !== previous;
      notify({ type: updated ? "programme-updated" : "offline-ready", conference, revision: copy.revision }, client);
      shown = copy.revision;
    }
    if (!copy.pending || copy.revision >= copy.pending) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// A newer revision the server is still rendering, if it says so.
const pendingOf = (response) => Number(response.headers.get("Revision-Pending")) || 0;

// The whole copy from one bundle; pages the bundle lists without a body (map files, served
// with headers of their own) are fetched one by one, with the validator of the copy held.
async function fullSync(conf, heldUrls) {
  const response = await fetch(forConference(URLS.offline_bundle, conf), { cache: "no-store" });
  if (!response.ok) throw new Error(`bundle: ${response.status}`);
  const bundle = await response.json();
  // Pages of another build point at static files this worker does not hold: wait for the new
  // worker (the page offers the update) rather than keep them.
  if (bundle.build !== BUILD) throw new Error("another build");
  const pages = new Map(bundle.pages.map((page) => [page.url, page]));
  const fresh = await Promise.all(bundle.pages.map((page) => freshCopy(page.url, page)));
  const gone = heldUrls.filter((url) => !pages.has(url));
  await keep(fresh, gone);
  return { revision: bundle.revision, urls: [...pages.keys()], pending: pendingOf(response) };
}

// The changes since the revision held: every changed page at once, or a full sync when the
// server cannot say (the revision is too old) or a patch does not fit the page held.
async function deltaSync(conf, had) {
  const url = `${forConference(URLS.offline_changes, conf)}?since=${had.revision}&build=${encodeURIComponent(BUILD)}`;
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`changes: ${response.status}`);
  const changes = await response.json();
  if (changes.build !== BUILD) throw new Error("another build"); // as in fullSync
  if (changes.full) return fullSync(conf, had.urls);
  if (changes.revision === had.revision) return { ...had, pending: pendingOf(response) };
  const fresh = [];
  for (const [page, change] of Object.entries(changes.pages)) {
    const copy = await freshCopy(page, change);
    if (!copy) return fullSync(conf, had.urls);
    fresh.push(copy);
  }
  const removed = new Set(changes.removed);
  const urls = had.urls.filter((page) => !removed.has(page));
  for (const page of Object.keys(changes.pages)) if (!urls.includes(page)) urls.push(page);
  await keep(fresh, changes.removed);
  return { revision: changes.revision, urls, pending: pendingOf(response) };
}

// The new copy of one page, as [url, Response]: its body, its patched held copy (checked
// against the digest the server sent), or (`fetch`) the network's answer. Null when a patch
// does not apply to what is held.
async function freshCopy(url, change) {
  if (change.fetch) {
    const held = await caches.match(url, { cacheName: PAGES_CACHE, ignoreVary: true });
    if (held && sameTag(held.headers.get("ETag"), change.etag)) return [url, null];
    const response = await fetch(url, { cache: "no-store" });
    // Of this revision, or the copy would mix two: the next sync tries again.
    if (!response.ok || !sameTag(response.headers.get("ETag"), change.etag)) throw new Error(`${url}: not this revision`);
    return [url, response];
  }
  let body = change.body;
  if (change.patch) {
    const held = await caches.match(url, { cacheName: PAGES_CACHE, ignoreVary: true });
    if (!held || !sameTag(held.headers.get("ETag"), change.base)) return null;
    body = applyPatch(await held.text(), change.patch);
    if (await sha256(body) !== change.sha256) return null;
  }
  const type = change.type.startsWith("text/") || change.type === "application/json"
    ? `${change.type}; charset=utf-8` : change.type;
  return [url, new Response(body, {
    headers: { "Content-Type": type, "ETag": `W/"${change.etag}"`, "Date": new Date().toUTCString() },
  })];
}

// Save every fresh page, then forget the pages gone: the copy moves to the new revision in one
// step, after everything it needs has arrived.
async function keep(fresh, gone) {
  await Promise.all(fresh.filter(([, response]) => response).map(([url, response]) => put(PAGES_CACHE, url, response)));
  const cache = await caches.open(PAGES_CACHE);
  await Promise.all(gone.map((url) => cache.delete(url, { ignoreVary: true })));
}

// A body's tokens, as companion/offline/delta.py cuts them: runs ending in a newline, ">" or "}".
const TOKEN = /[^\n>}]*[\n>}]|[^\n>}]+$/g;
function applyPatch(text, edits) {
  const pieces = text.match(TOKEN) || [];
  for (let i = edits.length - 1; i >= 0; i -= 1) {
    const [start, end, replacement] = edits[i];
    pieces.splice(start, end - start, replacement);
  }
  return pieces.join("");
}

async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

const sameTag = (header, etag) => Boolean(header) && header.replace(/^W\//, "").replace(/"/g, "") === etag;

async function readJSON(response) {
  if (!response) return null;
  try {
    return JSON.parse(await response.text());
  } catch {
    return null;
  }
}

async function notify(message, client) {
  const all = await self.clients.matchAll({ type: "window" });
  for (const each of all) each.postMessage(message);
  if (client && !all.some((each) => each.id === client.id)) client.postMessage?.(message);
}

// Web Push: show the message; a tag per session makes repeats replace each other. Each message
// shown is also kept (in the private cache, which signing out clears) for the Alerts page, whose
// saved copy is only as new as the last visit (static/js/alerts.js asks with an "alerts" message).
const DEVICE_ALERTS = "/__device__/alerts";
const DEVICE_ALERTS_KEPT = 100;
self.addEventListener("push", (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(Promise.all([
    self.registration.showNotification(data.title || "Conference Companion", {
      body: data.body || "",
      tag: data.tag || undefined,
      renotify: Boolean(data.tag && data.kind === "change"),
      icon: ICON,
      badge: ICON,
      data: { url: data.url || "/" },
    }),
    keepAlert(data),
  ]));
});

async function deviceAlerts() {
  const cache = await caches.open(PRIVATE_CACHE);
  const list = await readJSON(await cache.match(DEVICE_ALERTS));
  return Array.isArray(list) ? list : [];
}

async function keepAlert(data) {
  if (!data.title) return;
  const entry = { id: data.id ?? null, kind: data.kind || "change", title: String(data.title), body: String(data.body || ""), url: String(data.url || "/"), received: new Date().toISOString() };
  const list = [entry, ...(await deviceAlerts()).filter((each) => entry.id === null || each.id !== entry.id)];
  await put(PRIVATE_CACHE, DEVICE_ALERTS, new Response(JSON.stringify(list.slice(0, DEVICE_ALERTS_KEPT)), { headers: { "Content-Type": "application/json" } }));
}

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
