// Offline support for every page: registers the service worker, keeps stars made offline in
// IndexedDB and replays them in order when the network returns, and tells the attendee when they
// are offline, how old their copy is, and when the programme or the app was updated.
const DB_NAME = "companion";
const STORE = "pending-stars";

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, work) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result.result ?? result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

const queue = {
  /** Keep a star or unstar to send later (in order). */
  add: (guid, action) => withStore("readwrite", (store) => store.add({ guid, action, at: Date.now() })),
  /** Everything not yet sent, oldest first. */
  all: async () => {
    try {
      return await withStore("readonly", (store) => store.getAll());
    } catch {
      return []; // storage unavailable: nothing was queued here
    }
  },
  remove: (id) => withStore("readwrite", (store) => store.delete(id)),
  clear: () => withStore("readwrite", (store) => store.clear()),
};

let replaying = null;
/** Send queued stars in order. A network failure stops and keeps the rest for the next try. */
function replay() {
  if (!replaying) replaying = doReplay().finally(() => { replaying = null; });
  return replaying;
}

async function doReplay() {
  let sent = 0;
  for (const item of await queue.all()) {
    let response;
    try {
      response = await fetch(`/api/v1/me/stars/${encodeURIComponent(item.guid)}`, {
        method: item.action === "star" ? "PUT" : "DELETE",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
    } catch {
      return sent; // still offline
    }
    if (response.ok) {
      await queue.remove(item.id);
      sent += 1;
    } else if (response.status === 404) {
      await queue.remove(item.id);
      notice("A session you starred offline no longer exists; it was left out.");
    } else {
      return sent; // kept for the next try, never dropped silently
    }
  }
  if (sent) {
    // Refresh the saved copy of /api/v1/me, so the next offline visit starts from the server's state.
    await fetch("/api/v1/me", { credentials: "same-origin" }).catch(() => undefined);
    const conf = conference();
    if (conf) await fetch(`/${conf}/my/`, { credentials: "same-origin" }).catch(() => undefined);
    document.dispatchEvent(new CustomEvent("cc:stars-synced", { detail: { sent } }));
  }
  return sent;
}

function banner(kind, html) {
  let element = document.querySelector(`[data-banner="${kind}"]`);
  if (!element) {
    element = document.createElement("div");
    element.className = `banner banner-${kind}`;
    element.dataset.banner = kind;
    element.setAttribute("role", "status");
    document.querySelector("main")?.prepend(element);
  }
  element.innerHTML = html;
  element.hidden = false;
  return element;
}

/** "The programme has changed": the open page shows an older revision than `revision`. */
function programmeChanged(revision) {
  const element = banner("update", 'The programme has changed. <button type="button" class="link-button" data-reload>Show the new version</button>');
  element.dataset.revision = String(revision ?? "");
  element.querySelector("[data-reload]").addEventListener("click", () => location.reload());
}

function notice(text) {
  const element = banner("notice", "");
  element.textContent = text;
}

function ago(iso) {
  const minutes = Math.round((Date.now() - new Date(iso).getTime()) / 60000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 24 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

async function savedAt() {
  const controller = navigator.serviceWorker?.controller;
  if (!controller) return null;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data.savedAt);
    controller.postMessage({ type: "age", url: location.href }, [channel.port2]);
    setTimeout(() => resolve(null), 1000);
  });
}

async function showConnection() {
  document.documentElement.classList.toggle("is-offline", !navigator.onLine);
  if (navigator.onLine) {
    const element = document.querySelector('[data-banner="offline"]');
    if (element) element.hidden = true;
    return;
  }
  const saved = await savedAt();
  const pending = (await queue.all()).length;
  banner("offline", `<strong>You are offline.</strong> ${saved ? `This copy was saved ${ago(saved)}.` : "Showing the saved copy."}`
    + (pending ? ` ${pending} change${pending > 1 ? "s" : ""} to your schedule will be sent when you are back online.` : ""));
}

function conference() {
  const first = location.pathname.split("/")[1];
  return document.body.dataset.conference || (first && !["api", "static", "login", "register", "settings", "link", "password-reset", "offline"].includes(first) ? first : null);
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  let registration;
  try {
    registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  } catch (error) {
    console.warn("service worker not registered", error);
    return;
  }
  const offerUpdate = (worker) => {
    const element = banner("update", 'A new version of the app is ready. <button type="button" class="link-button" data-update>Update now</button>');
    delete element.dataset.revision;
    element.querySelector("[data-update]").addEventListener("click", () => worker.postMessage({ type: "skip-waiting" }));
  };
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !window.__ccUpdating) return;
    reloading = true;
    location.reload();
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-update]")) window.__ccUpdating = true;
  });
  navigator.serviceWorker.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "offline-ready") document.documentElement.dataset.offlineReady = String(data.revision);
    if (data.type === "programme-updated") {
      document.documentElement.dataset.offlineReady = String(data.revision);
      // Not when live-page.js already patched this revision onto the page: it is on screen.
      if (!window.ccLivePage?.shows(data.revision)) programmeChanged(data.revision);
    }
  });
  const warm = async () => {
    const conf = conference();
    const ready = await navigator.serviceWorker.ready;
    if (conf && navigator.onLine) ready.active?.postMessage({ type: "warm", conference: conf });
  };
  warm();
  window.addEventListener("online", warm);
}

/** My schedule without a network: the saved page plus what is waiting to be sent. */
async function overlaySchedule() {
  if (!document.querySelector("[data-my-schedule]")) return;
  const pending = await queue.all();
  if (!pending.length) return;
  const last = new Map();
  for (const item of pending) last.set(item.guid, item.action);
  const waiting = [];
  for (const [guid, action] of last) {
    const entry = document.querySelector(`.entry [data-guid="${CSS.escape(guid)}"]`)?.closest(".entry");
    if (action === "unstar" && entry) entry.classList.add("is-pending-removal");
    if (action === "star" && !entry) waiting.push(guid);
  }
  if (!waiting.length) return;
  let titles = {};
  try {
    const conf = conference();
    const response = await fetch(`/api/v1/conferences/${conf}/programme`);
    const doc = await response.json();
    titles = Object.fromEntries(doc.sessions.map((s) => [s.guid, s]));
  } catch { /* titles stay unknown */ }
  const list = waiting.map((guid) => {
    const s = titles[guid];
    // In the zone this device shows (static/js/zone.js), as every other time.
    const when = s && window.ccZone ? `${window.ccZone.format("short-day", s.start)} ${window.ccZone.format("clock", s.start)}` : "";
    const link = s ? `/${conference()}/sessions/${guid}/` : "#";
    const title = s ? s.title.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])) : "A session";
    return `<li><a href="${link}">${title}</a> <span class="muted">${when}</span></li>`;
  }).join("");
  banner("pending", `<strong>Starred offline, waiting to be sent:</strong><ul>${list}</ul>`);
}

function signOutClearsPrivateData() {
  document.addEventListener("submit", (event) => {
    if (!event.target.matches("[data-sign-out]")) return;
    queue.clear().catch(() => undefined);
    navigator.serviceWorker?.controller?.postMessage({ type: "sign-out" });
  });
}

window.ccOffline = { queue, replay, programmeChanged };
registerWorker();
signOutClearsPrivateData();
showConnection();
overlaySchedule();
window.addEventListener("online", () => { showConnection(); replay(); });
window.addEventListener("offline", showConnection);
if (navigator.onLine) replay();
