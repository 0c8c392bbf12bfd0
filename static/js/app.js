// Conference Companion: progressive enhancement only. Every page works without this file.

/** /api/v1/me (who is signed in, the CSRF token, stars, edit rights), asked once per page load:
 * stars, tools, votes, the room switch and questions share the one answer (null offline). */
let meAnswer = null;
window.ccMe = () => {
  meAnswer ??= fetch("/api/v1/me", { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : null))
    .catch(() => null);
  return meAnswer;
};

/** Times: every <time datetime> as the server wrote it (the conference's zone), or in the
 * device's zone when the person chose it with a switch (the header, Settings), with day breaks
 * where the device's date changes between two sessions. static/js/zone.js formats. */
function setupZones() {
  const zone = window.ccZone;
  const switches = [...document.querySelectorAll("[data-zone-switch]")];
  if (!zone || !document.body.dataset.zone || !zone.switchable) return; // times are right as rendered
  const labels = [...document.querySelectorAll("[data-zone-label]")];
  labels.forEach((el) => { el.dataset.original = el.textContent; });
  const firstDay = `${(document.body.dataset.days || "").split(" ")[0]}T12:00:00Z`;

  const apply = (root = document) => {
    const device = zone.usingDevice();
    root.querySelectorAll("time[datetime*='T']").forEach((el) => showTime(el, device));
    labels.forEach((el) => { el.textContent = device ? zone.label(zone.deviceZone, el.dataset.zoneAt || firstDay) : el.dataset.original; });
    switches.forEach((group) => group.querySelectorAll("[data-zone-choice]").forEach((button) => {
      button.setAttribute("aria-pressed", String((button.dataset.zoneChoice === "device") === device));
    }));
    dayBreaks(device);
  };
  const showTime = (el, device) => {
    el.dataset.original ??= el.textContent;
    const kind = el.dataset.format || (/^\d{1,2}:\d{2}$/.test(el.dataset.original.trim()) ? "clock" : "");
    if (!kind) return; // a time written some other way: left as it is
    if (!device) {
      el.textContent = el.dataset.original;
      return;
    }
    const before = el.previousElementSibling;
    const from = kind === "end" && before?.matches("time[datetime]") ? before.dateTime : null;
    el.textContent = zone.format(kind, el.dateTime, zone.deviceZone, from);
  };
  switches.forEach((group) => {
    const mine = group.querySelector('[data-zone-choice="device"]');
    mine.textContent = `My time (${zone.city(zone.deviceZone)})`;
    group.hidden = false;
    const section = group.closest("[data-zone-section]");
    if (section) section.hidden = false;
    group.addEventListener("click", (event) => {
      const button = event.target.closest("[data-zone-choice]");
      if (!button) return;
      zone.choose(button.dataset.zoneChoice === "device");
    });
  });
  document.addEventListener("cc:zone", () => apply());
  // Another tab chose: follow it.
  window.addEventListener("storage", (event) => { if (event.key === "cc.zone") apply(); });
  // Cards and times that now.js or live-page.js put on the page, and filtered lists, follow too.
  document.addEventListener("cc:content", (event) => apply(event.target));
  document.addEventListener("cc:filtered", () => dayBreaks(zone.usingDevice()));
  apply();
}

/** Lists in time order ([data-day-breaks], its value the programme day shown above the list, if
 * any): in the device's zone, a heading wherever the date changes between two of its items. */
function dayBreaks(device) {
  const zone = window.ccZone;
  document.querySelectorAll("[data-day-break]").forEach((heading) => heading.remove());
  if (!device) return;
  for (const list of document.querySelectorAll("[data-day-breaks]")) {
    const day = list.dataset.dayBreaks;
    let last = day ? zone.dateKey(`${day}T12:00:00Z`, zone.conferenceZone) : "";
    for (const item of [...list.children]) {
      if (item.hidden) continue;
      const start = item.dataset.start || item.querySelector("time[datetime*='T']")?.dateTime;
      if (!start) continue;
      const date = zone.dateKey(start, zone.deviceZone);
      if (last && date !== last) {
        const text = zone.format("day", start, zone.deviceZone);
        const heading = list.tagName === "TBODY" ? breakRow(list, text) : document.createElement("h3");
        heading.classList.add("day-break");
        heading.dataset.dayBreak = "";
        if (list.tagName !== "TBODY") heading.textContent = text;
        item.before(heading);
      }
      last = date;
    }
  }
}

/** A date heading as a row of the day grid's table, across all its columns. */
function breakRow(body, text) {
  const row = document.createElement("tr");
  row.setAttribute("role", "row");
  const cell = document.createElement("th");
  const header = body.closest("table")?.querySelector("thead tr");
  cell.colSpan = header ? [...header.cells].reduce((sum, th) => sum + th.colSpan, 0) : 1;
  cell.scope = "colgroup";
  cell.setAttribute("role", "columnheader");
  cell.textContent = text;
  row.append(cell);
  return row;
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
    document.dispatchEvent(new CustomEvent("cc:filtered"));
  };

  panel.addEventListener("click", (event) => {
    const link = event.target.closest("a.filter");
    if (!link) return;
    event.preventDefault();
    if (link.closest("[aria-label='Track']")) track = link.dataset.filterTrack; else kind = link.dataset.filterKind;
    apply();
  });
  // Offline, the service worker answers a filtered address with the saved day page: filter it here.
  if (track || kind) apply();
}

