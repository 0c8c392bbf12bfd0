// Live programme changes (issue 16, docs/live.md): one Server-Sent Events
// connection per device for all the open tabs of a conference, or a cheap conditional poll where
// EventSource fails. Every frame becomes a `cc:live-frame` event on document; live-page.js
// patches the open page from it. Progressive enhancement only: without this file the pages still
// say "The programme has changed" when the service worker syncs.
//
// One connection per device: the tabs elect a leader with the Web Locks API; it holds the
// EventSource and rebroadcasts every frame on a BroadcastChannel, and when it closes the next tab
// in the lock's queue takes over, resuming from the last event id the tabs share in localStorage.
// Not a SharedWorker: Chrome on Android (most attendees' phones) has none, and Safari only since
// 16; locks and channels work everywhere a SharedWorker would, and more. Not the service worker
// either: the browser stops an idle worker after about 30 s, open stream or not.
const body = document.body;
const conference = body.dataset.conference;
const streamUrl = body.dataset.live;
const KEY_LAST = `cc.live.last:${conference}`;
// Errors before any `open` after which EventSource counts as broken here (a proxy that buffers,
// a network that drops long responses): the page polls instead.
const FAILURES_BEFORE_POLLING = 3;
// The poll's period, jittered by ± a quarter so that phones do not poll in step.
const POLL_MS = 20_000;

let lastId = null; // the newest event id this tab has handled
let state = "connecting";
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(`cc-live:${conference}`) : null;

function setState(next, { tell = true } = {}) {
  state = next;
  document.documentElement.dataset.liveState = next;
  if (tell && channel) channel.postMessage({ kind: "state", state: next });
}

function storedId() {
  const value = Number(localStorage.getItem(KEY_LAST));
  return Number.isInteger(value) && value > 0 ? value : null;
}

function remember(id) {
  lastId = id;
  try {
    localStorage.setItem(KEY_LAST, String(id));
  } catch { /* private mode: a tab that takes over starts afresh */ }
}

/** Hand one frame to the page (and the service worker); `own` when this tab read it from the
 * network (it then stores the id and, as leader, rebroadcasts it). */
function deliver(type, data, id, { own = true } = {}) {
  if (id !== null && id !== undefined) {
    if (lastId !== null && id <= lastId) return; // a replay this tab already has
    if (own) remember(id); else lastId = id;
  }
  if (type === "reset") { // ids from another database, or pruned: what follows comes after last_id
    lastId = null;
    try {
      localStorage.removeItem(KEY_LAST);
    } catch { /* as in remember() */ }
    if (Number.isInteger(data?.last_id)) {
      if (own) remember(data.last_id); else lastId = data.last_id;
    }
  }
  if (own && channel && state === "open") channel.postMessage({ kind: "frame", type, data, id });
  // Only the tab that read the frame asks the worker: the others would only repeat it.
  if (own && ["change", "pages", "reset"].includes(type)) warmServiceWorker();
  document.dispatchEvent(new CustomEvent("cc:live-frame", { detail: { type, data, id } }));
}

/** The service worker runs its delta sync: the offline copy gets exactly the changed pages. */
async function warmServiceWorker() {
  if (!("serviceWorker" in navigator) || !navigator.onLine) return;
  const ready = await navigator.serviceWorker.ready;
  ready.active?.postMessage({ type: "warm", conference });
}

/** The stream's URL, resuming after `from` when given (EventSource cannot set Last-Event-ID on
 * a new connection, so it goes in the query). */
function urlFor(params) {
  const url = new URL(streamUrl, location.href);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.href;
}

const jitter = (ms) => ms * (0.75 + Math.random() / 2);
const parse = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/** Hold the stream. Reconnects are ours, not the browser's: the browser's retry would resume
 * from the last `id:` line it saw, and a connection that only ever got `hello` has none, so the
 * events of an outage would be lost. We wait 3–10 s (the server's `retry:` range, so that a
 * restart does not bring every phone back in the same second), longer after repeated failures,
 * and resume from the id we hold. */
function stream(from) {
  let failures = 0;
  let opened = false;
  let source = null;
  const connect = (resume) => {
    setState("connecting");
    source = new EventSource(urlFor({ last_event_id: resume }));
    source.addEventListener("open", () => {
      opened = true;
      failures = 0;
      setState("open");
    });
    source.addEventListener("hello", (event) => {
      const hello = parse(event.data);
      // A fresh connection starts at the server's newest id; a resumed one gets the replay next.
      if (hello && lastId === null) remember(hello.last_id);
      deliver("hello", hello, null);
    });
    for (const type of ["change", "pages", "reset", "room", "question"]) {
      source.addEventListener(type, (event) => deliver(type, parse(event.data), event.lastEventId ? Number(event.lastEventId) : null));
    }
    source.addEventListener("error", () => {
      source.close();
      failures += 1;
      if (!opened && failures >= FAILURES_BEFORE_POLLING) {
        poll();
        return;
      }
      setState("connecting");
      // Never opened yet: try again soon, to fall back to polling within seconds if it must.
      const wait = opened ? Math.min((3000 + Math.random() * 7000) * 2 ** Math.min(failures - 1, 3), 60_000) : jitter(1500);
      setTimeout(() => connect(lastId), wait);
    });
  };
  connect(from);
}

