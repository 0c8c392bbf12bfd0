// The open page follows live changes (frames from live.js, `cc:live-frame`): every card of a
// changed session, its session page and My schedule show the new time and room at once, with a
// mark that says what changed since the page was shown. What the page cannot patch (a session
// that should now appear here, or leave this day or room, a bulk change) gets the "programme has
// changed" banner instead, as a service worker sync would.
const body = document.body;
const zone = body.dataset.zone;
const conference = body.dataset.conference;
// The fields a page can patch (companion/live/record.py names the status "cancelled"); any other
// ("details": the speakers, the track, the abstract) needs the page rendered again.
const PATCHABLE = new Set(["start", "end", "room", "cancelled", "status", "title"]);

/** The revisions this page now shows by patching (offline.js then shows no banner for them). */
const patched = new Set();

// Times as the server writes them (companion/templating.py): 24-hour clock in the conference's
// zone, "Mon 2", "Monday 2 March", ISO UTC with a "Z", in <time data-format> elements that
// app.js then shows in the zone chosen on this device (static/js/zone.js), as the server's.
const clockFormat = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const clock = (iso) => clockFormat.format(new Date(iso));
const dayFormat = (weekday) => new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday });
const dateOf = (day) => new Date(`${day}T00:00:00Z`);
const shortDay = (day) => `${dayFormat("short").format(dateOf(day))} ${dateOf(day).getUTCDate()}`;
const longDay = (day) => `${dayFormat("long").format(dateOf(day))} ${dateOf(day).getUTCDate()} ${new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", month: "long" }).format(dateOf(day))}`;
const isoZ = (iso) => new Date(iso).toISOString().replace(/\.000Z$/, "Z");
function minutes(start, end) {
  const total = Math.round((Date.parse(end) - Date.parse(start)) / 60_000);
  const [hours, mins] = [Math.floor(total / 60), total % 60];
  if (!hours) return `${mins} min`;
  return mins ? `${hours} h ${mins} min` : `${hours} h`;
}

/** The programme day of an instant, as now.js counts it (hours before the day change belong to
 * the evening before). */
function programmeDay(iso) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" });
  for (const part of format.formatToParts(new Date(iso))) parts[part.type] = part.value;
  const day = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  const shift = Number(parts.hour) < Number(body.dataset.dayChange || 4) ? 86_400_000 : 0;
  return new Date(day - shift).toISOString().slice(0, 10);
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}
const time = (iso, format = "clock", text = clock(iso)) => element("time", { datetime: isoZ(iso), "data-format": format }, text);
const timeRange = (s) => [time(s.start), "–", time(s.end, "end")];
const roomLink = (room) => element("a", { href: room.url, "data-room-name": room.name }, room.label);
/** The room a time line links to, by name (the link shows its label, with the floor). */
const shownRoom = (line) => { const link = line?.querySelector("a[data-room-name]"); return link ? link.dataset.roomName : ""; };

/** What an element showed before the first live change (kept on it, so that the marks always
 * compare with what the attendee saw when the page opened). Rooms are compared by name. */
function original(node, now) {
  node.dataset.wasStart ??= now.start;
  node.dataset.wasEnd ??= now.end;
  node.dataset.wasRoom ??= now.room;
  node.dataset.wasCancelled ??= String(now.cancelled);
  return { start: node.dataset.wasStart, end: node.dataset.wasEnd, room: node.dataset.wasRoom, cancelled: node.dataset.wasCancelled === "true" };
}

/** The marks for a session against what was shown first (or, when the server marked it, what it
 * was a day before: data-was-*): "Moved from Whittle", "New time, was 10:20", "Cancelled",
 * "Back on", "Removed", in the words of templates/partials/marks.html. Each mark is
 * [its text and times, its kind]. */
function marksFor(was, s) {
  if (s.state === "removed") return [[["Removed"], "danger"]];
  const marks = [];
  if (s.cancelled !== was.cancelled) marks.push(s.cancelled ? [["Cancelled"], "danger"] : [["Back on"], "changed"]);
  else if (s.cancelled) marks.push([["Cancelled"], "danger"]);
  const room = s.room?.name || "";
  if (room !== was.room) marks.push([[was.room ? `Moved from ${was.room}` : `Now in ${room}`], "changed"]);
  if (isoZ(s.start) !== isoZ(was.start)) {
    const day = programmeDay(was.start) === s.day ? [] : [time(was.start, "short-day", shortDay(programmeDay(was.start))), " "];
    marks.push([["New time, was ", ...day, time(was.start)], "changed"]);
  } else if (was.end && isoZ(s.end) !== isoZ(was.end)) {
    marks.push([["New time, was ", time(was.start), "–", time(was.end, "end")], "changed"]);
  }
  return marks;
}

