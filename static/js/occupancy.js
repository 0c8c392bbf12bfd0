// "Room full" on room and session pages. The pages are the same cached bytes for everyone, so
// this script reads which rooms are full once (GET …/rooms/full), follows the live events stream
// (frames of type "room" from live.js), and hides the sign by itself when the session it was for
// ends. To the session's track hosts and organisers (from /api/v1/me) it shows a one-tap switch;
// the server checks again.
const body = document.body;
const conference = body.dataset.conference;
const LEAD_MS = 30 * 60_000; // as companion/occupancy/operations.LEAD
const loadedAt = Date.now();
const boxes = [...document.querySelectorAll("[data-room-status]")];
/** Full rooms by slug: { until, session }. */
const full = new Map();
let rights = null;
let csrf = "";

function instant() {
  const fixed = Date.parse(body.dataset.fixedNow || "");
  return Number.isNaN(fixed) ? Date.now() : fixed + (Date.now() - loadedAt);
}

const clock = (iso) => new Intl.DateTimeFormat("en-GB", { timeZone: body.dataset.zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));

/** The tracks whose hosts may mark a box's room now: the session page's own session while it is
 * on or about to start, or on a room page every card on now or starting within LEAD_MS (the
 * queue at the door for the next one), as the server decides. */
function tracksOf(box) {
  const now = instant();
  const within = (el) => Date.parse(el.dataset.start) - LEAD_MS <= now && now < Date.parse(el.dataset.end);
  if (box.dataset.start) return within(box) ? [box.dataset.track] : [];
  return [...document.querySelectorAll("[data-room-days] .talk[data-start]")]
    .filter((card) => card.dataset.kind !== "break" && !card.classList.contains("is-cancelled") && within(card))
    .map((card) => card.dataset.track);
}

function show() {
  const now = instant();
  for (const box of boxes) {
    const slug = box.dataset.roomStatus;
    const entry = full.get(slug);
    const isFull = Boolean(entry) && Date.parse(entry.until) > now;
    const sign = box.querySelector("[data-room-full]");
    sign.hidden = !isFull;
    box.querySelector("[data-room-full-until]").textContent = isFull ? `Until about ${clock(entry.until)}, when the session ends.` : "";
    const tracks = tracksOf(box);
    const may = Boolean(rights) && tracks.length > 0 && (rights.organiser || tracks.some((t) => (rights.tracks || []).includes(t)));
    const toggle = box.querySelector("[data-room-toggle]");
    box.querySelector("[data-room-switch]").hidden = !may;
    toggle.setAttribute("aria-pressed", String(isFull));
    toggle.textContent = isFull ? `${box.dataset.roomName} has seats again` : `Mark ${box.dataset.roomName} full`;
  }
}

async function load() {
  try {
    const response = await fetch(`/api/v1/conferences/${encodeURIComponent(conference)}/rooms/full`, { credentials: "same-origin" });
    if (!response.ok) return;
    full.clear();
    for (const [slug, entry] of Object.entries((await response.json()).rooms || {})) full.set(slug, entry);
  } catch {
    return; // offline with no saved answer: no sign (the room may or may not be full)
  }
  show();
}

async function loadRights() {
  try {
    const me = await window.ccMe();
    if (!me) return;
    csrf = me.csrf_token || "";
    rights = me.edits?.[conference] ?? null;
  } catch {
    // offline: marking a room needs the network anyway
  }
  show();
}

async function toggle(box) {
  const slug = box.dataset.roomStatus;
  const button = box.querySelector("[data-room-toggle]");
  const making = button.getAttribute("aria-pressed") !== "true";
  const problem = box.querySelector("[data-room-error]");
  button.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(`/api/v1/conferences/${encodeURIComponent(conference)}/rooms/${encodeURIComponent(slug)}/full`, {
      method: making ? "PUT" : "DELETE",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrf },
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(answer.error?.message || "The room could not be marked. Try again.");
    if (answer.full) full.set(slug, { until: answer.until }); else full.delete(slug);
    show();
    problem.hidden = true;
  } catch (error) {
    problem.hidden = false;
    problem.textContent = navigator.onLine ? error.message : "You are offline: the room can be marked once you are back online.";
  } finally {
    button.removeAttribute("aria-busy");
  }
}

if (conference && boxes.length) {
  boxes.forEach((box) => box.querySelector("[data-room-toggle]").addEventListener("click", () => toggle(box)));
  document.addEventListener("cc:live-frame", (event) => {
    const { type, data } = event.detail;
    if (type === "room" && data?.room) {
      if (data.full) full.set(data.room, { until: data.until, session: data.session }); else full.delete(data.room);
      show();
    } else if (type === "reset") {
      load(); // events were missed: read the state again
    }
  });
  load();
  loadRights();
  setInterval(show, 30_000); // a sign ends with its session; a switch appears before the next
}
