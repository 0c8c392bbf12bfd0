// Conference Companion: progressive enhancement only. Every page works without this file.
const KEY_ZONE = "cc.zone";

/** Times: conference zone by default; a switch shows them in the device's zone instead. */
function setupZones() {
  const confZone = document.body.dataset.zone;
  const toggle = document.querySelector("[data-zone-toggle]");
  if (!confZone || !toggle || typeof Intl === "undefined") return;
  const deviceZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const labels = [...document.querySelectorAll("[data-zone-label]")];
  labels.forEach((el) => { el.dataset.original = el.textContent; });
  const times = [...document.querySelectorAll("time[datetime*='T']")];
  times.forEach((el) => { el.dataset.original = el.textContent; });
  const sameOffsets = times.every((el) => offsetIn(el.dateTime, confZone) === offsetIn(el.dateTime, deviceZone));
  if (!deviceZone || deviceZone === confZone || sameOffsets) return; // nothing to switch

  const apply = (useDevice) => {
    const fmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: deviceZone });
    times.forEach((el) => { el.textContent = useDevice ? fmt.format(new Date(el.dateTime)) : el.dataset.original; });
    labels.forEach((el) => { el.textContent = useDevice ? `your device's time (${deviceZone.replace(/_/g, " ")})` : el.dataset.original; });
    toggle.textContent = useDevice ? "Show conference time" : "Show my device's time";
    toggle.setAttribute("aria-pressed", String(useDevice));
  };
  toggle.hidden = false;
  let useDevice = localStorage.getItem(KEY_ZONE) === "device";
  apply(useDevice);
  toggle.addEventListener("click", () => {
    useDevice = !useDevice;
    localStorage.setItem(KEY_ZONE, useDevice ? "device" : "conference");
    apply(useDevice);
  });
}

function offsetIn(iso, zone) {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
  return parts;
}

/** Day page filters: the links work without JS; with JS they filter in place, no reload. */
function setupFilters() {
  const panel = document.querySelector("[data-filters]");
  if (!panel) return;
  const cards = [...document.querySelectorAll("[data-timeline] .talk")];
  const slots = [...document.querySelectorAll("[data-timeline] [data-slot]")];
  const status = document.querySelector("[data-filter-status]");
  const empty = document.querySelector("[data-filter-empty]");
  const url = new URL(location.href);
  let track = url.searchParams.get("track") || "";
  let kind = url.searchParams.get("kind") || "";

  const apply = () => {
    let shown = 0;
    cards.forEach((card) => {
      const visible = (!track || card.dataset.track === track) && (!kind || card.dataset.kind === kind);
      card.hidden = !visible;
      if (visible) shown += 1;
    });
    slots.forEach((slot) => { slot.hidden = !slot.querySelector(".talk:not([hidden])"); });
    panel.querySelectorAll("a.filter").forEach((link) => {
      const isTrack = link.closest("[aria-label='Track']") !== null;
      const current = isTrack ? link.dataset.filterTrack === track : link.dataset.filterKind === kind;
      if (current) link.setAttribute("aria-current", "true"); else link.removeAttribute("aria-current");
    });
    const on = Boolean(track || kind);
    status.textContent = on ? `${shown} of ${cards.length} sessions shown.` : "";
    empty.hidden = !on || shown > 0;
    const next = new URL(location.href);
    for (const [name, value] of [["track", track], ["kind", kind]]) {
      if (value) next.searchParams.set(name, value); else next.searchParams.delete(name);
    }
    history.replaceState(null, "", next);
  };

  panel.addEventListener("click", (event) => {
    const link = event.target.closest("a.filter");
    if (!link) return;
    event.preventDefault();
    if (link.closest("[aria-label='Track']")) track = link.dataset.filterTrack; else kind = link.dataset.filterKind;
    apply();
  });
}

/** Mark sessions that are on now, and keep the mark current while the page stays open. */
function setupNow() {
  const cards = [...document.querySelectorAll(".talk[data-start]")];
  if (!cards.length) return;
  const fixed = document.body.dataset.now;
  const mark = () => {
    const now = fixed ? new Date(fixed) : new Date();
    cards.forEach((card) => {
      const on = new Date(card.dataset.start) <= now && now < new Date(card.dataset.end);
      card.classList.toggle("is-now", on);
    });
  };
  mark();
  if (!fixed) setInterval(mark, 60_000);
}

setupZones();
setupFilters();
setupNow();