/** Put `marks` first in a `.talk-tags` line (made if missing), replacing earlier live marks and
 * the server's "Cancelled" badge, whose place they take. */
function showMarks(tags, marks) {
  tags.querySelectorAll("[data-live-mark], [data-mark], .badge-danger").forEach((badge) => badge.remove());
  tags.prepend(...marks.map(([parts, kind]) => element("span", { class: `badge badge-${kind}`, "data-live-mark": "" }, ...parts)));
  tags.hidden = !tags.children.length;
  tags.dispatchEvent(new CustomEvent("cc:content", { bubbles: true })); // its times (no forms here)
}

function tagsOf(card) {
  let tags = card.querySelector(":scope > .talk-tags");
  if (!tags) {
    tags = element("p", { class: "talk-tags" });
    const after = card.querySelector(":scope > .talk-speakers") || card.querySelector(":scope > .talk-title");
    after.after(tags);
  }
  return tags;
}

/** A card (`article.talk`) of the session, wherever it is. */
function patchCard(card, s) {
  const when = card.querySelector(".talk-when");
  const was = original(card, { start: card.dataset.start, end: card.dataset.end, room: shownRoom(when), cancelled: card.classList.contains("is-cancelled") });
  const day = when.querySelector(".talk-day");
  day?.replaceChildren(time(s.start, "short-day", shortDay(s.day)), " · ");
  when.replaceChildren(...(day ? [day] : []), ...timeRange(s), ...(s.room ? [" · ", roomLink(s.room)] : []));
  card.dataset.start = isoZ(s.start);
  card.dataset.end = isoZ(s.end);
  const title = card.querySelector(".talk-title a");
  if (title && s.title) title.textContent = s.title;
  card.classList.toggle("is-cancelled", Boolean(s.cancelled));
  card.classList.toggle("is-removed", s.state === "removed");
  const marks = marksFor(was, s);
  card.classList.toggle("is-changed", marks.some(([, kind]) => kind === "changed") || s.state === "removed");
  showMarks(tagsOf(card), marks);
}

/** A list of cards in time order (room, track, speaker pages): a retimed card takes its place. */
function reorder(card) {
  const list = card.parentElement;
  if (!list?.matches(".card-list") || list.matches("[data-glance-cards]")) return; // now.js orders those
  const start = Date.parse(card.dataset.start);
  const later = [...list.children].find((other) => other !== card && other.matches(".talk") && Date.parse(other.dataset.start) > start);
  if (later !== card.nextElementSibling) list.insertBefore(card, later || null);
}

/** The day page's grid laid out again from its cards, by the rules of companion/programme/grid.py
 * (change both together): rows cut at every start and end, rooms as columns (one per lane where
 * sessions overlap), breaks and sessions with no room across every room when nothing runs beside
 * them. A room new to the day gets a column at the end until the page is rendered again. */
