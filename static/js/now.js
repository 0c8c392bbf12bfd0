// Conference Companion: everything that depends on the clock, computed on the device.
// Public pages are the same bytes whatever the time (they are rendered once per programme
// revision and kept offline), so "on now", "next", the day's status, today's keynotes and the
// default programme day are chosen here, from cards the server rendered, and kept current.
//
// "Now" is the device's clock. A deployment with FIXED_NOW (the demo, tests) says so on <body>
// (data-fixed-now, the same on every page): the page then starts at that instant and moves on
// with the time that passes while it stays open.
const loadedAt = Date.now();
const TICK_MS = 30_000;
const body = document.body;

function currentInstant() {
  const fixed = Date.parse(body.dataset.fixedNow || "");
  return Number.isNaN(fixed) ? Date.now() : fixed + (Date.now() - loadedAt);
}

/** The programme day of an instant ("2020-03-02"): its date in the conference's zone, where the
 * hours before the day change (04:00) still belong to the evening before. */
function programmeDay(instant) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: body.dataset.zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23",
  });
  for (const part of format.formatToParts(new Date(instant))) parts[part.type] = part.value;
  const day = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  const shift = Number(parts.hour) < Number(body.dataset.dayChange || 4) ? 86_400_000 : 0;
  return new Date(day - shift).toISOString().slice(0, 10);
}

function daysBetween(from, to) {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

/** Where the conference is at an instant: its days, today, the phase and the day to show. */
function situation(instant) {
  const days = (body.dataset.days || "").split(" ").filter(Boolean);
  const today = programmeDay(instant);
  let phase = "during";
  if (today < days[0]) phase = "before";
  else if (today > days[days.length - 1]) phase = "after";
  const shown = phase === "before" ? days[0] : phase === "after" ? days[days.length - 1] : today;
  return { days, today, phase, shown };
}

const startOf = (card) => Date.parse(card.dataset.start);
const endOf = (card) => Date.parse(card.dataset.end);

/** Cards on at `instant`, and every card of the earliest later start (as timeline.now_and_next). */
function glance(cards, instant) {
  const ordered = [...cards].sort((a, b) => startOf(a) - startOf(b) || endOf(a) - endOf(b));
  const upcoming = ordered.filter((card) => startOf(card) > instant);
  return {
    now: ordered.filter((card) => startOf(card) <= instant && instant < endOf(card)),
    next: upcoming.filter((card) => upcoming.length && startOf(card) === startOf(upcoming[0])),
  };
}

/** Copy cards into `list` (replacing what it holds), telling app.js to set their times and stars. */
function show(list, cards, adapt = () => undefined) {
  const key = cards.map((card) => card.querySelector("form")?.dataset.guid || card.dataset.start).join(" ");
  if (list.dataset.shown === key) return; // unchanged: leave the cards (and any focus) alone
  list.dataset.shown = key;
  list.replaceChildren(...cards.map((card) => {
    const copy = document.importNode(card, true);
    copy.hidden = false;
    copy.removeAttribute("id");
    adapt(copy);
    return copy;
  }));
  list.dispatchEvent(new CustomEvent("cc:content", { bubbles: true }));
}

/** A card from another page keeps its markup, with its title one level under this page's h2. */
function asSectionCard(card) {
  const title = card.querySelector("h4.talk-title");
  if (!title) return;
  const h3 = document.createElement("h3");
  h3.className = title.className;
  h3.append(...title.childNodes);
  title.replaceWith(h3);
}

/** A <time> as the server writes it (conference zone); app.js shows it in the zone chosen. */
function timeTag(iso, format, text) {
  const time = document.createElement("time");
  time.dateTime = iso;
  time.dataset.format = format;
  time.textContent = text;
  return time;
}

function clockText(instant) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: body.dataset.zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(new Date(instant));
}

/** Fill the "On now" and "Next" sections of a [data-now-next] block. */
function fillGlance(block, found, where) {
  const [nowSection, nextSection] = ["now", "next"].map((name) => block.querySelector(`[data-glance="${name}"]`));
  if (where.phase === "after" && block.dataset.nowNext === "days") {
    nowSection.hidden = true;
    nextSection.hidden = true;
    return;
  }
  const labels = (block.dataset.dayLabels || "").split("|");
  for (const [section, cards] of [[nowSection, found.now], [nextSection, found.next]]) {
    show(section.querySelector("[data-glance-cards]"), cards, asSectionCard);
    const empty = section.querySelector("[data-glance-empty]");
    empty.hidden = cards.length > 0;
    if (section === nowSection && empty.dataset.before) {
      empty.dataset.during ??= empty.textContent;
      empty.textContent = where.phase === "before" ? empty.dataset.before : empty.dataset.during;
    }
    section.hidden = false;
  }
  const when = nextSection.querySelector("[data-glance-when]");
  const start = found.next.length ? found.next[0].dataset.start : "";
  if (when.dataset.start !== start) {
    when.dataset.start = start;
    when.replaceChildren();
    if (start) {
      const day = programmeDay(Date.parse(start));
      const label = day === where.today ? [] : [timeTag(start, "short-day", labels[where.days.indexOf(day)] || day), " "];
      when.append(" · ", ...label, timeTag(start, "clock", clockText(Date.parse(start))));
      when.dispatchEvent(new CustomEvent("cc:content", { bubbles: true }));
    }
  }
}