/** The cheap conditional poll (GET URL?after=N, If-None-Match), only while the page is seen. */
let polling = false;
function poll() {
  if (polling) return;
  polling = true;
  setState("polling");
  let etag = null;
  let timer = null;
  const sameOrigin = new URL(streamUrl, location.href).origin === location.origin;
  const once = async () => {
    clearTimeout(timer);
    if (document.visibilityState !== "visible") return; // visibilitychange starts it again
    try {
      const headers = { Accept: "application/json" };
      // Across origins a header of ours would cost a CORS preflight per poll: there the browser
      // revalidates its own copy of the answer instead (`no-cache`), which sends If-None-Match.
      if (sameOrigin && etag) headers["If-None-Match"] = etag;
      const cache = sameOrigin ? "no-store" : "no-cache";
      const response = await fetch(urlFor({ after: lastId }), { headers, cache, credentials: "omit" });
      if (response.status === 404) return setState("off"); // no live events for this conference
      if (response.ok) {
        etag = response.headers.get("ETag") || etag;
        const answer = await response.json();
        const first = lastId === null;
        if (answer.reset) deliver("reset", { revision: null, reason: "poll" }, null);
        // The first answer of a fresh page is the baseline: what it lists is already on the page.
        if (!first || answer.reset) for (const event of answer.events || []) deliver(event.type, event.data, event.id);
        if (answer.last_id !== null && answer.last_id !== undefined && (lastId === null || answer.last_id > lastId)) remember(answer.last_id);
      }
    } catch { /* offline: the next round tries again */ }
    timer = setTimeout(once, jitter(POLL_MS));
  };
  document.addEventListener("visibilitychange", once);
  window.addEventListener("online", once);
  once();
}

/** Where a page with no event id starts: the node's newest id, asked at once. Not the first
 * `hello` or poll answer, which may come seconds later (a stream that cannot open falls back to
 * polling): a change committed meanwhile would pass as already on the page. */
async function baseline() {
  try {
    const response = await fetch(urlFor({}), { headers: { Accept: "application/json" }, cache: "no-store", credentials: "omit" });
    const answer = response.ok ? await response.json() : null;
    if (lastId === null && Number.isInteger(answer?.last_id)) remember(answer.last_id);
  } catch { /* offline: the stream's hello sets it */ }
}

/** Lead: hold the stream (or poll) until this tab closes, which frees the lock for the next. */
function lead(resume) {
  if (resume === null) baseline();
  if (channel) {
    channel.onmessage = (event) => {
      if (event.data?.kind === "ask") channel.postMessage({ kind: "state", state });
    };
  }
  if (polling) setState("polling"); // a follower that polled goes on polling, now as the leader
  else if (typeof EventSource !== "function") poll();
  else stream(resume);
  return new Promise(() => undefined); // held for the life of the page
}

/** Follow: take the leader's frames; poll too if the leader polls (each visible tab for itself). */
function follow() {
  channel.onmessage = (event) => {
    const message = event.data || {};
    if (message.kind === "frame") deliver(message.type, message.data, message.id, { own: false });
    if (message.kind === "state") {
      setState(message.state, { tell: false });
      if (message.state === "polling" && !polling) {
        if (lastId === null) lastId = storedId();
        poll();
      }
    }
  };
  channel.postMessage({ kind: "ask" });
}

async function start() {
  if (!conference || !streamUrl) return;
  setState("connecting", { tell: false });
  if (!navigator.locks || !channel) {
    lead(null); // every tab on its own
    return;
  }
  const name = `cc-live:${conference}`;
  let leading = false;
  await navigator.locks.request(name, { ifAvailable: true }, (lock) => {
    if (!lock) return undefined;
    leading = true;
    // The first tab: resume from what an earlier page stored, or from the baseline asked at once.
    return lead(storedId());
  });
  if (leading) return;
  follow();
  navigator.locks.request(name, () => {
    // Taking over: resume after the last frame the tabs saw (ours, or what the leader stored).
    const from = lastId ?? storedId();
    channel.onmessage = null;
    lastId = from;
    return lead(from);
  });
}

window.ccLive = { get state() { return state; } };
start();