function layOutGrid(table) {
  const cards = [...table.querySelectorAll("td > article.talk")];
  const span = (card) => card.classList.contains("kind-break") || !shownRoom(card.querySelector(".talk-when"));
  const ms = (card) => [Date.parse(card.dataset.start), Date.parse(card.dataset.end)];
  cards.sort((a, b) => ms(a)[0] - ms(b)[0] || ms(a)[1] - ms(b)[1]);
  const spanning = new Set(cards.filter((card) => span(card) && !cards.some((other) => other !== card
    && ms(other)[0] < ms(card)[1] && ms(card)[0] < ms(other)[1])));
  const order = [...table.querySelectorAll("thead th[data-room]")].map((th) => th.dataset.room);
  const byRoom = new Map();
  for (const card of cards.filter((each) => !spanning.has(each))) {
    const room = shownRoom(card.querySelector(".talk-when"));
    if (!byRoom.has(room)) byRoom.set(room, []);
    byRoom.get(room).push(card);
  }
  const rank = (room) => (order.includes(room) ? order.indexOf(room) : order.length + (room === "" ? 1 : 0));
  const rooms = [...byRoom.keys()].sort((a, b) => rank(a) - rank(b));
  const column = new Map();
  const headers = [];
  let width = 0;
  for (const room of rooms) {
    const ends = [];
    for (const card of byRoom.get(room)) {
      let lane = ends.findIndex((end) => end <= ms(card)[0]);
      if (lane < 0) lane = ends.push(0) - 1;
      ends[lane] = ms(card)[1];
      column.set(card, width + lane);
    }
    const link = byRoom.get(room)[0].querySelector(".talk-when a[data-room-name]");
    headers.push(element("th", { scope: "col", role: "columnheader", "data-room": room, ...(ends.length > 1 ? { colspan: ends.length } : {}) },
      room ? link.dataset.roomName : "Elsewhere"));
    width += ends.length;
  }
  width = Math.max(width, 1);
  const bounds = [...new Set(cards.flatMap(ms))].sort((a, b) => a - b);
  const starting = new Map();
  const covered = new Set();
  for (const card of cards) {
    const [top, bottom] = ms(card).map((instant) => bounds.indexOf(instant));
    const left = spanning.has(card) ? 0 : column.get(card);
    const columns = spanning.has(card) ? width : 1;
    starting.set(`${top},${left}`, { card, rows: bottom - top, columns });
    for (let r = top; r < bottom; r += 1) for (let c = left; c < left + columns; c += 1) if (r !== top || c !== left) covered.add(`${r},${c}`);
  }
  // Rows that keep their start stay the same elements (app.js's filters hold them).
  const before = new Map([...table.tBodies[0].rows].map((tr) => [Date.parse(tr.querySelector(".slot-time time").dateTime), tr]));
  const made = [];
  const ids = [];
  const rows = bounds.slice(0, -1).map((start, r) => {
    const iso = new Date(start).toISOString();
    const base = `t-${clock(iso).replace(":", "")}`;
    const id = ids.includes(base) ? `${base}-${ids.filter((each) => each === base).length + 1}` : base;
    ids.push(base);
    const cells = [];
    for (let c = 0; c < width; c += 1) {
      if (covered.has(`${r},${c}`)) continue;
      const cell = starting.get(`${r},${c}`);
      if (!cell) {
        cells.push(element("td", { role: "cell", class: "grid-empty" }));
        continue;
      }
      const td = element("td", { role: "cell", ...(cell.rows > 1 ? { rowspan: cell.rows } : {}) }, cell.card);
      if (cell.columns > 1) Object.entries({ colspan: cell.columns, class: "grid-span", "data-span": "" }).forEach(([name, value]) => td.setAttribute(name, value));
      cells.push(td);
    }
    const starts = cells.some((td) => td.firstElementChild);
    let row = before.get(start);
    if (!row) {
      row = element("tr", { role: "row" }, element("th", { scope: "row", class: "slot-time", role: "rowheader" }, time(iso)));
      made.push(row);
    }
    row.replaceChildren(row.querySelector(".slot-time"), ...cells);
    row.id = id;
    row.style.setProperty("--minutes", Math.round((bounds[r + 1] - start) / 60_000));
    row.toggleAttribute("data-slot", starts);
    row.classList.toggle("grid-gap", !starts);
    row.hidden = starts && !cells.some((td) => td.querySelector(".talk:not([hidden])")); // as the filters left it
    return row;
  });
  table.style.setProperty("--columns", width);
  table.querySelector("thead tr").replaceChildren(table.querySelector("thead .grid-corner"), ...headers);
  table.tBodies[0].replaceChildren(...rows);
  made.forEach((row) => row.querySelector(".slot-time").dispatchEvent(new CustomEvent("cc:content", { bubbles: true })));
}

/** The day page: the grid follows a session's new time or room (laid out again: it is small). */
function moveToSlot(card) {
  const table = card.closest("[data-timeline] table[data-grid]");
  if (!table) return reorder(card);
  layOutGrid(table);
  return undefined;
}