// The held day pages (the service worker answers from its offline copy), once per page view.
const dayPages = new Map();
function dayCards(day) {
  if (!dayPages.has(day)) {
    const url = `/${body.dataset.conference}/programme/${day}/`;
    dayPages.set(day, fetch(url, { headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((html) => [...new DOMParser().parseFromString(html, "text/html").querySelectorAll("[data-timeline] .talk[data-start]")])
      .catch((error) => { dayPages.delete(day); throw error; }));
  }
  return dayPages.get(day);
}

/** Home: now & next from the held page of the day shown (and the next day's for "Next"). */
async function daysGlance(instant, where) {
  if (where.phase === "after") return { now: [], next: [] };
  const found = glance(await dayCards(where.shown), instant);
  const following = where.days[where.days.indexOf(where.shown) + 1];
  if (!found.next.length && following) found.next = glance(await dayCards(following), instant).next;
  return found;
}

function updateHero(where) {
  const status = document.querySelector("[data-hero-status]");
  if (!status) return;
  status.querySelectorAll("[data-phase]").forEach((line) => {
    line.hidden = line.dataset.phase !== where.phase || (where.phase === "during" && line.dataset.day !== where.today);
  });
  const toGo = status.querySelector("[data-days-to-go]");
  const count = daysBetween(where.today, where.days[0]);
  if (toGo) toGo.textContent = count === 1 ? "tomorrow" : `in ${count} days`;
}

function updateKeynotes(where) {
  document.querySelectorAll("[data-keynotes]").forEach((group) => {
    group.hidden = group.dataset.keynotes !== where.shown;
    const title = group.querySelector("[data-today-title]");
    title.dataset.otherTitle ??= title.textContent;
    title.textContent = where.phase === "during" ? title.dataset.todayTitle : title.dataset.otherTitle;
  });
}

/** My schedule: the starred sessions on now and next, named with their day unless today (as
 * the server names it in a list that mixes days). */
function updateMine(instant, where) {
  const section = document.querySelector("[data-now-next-mine]");
  if (!section) return;
  const found = glance(document.querySelectorAll(".entry > .talk[data-start]"), instant);
  const cards = [...found.now, ...found.next];
  const labels = section.dataset.dayLabels.split("|");
  section.hidden = where.phase !== "during" || cards.length === 0;
  show(section.querySelector("[data-glance-cards]"), cards, (copy) => {
    copy.querySelector(".clash")?.remove(); // the schedule below says it
    const day = programmeDay(startOf(copy));
    if (day === where.today) return;
    const prefix = document.createElement("span");
    prefix.className = "talk-day";
    prefix.append(timeTag(copy.dataset.start, "short-day", labels[where.days.indexOf(day)] || day), " · ");
    copy.querySelector(".talk-when").prepend(prefix);
  });
}

/** Change marks (templates/partials/marks.html) count from the programme's latest change, as
 * the cached page must; a day after its change by this device's clock, a mark goes. */
const MARK_LIFE_MS = 24 * 3_600_000;
function expireMarks(instant) {
  const marks = document.querySelectorAll("[data-changed-at]");
  marks.forEach((mark) => { mark.hidden = instant - Date.parse(mark.dataset.changedAt) > MARK_LIFE_MS; });
  new Set([...marks].map((mark) => mark.closest(".talk, article.session"))).forEach((card) => {
    if (!card) return;
    const shown = card.querySelector("[data-changed-at]:not([hidden]), [data-live-mark]");
    if (card.matches(".talk")) card.classList.toggle("is-changed", Boolean(shown));
    const tags = card.querySelector(".talk-tags");
    if (tags) tags.hidden = ![...tags.children].some((child) => !child.hidden);
  });
}

/** Mark the sessions on now, on every page. */
function markNow(instant) {
  document.querySelectorAll(".talk[data-start]").forEach((card) => {
    card.classList.toggle("is-now", startOf(card) <= instant && instant < endOf(card));
  });
}

/** /programme/ is the first day's page: during the conference (or after it), open the day. */
function openShownDay(where) {
  const timeline = document.querySelector("[data-timeline][data-day]");
  if (!timeline || !/\/programme\/$/.test(location.pathname)) return;
  if (timeline.dataset.day !== where.shown) location.replace(`${where.shown}/${location.search}`);
}

/** The day page's row to show first: where the earliest session on now starts, else where the
 * next one starts; null when the day is over (as grid.current_row for GET /<conf>/now). */
function currentRow(instant) {
  // The sessions a filter left, if any (a row of only hidden ones is not shown on phones).
  const all = [...document.querySelectorAll("[data-timeline] tr[data-slot] .talk[data-start]")];
  const shown = all.filter((card) => !card.hidden);
  const cards = shown.length ? shown : all;
  const onNow = cards.filter((card) => startOf(card) <= instant && instant < endOf(card)).map(startOf);
  const later = cards.map(startOf).filter((start) => start > instant);
  const start = onNow.length ? Math.min(...onNow) : later.length ? Math.min(...later) : null;
  if (start === null) return null;
  return [...document.querySelectorAll("[data-timeline] tr[data-slot]")]
    .find((row) => Date.parse(row.querySelector(".slot-time time").dateTime) === start) || null;
}

/** Bring a row to the top: in the grid's own scrolling box on wide screens (under its room
 * names), in the page on phones (under the app bar, by the row's scroll-margin). */
function scrollToRow(row) {
  const box = row.closest("[data-timeline]");
  if (getComputedStyle(box).overflowY === "auto") {
    box.scrollIntoView({ block: "start" });
    // Then just under whatever stays at the top of the window (the app bar, a sticky tab bar).
    const cover = [...document.querySelectorAll(".appbar, .tabbar")].map((bar) => bar.getBoundingClientRect())
      .filter((rect) => rect.top < 100 && rect.bottom > 0).reduce((low, rect) => Math.max(low, rect.bottom), 0);
    scrollBy(0, box.getBoundingClientRect().top - cover);
    const head = box.querySelector("thead th")?.getBoundingClientRect().height || 0;
    box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - head;
  } else {
    row.scrollIntoView({ block: "start" });
  }
}

// The day page opens at the current slot during the conference, unless the address names a
// place (#t-1030), the browser restored a scroll position, or the attendee has scrolled already.
let userMoved = false;
for (const type of ["wheel", "touchstart", "keydown", "pointerdown"]) {
  addEventListener(type, () => { userMoved = true; }, { once: true, passive: true, capture: true });
}
let opened = false;
function openAtNow(instant, where) {
  const timeline = document.querySelector("[data-timeline][data-day]");
  if (opened || !timeline) return;
  opened = true;
  if (userMoved || location.hash || scrollY > 0 || timeline.scrollTop > 0) return;
  if (where.phase !== "during" || timeline.dataset.day !== where.today) return;
  const row = currentRow(instant);
  if (row) scrollToRow(row);
}

/** "Now" on the day page: this day at the current slot, or the day to show (another page, or
 * the first day before the conference); offline too, since the day pages are held. */
function setupJumpToNow() {
  const link = document.querySelector("[data-jump-now]");
  if (!link) return;
  link.addEventListener("click", (event) => {
    const instant = currentInstant();
    const where = situation(instant);
    const timeline = document.querySelector("[data-timeline][data-day]");
    event.preventDefault();
    if (timeline?.dataset.day !== where.shown) {
      location.assign(`/${body.dataset.conference}/programme/${where.shown}/`);
      return;
    }
    const row = where.phase === "during" ? currentRow(instant) : null;
    if (row) {
      history.replaceState(null, "", `#${row.id}`);
      scrollToRow(row);
      row.querySelector(".talk:not([hidden]) .talk-title a")?.focus({ preventScroll: true });
    } else {
      scrollTo({ top: 0 });
    }
  });
}

let running = false;
let again = false;
async function update() {
  if (!body.dataset.zone) return;
  if (running) {
    again = true; // a live change arrived during this round: one more after it
    return;
  }
  running = true;
  try {
    const instant = currentInstant();
    const where = situation(instant);
    openShownDay(where);
    updateHero(where);
    updateKeynotes(where);
    updateMine(instant, where);
    for (const block of document.querySelectorAll("[data-now-next]")) {
      const found = block.dataset.nowNext === "page"
        ? glance(document.querySelectorAll("[data-room-days] .talk[data-start]"), instant)
        : await daysGlance(instant, where).catch(() => null);
      if (found) fillGlance(block, found, where);
    }
    markNow(instant);
    openAtNow(instant, where);
    expireMarks(instant);
  } finally {
    running = false;
  }
  if (again) {
    again = false;
    update();
  }
}

/** A live change (live-page.js), or the offline copy's new revision: the held day pages are
 * out of date, and the times on this page may have moved. */
function refresh() {
  dayPages.clear();
  update();
}

setupJumpToNow();
update();
setInterval(update, TICK_MS);
document.addEventListener("cc:live", refresh);
navigator.serviceWorker?.addEventListener("message", (event) => {
  if (event.data?.type === "programme-updated") refresh();
});
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") update();
});
