// The three-colour vote under a session. The page is the same cached bytes for everyone, so
// this script decides what it shows: the cards only while voting is open (from the session's
// start to the end of its day, by the device's clock or the deployment's FIXED_NOW), the card
// this person dropped, and a vote made offline, kept in IndexedDB and sent when the network is
// back. A vote is one per person per session on the server, so a replay or a double tap can only
// repeat it; only the newest vote per session is kept in the queue.
const DB_NAME = "companion-votes";
const STORE = "pending";
const loadedAt = Date.now();
const body = document.body;

function instant() {
  const fixed = Date.parse(body.dataset.fixedNow || "");
  return Number.isNaN(fixed) ? Date.now() : fixed + (Date.now() - loadedAt);
}

function openDb() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "guid" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function withStore(mode, work) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request?.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Votes not yet sent: at most one per session, the newest (vote null: take the card back). */
export const pending = {
  put: (item) => withStore("readwrite", (store) => store.put({ ...item, at: Date.now() })),
  all: async () => {
    try {
      return (await withStore("readonly", (store) => store.getAll())) || [];
    } catch {
      return [];
    }
  },
  remove: (guid) => withStore("readwrite", (store) => store.delete(guid)),
};

let csrf = "";
async function token() {
  if (csrf) return csrf;
  try {
    csrf = (await window.ccMe())?.csrf_token || "";
  } catch {
    // offline: the write will be queued anyway
  }
  return csrf;
}

/** Send one vote; a Response, or null when the network failed. */
async function send(item) {
  const headers = { Accept: "application/json", "X-CSRFToken": await token() };
  const init = item.vote
    ? { method: "PUT", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ vote: item.vote, comment: item.comment || "" }) }
    : { method: "DELETE", headers };
  try {
    return await fetch(`/api/v1/me/votes/${encodeURIComponent(item.guid)}`, { ...init, credentials: "same-origin" });
  } catch {
    return null;
  }
}

async function messageOf(response) {
  try {
    return (await response.json()).error?.message || "";
  } catch {
    return "";
  }
}

let replaying = null;
/** Send queued votes; a network failure keeps the rest for the next try. */
export function replay() {
  if (!replaying) {
    replaying = (async () => {
      for (const item of await pending.all()) {
        const response = await send(item);
        if (!response) return;
        await pending.remove(item.guid);
        const section = document.querySelector(`[data-vote][data-guid="${CSS.escape(item.guid)}"]`);
        if (section) render(section, response.ok ? item.vote : section.dataset.voted || null, response.ok ? "" : await messageOf(response) || "Your offline vote could not be saved.");
      }
    })().finally(() => { replaying = null; });
  }
  return replaying;
}

function clockOf(iso) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: body.dataset.zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
}

function render(section, vote, message = "", queued = false) {
  section.dataset.voted = vote || "";
  section.querySelectorAll("button.vote-card").forEach((button) => button.setAttribute("aria-pressed", String(button.value === vote)));
  section.querySelector("[data-vote-after]").hidden = !vote;
  const status = section.querySelector("[data-vote-status]");
  status.classList.toggle("vote-queued", queued);
  if (message) status.textContent = message;
  else if (queued) status.textContent = vote ? `Your ${vote} card is saved on this device and will be sent when you are back online.` : "Your card will be taken back when you are back online.";
  else if (vote) status.textContent = `You dropped a ${vote} card. You can change it until the end of the day.`;
  else status.textContent = `Drop a card: green, yellow or red. You can change it until the end of the day; only the track's hosts see the results.`;
}

/** Show the cards while voting is open; before, say when it opens; after, nothing. */
function place(section) {
  const now = instant();
  const opens = Date.parse(section.dataset.opens);
  const closes = Date.parse(section.dataset.closes);
  const form = section.querySelector("[data-vote-form]");
  if (now >= closes) {
    section.hidden = true;
    return false;
  }
  const open = now >= opens;
  form.hidden = !open;
  section.hidden = false;
  if (!open) section.querySelector("[data-vote-status]").textContent = `Voting opens when the session starts, at ${clockOf(section.dataset.opens)}.`;
  return open;
}

async function setup(section) {
  const conf = body.dataset.conference;
  const guid = section.dataset.guid;
  let vote = null;
  let comment = "";
  try {
    const response = await fetch(`/api/v1/me/votes?conference=${encodeURIComponent(conf)}`, { credentials: "same-origin" });
    if (response.ok) ({ vote = null, comment = "" } = (await response.json()).votes[guid] || {});
  } catch {
    // offline and never fetched: start from the queue
  }
  const queued = (await pending.all()).find((item) => item.guid === guid);
  if (queued) ({ vote, comment } = queued);
  const textarea = section.querySelector("textarea");
  if (comment && !textarea.value) textarea.value = comment;
  const wasOpen = place(section);
  if (wasOpen) render(section, vote, "", Boolean(queued));
  // Open the cards when the session starts while the page is open; close them at the end.
  const timer = setInterval(() => {
    const open = place(section);
    if (open && section.dataset.shown !== "yes") render(section, section.dataset.voted || null);
    section.dataset.shown = open ? "yes" : "";
    if (section.hidden) clearInterval(timer);
  }, 15_000);
  section.dataset.shown = wasOpen ? "yes" : "";

  const submit = async (choice) => {
    const item = { guid, vote: choice, comment: choice ? textarea.value.trim() : "" };
    const before = section.dataset.voted || null;
    render(section, choice);
    if (!navigator.onLine || (await pending.all()).length) {
      await pending.put(item);
      render(section, choice, "", true);
      if (navigator.onLine) await replay();
      return;
    }
    const response = await send(item);
    if (!response) {
      await pending.put(item);
      render(section, choice, "", true);
    } else if (!response.ok) {
      render(section, before, (await messageOf(response)) || "Your vote could not be saved. Try again.");
    } else {
      render(section, choice);
    }
  };
  section.addEventListener("submit", (event) => {
    event.preventDefault();
    const choice = event.submitter?.value;
    if (choice) submit(choice);
  });
  textarea.addEventListener("input", () => {
    if (section.dataset.voted) section.querySelector("[data-vote-status]").textContent = "Tap your card again to send the comment with it.";
  });
  section.querySelector("[data-vote-withdraw]").addEventListener("click", () => {
    textarea.value = "";
    submit(null);
  });
}

// For tests and the other scripts, as window.ccOffline is for stars.
window.ccVotes = { pending, replay };
document.querySelectorAll("[data-vote]").forEach((section) => setup(section));
window.addEventListener("online", () => replay());
if (navigator.onLine) replay();