/** The session page. */
function patchSession(article, s) {
  const whenFact = article.querySelector('[data-fact="when"]');
  const whereFact = article.querySelector('[data-fact="where"]');
  const starts = whenFact.querySelector("time");
  const was = original(article, { start: starts.dateTime, end: whenFact.querySelector("time[data-format=end]")?.dateTime, room: shownRoom(whereFact), cancelled: article.classList.contains("is-cancelled") });
  const crumb = document.querySelector('[data-fact="day"]');
  if (crumb) {
    crumb.href = `/${conference}/programme/${s.day}/`;
    crumb.textContent = `‹ ${longDay(s.day)}`;
  }
  const note = whenFact.querySelector(":scope > .muted");
  note?.replaceChildren(`(${minutes(s.start, s.end)}, `, ...[note.querySelector("[data-zone-label]")].filter(Boolean), ")");
  whenFact.replaceChildren(time(s.start, "day", longDay(s.day)), ", ", ...timeRange(s), ...(note ? [" ", note] : []));
  if ((s.room?.label || "") !== (whereFact?.querySelector("a")?.textContent || "")) {
    article.querySelector(".room-map")?.remove(); // it shows the old room
    if (s.room) {
      const where = whereFact || element("div", { "data-fact": "where" }, element("dt", {}, "Where"), element("dd", {}));
      where.querySelector("dd").replaceChildren(roomLink(s.room));
      article.querySelector("[data-facts]").append(where);
    } else {
      whereFact?.remove();
    }
  }
  const heading = article.querySelector(".page-title");
  if (s.title && heading.textContent !== s.title) {
    document.title = document.title.replace(heading.textContent, s.title);
    heading.textContent = s.title;
  }
  article.classList.toggle("is-cancelled", Boolean(s.cancelled));
  article.classList.toggle("is-removed", s.state === "removed");
  article.querySelectorAll("[data-live-alert], .alert-danger").forEach((alert) => alert.remove());
  const alert = s.state === "removed" ? "This session was removed from the programme." : s.cancelled ? "This session will not take place." : null;
  if (alert) {
    const label = s.state === "removed" ? "Removed." : "Cancelled.";
    article.querySelector(".title-row").after(element("p", { class: "alert alert-danger", role: "status", "data-live-alert": "" }, element("strong", {}, label), ` ${alert}`));
  }
  showMarks(article.querySelector(".talk-tags"), marksFor(was, s));
}

/** My schedule's words for a change, as the server writes them (templates/agenda/my.html). */
function scheduleWords(s) {
  const words = [];
  if (s.state === "removed") return ["removed"];
  const changed = s.changed || [];
  if (changed.includes("cancelled") || changed.includes("status")) words.push(s.cancelled ? "cancelled" : "back on");
  if (changed.includes("room")) words.push(`moved to ${s.room ? s.room.label : "no room"}`);
  // In the zone this device shows (static/js/zone.js): these words are text, not <time>s.
  const zone = window.ccZone;
  const when = zone?.usingDevice() ? `${zone.format("short-day", s.start)} ${zone.format("clock", s.start)}` : `${shortDay(s.day)} ${clock(s.start)}`;
  if (changed.includes("start") || changed.includes("end")) words.push(`now ${when}`);
  return words;
}

/** "Changed since you starred": one line per session, its words merged with what it said. */
function noteOnSchedule(s) {
  const words = scheduleWords(s);
  if (!words.length) return;
  let section = document.querySelector("[data-changed-since-starred]");
  if (!section) {
    const template = document.querySelector("template[data-changed-template]");
    if (!template) return;
    section = template.content.firstElementChild.cloneNode(true);
    template.replaceWith(section);
  }
  const list = section.querySelector("ul");
  let item = [...list.children].find((li) => li.dataset.guid === s.guid);
  const kind = (word) => (word.startsWith("moved") ? "room" : word.startsWith("now") ? "time" : "status");
  const merged = new Map([["status", null], ["room", null], ["time", null]]); // the server's order
  // What the line said: its text after the title (which may hold a colon or a comma itself).
  const said = item ? item.textContent.slice(item.querySelector("a").textContent.length).replace(/^\s*:/, "").trim() : "";
  for (const word of said ? said.split(/,\s+/) : []) merged.set(kind(word), word);
  for (const word of words) merged.set(kind(word), word);
  if (!item) {
    item = element("li", { "data-guid": s.guid });
    list.append(item);
  }
  item.replaceChildren(element("a", { href: s.url }, s.title), `: ${[...merged.values()].filter(Boolean).join(", ")}`);
  section.querySelector("h2").textContent = `Changed since you starred ${list.children.length === 1 ? "it" : "them"}`;
}