/** Stars: one tap, no reload. Pages are cached for everyone, so the state comes from /api/v1/me
 * (the service worker answers from its copy when offline), plus what is queued offline. */
function setupStars() {
  const forms = [...document.querySelectorAll("form.star-form")];
  if (!forms.length && !document.querySelector("[data-now-next], [data-now-next-mine]")) return;
  const offline = window.ccOffline;
  const show = (form, on) => {
    const button = form.querySelector("button");
    button.setAttribute("aria-pressed", String(on));
    button.title = on ? "Remove from my schedule" : "Add to my schedule";
    const label = button.querySelector(".visually-hidden");
    if (label) label.textContent = label.textContent.replace(/^(Starred: remove|Star)/, on ? "Starred: remove" : "Star");
    form.querySelector("input[name=action]").value = on ? "unstar" : "star";
  };
  // The listener is attached at once, so a tap during loading is never a full-page form post.
  const state = (async () => {
    // Offline with no saved copy: start from what is queued here.
    const me = (await window.ccMe()) ?? { stars: [], csrf_token: "" };
    const starred = new Set(me.stars);
    for (const item of offline ? await offline.queue.all() : []) {
      if (item.action === "star") starred.add(item.guid); else starred.delete(item.guid);
    }
    forms.forEach((form) => show(form, starred.has(form.dataset.guid)));
    document.documentElement.dataset.starsReady = "yes";
    return me;
  })();
  // Cards that now.js copies onto the page show the same state as their twins (or the saved one).
  document.addEventListener("cc:content", async (event) => {
    const me = await state;
    event.target.querySelectorAll("form.star-form").forEach((form) => {
      const twin = [...document.querySelectorAll(`form.star-form[data-guid="${form.dataset.guid}"]`)].find((f) => !event.target.contains(f));
      show(form, twin ? twin.querySelector("button").getAttribute("aria-pressed") === "true" : me.stars.includes(form.dataset.guid));
    });
  });
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.star-form");
    if (!form) return;
    event.preventDefault();
    const me = await state;
    const guid = form.dataset.guid;
    const button = form.querySelector("button");
    const on = button.getAttribute("aria-pressed") !== "true";
    const same = document.querySelectorAll(`form.star-form[data-guid="${guid}"]`);
    same.forEach((f) => show(f, on));
    const action = on ? "star" : "unstar";
    const keepForLater = async () => {
      await offline.queue.add(guid, action);
      announce(on ? "Starred offline: it will be saved when you are back online." : "Unstarred offline: it will be saved when you are back online.");
    };
    button.setAttribute("aria-busy", "true");
    try {
      if (offline && (!navigator.onLine || (await offline.queue.all()).length)) {
        await keepForLater(); // keep the order: earlier offline changes go first
        if (navigator.onLine) await offline.replay();
        return;
      }
      let response;
      try {
        response = await fetch(`/api/v1/me/stars/${encodeURIComponent(guid)}`, {
          method: on ? "PUT" : "DELETE",
          credentials: "same-origin",
          headers: { "X-CSRFToken": me.csrf_token, Accept: "application/json" },
        });
      } catch (networkError) {
        if (!offline) throw networkError;
        await keepForLater();
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      refreshSavedStars();
    } catch {
      same.forEach((f) => show(f, !on));
      announce(on ? "Could not star this session. Try again." : "Could not unstar this session. Try again.");
    } finally {
      button.removeAttribute("aria-busy");
    }
  });
}

/** Ask for /api/v1/me again so that the service worker's offline copy matches the server. */
function refreshSavedStars() {
  fetch("/api/v1/me", { credentials: "same-origin" }).catch(() => undefined);
  const conference = document.body.dataset.conference;
  if (conference) fetch(`/${conference}/my/`, { credentials: "same-origin" }).catch(() => undefined);
}

function announce(message) {
  let region = document.getElementById("cc-announce");
  if (!region) {
    region = document.createElement("p");
    region.id = "cc-announce";
    region.className = "toast";
    region.setAttribute("role", "status");
    document.body.append(region);
  }
  region.textContent = message;
  region.hidden = false;
  setTimeout(() => { region.hidden = true; }, 4000);
}

/** Hosts and organisers: "Edit" on the sessions they may change, and their tools in the menu.
 * Pages are cached for everyone, so what a person may edit comes from /api/v1/me ("edits");
 * every write is checked on the server again. */
async function setupTools() {
  const conference = document.body.dataset.conference;
  const links = document.querySelectorAll("[data-edit], [data-tools]");
  if (!conference || !links.length) return;
  const rights = (await window.ccMe())?.edits?.[conference] ?? null; // offline: none
  if (!rights) return;
  const tracks = new Set(rights.tracks || []);
  for (const link of links) {
    const kind = link.dataset.tools;
    if (kind === "organiser") link.hidden = !rights.organiser;
    else if (kind === "host") link.hidden = !rights.organiser && !tracks.size;
    // data-edit-track: one track's slug, or several separated by spaces (a speaker's tracks).
    else link.hidden = !rights.organiser && !(link.dataset.editTrack || "").split(" ").some((t) => tracks.has(t));
  }
}

setupZones();
setupFilters();
setupStars();
setupTools();