/** Would this page list the session, if it were rendered now? null: this page cannot tell. */
function belongsHere(s) {
  if (s.state === "removed") return false;
  const timeline = document.querySelector("[data-timeline][data-day]");
  if (timeline) return timeline.dataset.day === s.day;
  const roomDays = document.querySelector("[data-room-days][data-room]");
  if (roomDays) return roomDays.dataset.room === s.room?.slug && Boolean(roomDays.querySelector(`[data-day="${s.day}"]`));
  if (document.querySelector("[data-my-schedule], article.session")) return false; // stars, its own guid
  return null;
}

/** Can the cards stay where they are? Not when the session leaves this day's or room's list. */
function staysInPlace(card, s) {
  // My schedule groups stars by day (and works out clashes and free time): another day is
  // another place on it.
  if (card.closest(".entry")) return s.state === "removed" || programmeDay(card.dataset.start) === s.day;
  const list = card.closest("[data-timeline][data-day], [data-room-days] [data-day]");
  if (!list) return true;
  const room = card.closest("[data-room-days]")?.dataset.room;
  return s.state === "removed" || (list.dataset.day === s.day && (!room || room === s.room?.slug));
}

function announce(message) {
  let region = document.getElementById("cc-live-announce");
  if (!region) {
    region = element("p", { id: "cc-live-announce", class: "visually-hidden", "aria-live": "polite" });
    body.append(region);
  }
  region.textContent = message;
}

/** A `change` event: patch what can be patched; the banner when something cannot be. */
function onChange(data) {
  const sessions = data.sessions || [];
  let unpatchable = data.more > 0 || data.what === "programme";
  let unknown = false;
  const said = [];
  for (const s of unpatchable ? [] : sessions) {
    const selector = `[data-guid="${CSS.escape(s.guid)}"]`;
    const cards = [...document.querySelectorAll(`article.talk${selector}`)];
    const article = document.querySelector(`article.session${selector}`);
    const belongs = belongsHere(s);
    const onPage = cards.length > 0 || article !== null;
    const other = (s.changed || []).some((field) => !PATCHABLE.has(field));
    if (belongs === null && (s.state === "added" || (other && !onPage))) unknown = true;
    if ((other && onPage) || (belongs && !cards.some((card) => card.closest("main"))) || cards.some((card) => !staysInPlace(card, s))) {
      unpatchable = true;
      continue;
    }
    const starred = cards.some((card) => card.closest(".entry"));
    // `cc:content` on the new times only: app.js sets the star of any form inside the element
    // from the state it loaded, which a star made since would undo.
    cards.forEach((card) => {
      patchCard(card, s);
      moveToSlot(card);
      card.querySelector(".talk-when").dispatchEvent(new CustomEvent("cc:content", { bubbles: true }));
    });
    if (article) {
      patchSession(article, s);
      article.querySelector('[data-fact="when"]').dispatchEvent(new CustomEvent("cc:content", { bubbles: true }));
    }
    if (starred) noteOnSchedule(s);
    if (onPage) said.push(`“${s.title}”: ${scheduleWords(s).join(", ") || "changed"}.`);
  }
  if (said.length) announce(`Programme change. ${said.join(" ")}`);
  const revision = data.revision;
  if (unpatchable) {
    window.ccOffline?.programmeChanged(revision);
  } else if (!unknown && revision !== undefined) {
    patched.add(revision);
    // The worker may have said so first: the change is on screen now.
    const shown = document.querySelector('[data-banner="update"][data-revision]');
    if (shown && patched.has(Number(shown.dataset.revision))) shown.hidden = true;
  }
  document.dispatchEvent(new CustomEvent("cc:live", { detail: { revision, sessions } }));
}

document.addEventListener("cc:live-frame", (event) => {
  const { type, data } = event.detail;
  if (type === "change" && data) onChange(data);
  if (type === "pages" || type === "reset") document.dispatchEvent(new CustomEvent("cc:live", { detail: { revision: data?.revision, sessions: [] } }));
});

window.ccLivePage = { shows: (revision) => patched.has(Number(revision)) };
