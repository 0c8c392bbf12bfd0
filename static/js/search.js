// Search as you type, online and offline (docs/search.md). The page works without this: the form
// is a plain GET. With it, results follow the field (debounced; a stale request is aborted), the
// query stays in the address (?q=), and when the network fails the same results come from
// MiniSearch (static/vendor/minisearch.js), indexed here from the programme JSON the service
// worker keeps. Fields, weights, prefix and typo settings follow companion/search on the server;
// the markup follows templates/search/_results.html.

// Results per section, as companion/search/queries.py LIMITS.
const LIMITS = { speaker: 10, track: 5, session: 30 };
// Column weights: title, speakers, track, abstract (companion/search/engines.py WEIGHTS).
const BOOST = { title: 10, people: 8, track: 4, body: 1 };
// Words shorter than this are never corrected; then 1 edit up to 7 letters, 2 from 8.
const MIN_CORRECTABLE = 4;
const MAX_TERMS = 8;
const SNIPPET_CHARS = 160;
const DEBOUNCE_MS = 150;
const WORD = /[\p{L}\p{N}]+/gu;

/** Casefolded, accents removed, words only: "Café-Ops!" → "cafe ops" (text.normalise). */
export function normalise(text) {
  // toLowerCase plus what Python's casefold also folds (ß → ss, final sigma).
  return (String(text).toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ").normalize("NFKD").replace(/\p{M}/gu, "").match(WORD) || []).join(" ");
}

/** The query's words; the last one a prefix (it may be half typed). */
export function terms(query) {
  const words = normalise(query).split(" ").filter(Boolean).slice(0, MAX_TERMS);
  return words.map((text, n) => ({ text, prefix: n === words.length - 1 }));
}

const matches = (term, word) => (term.prefix ? word.startsWith(term.text) : word === term.text);
// As markupsafe escapes on the server, so both draw the same bytes.
const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** `text` escaped, every word a term matches in <mark> (text.highlight). */
export function highlight(text, found) {
  let html = "";
  let last = 0;
  for (const match of String(text).matchAll(WORD)) {
    const word = normalise(match[0]);
    if (word && found.some((term) => matches(term, word))) {
      html += `${escapeHtml(text.slice(last, match.index))}<mark>${escapeHtml(match[0])}</mark>`;
      last = match.index + match[0].length;
    }
  }
  return html + escapeHtml(String(text).slice(last));
}

/** About SNIPPET_CHARS around the first match, highlighted (text.snippet). */
function snippet(text, found) {
  for (const match of text.matchAll(WORD)) {
    if (!found.some((term) => matches(term, normalise(match[0])))) continue;
    let start = Math.max(0, match.index - Math.floor(SNIPPET_CHARS / 3));
    if (start) {
      const space = text.indexOf(" ", start);
      if (space >= 0 && space < match.index) start = space + 1;
    }
    let end = Math.min(text.length, start + SNIPPET_CHARS);
    const after = match.index + match[0].length;
    if (end < text.length) {
      const space = text.lastIndexOf(" ", end);
      if (space > after) end = space;
    }
    return `${start ? "…" : ""}${highlight(text.slice(start, end), found)}${end < text.length ? "…" : ""}`;
  }
  return "";
}

// Levenshtein distance (short words only: typo candidates).
function distance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, n) => n);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

// Markdown to plain words, enough for an index and a snippet (the server renders it properly).
const plain = (markdown) => String(markdown || "").replace(/\]\([^)]*\)/g, "]").replace(/[*`[\]]+|\b_+|_+\b/g, "")
  .replace(/^[#>\s]+/gm, "").replace(/\s+/g, " ").trim();

// --- Drawing (templates/search/_results.html) ---------------------------------------------------

function draw(container, answer, note) {
  const total = answer.speakers.length + answer.tracks.length + answer.sessions.length;
  const query = escapeHtml(answer.query);
  let status = note ? `${escapeHtml(note)} ` : "";
  if (answer.corrected) status += `No results for “${query}”. Showing results for “<strong>${escapeHtml(answer.corrected)}</strong>”. `;
  status += total === 0 ? `Nothing found for “${query}”.`
    : `${total} result${total === 1 ? "" : "s"}${answer.corrected ? "" : ` for “${query}”`}.`;
  let html = `<p class="search-status" role="status">${status}</p>`;
  if (answer.speakers.length) {
    html += '<section class="search-section" aria-labelledby="found-speakers"><h2 id="found-speakers" class="section-title">Speakers</h2><ul class="search-list">';
    for (const s of answer.speakers) {
      html += `<li class="card search-hit"><a class="search-hit-title" href="${escapeHtml(s.url)}">${s.name_html}</a>`;
      if (s.affiliation) html += ` <span class="muted">${escapeHtml(s.affiliation)}</span>`;
      if (s.snippet_html) html += `<p class="search-snippet">${s.snippet_html}</p>`;
      if (s.sessions.length) {
        html += `<ul class="search-sub">${s.sessions.map((t) => `<li><a href="${escapeHtml(t.url)}">${escapeHtml(t.title)}</a></li>`).join("")}</ul>`;
      }
      html += "</li>";
    }
    html += "</ul></section>";
  }
  if (answer.tracks.length) {
    html += '<section class="search-section" aria-labelledby="found-tracks"><h2 id="found-tracks" class="section-title">Tracks</h2><ul class="search-chips">';
    html += answer.tracks.map((t) => `<li><a class="chip" href="${escapeHtml(t.url)}" data-colour="${escapeHtml(t.colour)}">${t.name_html}</a></li>`).join("");
    html += "</ul></section>";
  }
  if (answer.sessions.length) {
    html += '<section class="search-section" aria-labelledby="found-sessions"><h2 id="found-sessions" class="section-title">Sessions</h2><div class="card-list">';
    for (const s of answer.sessions) {
      html += `<article class="card talk search-hit kind-${escapeHtml(s.kind)}${s.cancelled ? " is-cancelled" : ""}" data-guid="${escapeHtml(s.guid)}"${s.colour ? ` data-colour="${escapeHtml(s.colour)}"` : ""}>`;
      const when = `${escapeHtml(s.day)} · <time datetime="${escapeHtml(s.start)}">${escapeHtml(s.start_clock)}</time>–<time datetime="${escapeHtml(s.end)}">${escapeHtml(s.end_clock)}</time>`;
      html += `<p class="talk-when">${when}${s.room ? ` · ${escapeHtml(s.room)}` : ""}</p>`;
      html += `<h3 class="talk-title"><a href="${escapeHtml(s.url)}">${s.title_html}</a></h3>`;
      if (s.speakers_html) html += `<p class="talk-speakers">${s.speakers_html}</p>`;
      if (s.track_html || s.cancelled) {
        html += `<p class="talk-tags">${s.cancelled ? '<span class="badge badge-danger">Cancelled</span> ' : ""}${s.track_html ? `<span class="chip">${s.track_html}</span>` : ""}</p>`;
      }
      if (s.snippet_html) html += `<p class="search-snippet">${s.snippet_html}</p>`;
      html += "</article>";
    }
    html += "</div></section>";
  }
  container.innerHTML = html;
  // Track colours as the server's style attributes give them (CSSOM: allowed by the CSP).
  for (const element of container.querySelectorAll("[data-colour]")) {
    element.style.setProperty("--track", element.dataset.colour);
  }
  // app.js: the times follow the time-zone switch.
  container.dispatchEvent(new CustomEvent("cc:content", { bubbles: true }));
}

// --- Offline: MiniSearch over the programme JSON -----------------------------------------------

let offlineIndex = null; // { revision, search(query) }

async function offlineSearcher(form) {
  const response = await fetch(form.dataset.programme, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`programme: ${response.status}`);
  const programme = await response.json();
  const revision = programme.conference.revision;
  if (offlineIndex?.revision !== revision) offlineIndex = { revision, ...buildIndex(form, programme) };
  return offlineIndex;
}

/** MiniSearch over every session, speaker and track of `programme` (exported for the bench). */
export function buildIndex(form, programme) {
  const MiniSearch = globalThis.MiniSearch;
  const urls = form.dataset;
  const conference = programme.conference;
  const byslug = (list) => new Map(list.map((item) => [item.slug, item]));
  const speakers = byslug(programme.speakers);
  const tracks = byslug(programme.tracks);
  const rooms = byslug(programme.rooms);
  const floors = byslug(programme.floors);
  const url = (pattern, id) => pattern.replace("__id__", encodeURIComponent(id));
  const clock = new Intl.DateTimeFormat("en-GB", { timeZone: conference.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const weekday = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "short" });
  const shortDay = (day) => `${weekday.format(new Date(`${day}T12:00:00Z`))} ${Number(day.slice(8))}`;
  const talksOf = new Map();
  const documents = [];
  for (const s of programme.sessions) {
    const people = s.speakers.map((slug) => speakers.get(slug)).filter(Boolean);
    for (const person of people) talksOf.set(person.slug, [...(talksOf.get(person.slug) || []), s]);
    const track = s.track ? tracks.get(s.track) : null;
    const room = s.room ? rooms.get(s.room) : null;
    const floor = room?.floor ? floors.get(room.floor) : null;
    documents.push({
      id: `session:${s.guid}`, kind: "session", title: s.title, people: people.map((p) => p.name).join(" "),
      track: track?.name || "", body: plain(s.abstract), item: s, names: people.map((p) => p.name), trackName: track?.name || "",
      colour: track?.colour || null, day: shortDay(s.day), startClock: clock.format(new Date(s.start)), endClock: clock.format(new Date(s.end)),
      room: room ? (floor ? `${room.name} · ${floor.name}` : room.name) : "", start: s.start,
    });
  }
  for (const p of programme.speakers) {
    documents.push({ id: `speaker:${p.slug}`, kind: "speaker", title: p.name, people: "", track: "", body: `${p.affiliation} ${plain(p.bio)}`, item: p });
  }
  for (const t of programme.tracks) {
    documents.push({ id: `track:${t.slug}`, kind: "track", title: t.name, people: "", track: "", body: plain(t.introduction), item: t });
  }
  const byId = new Map(documents.map((d) => [d.id, d]));
  const index = new MiniSearch({
    fields: ["title", "people", "track", "body"],
    tokenize: (text) => normalise(text).split(" ").filter(Boolean),
    processTerm: (term) => normalise(term) || null,
    searchOptions: { boost: BOOST, combineWith: "AND" },
  });
  index.addAll(documents.map(({ id, title, people, track, body }) => ({ id, title, people, track, body })));
  const prefix = (_term, n, all) => n === all.length - 1;
  const fuzzy = (term) => (term.length < MIN_CORRECTABLE ? 0 : term.length < 8 ? 1 : 2);

  function answer(query) {
    let hits = index.search(query, { prefix });
    let found = terms(query);
    let corrected = null;
    if (!hits.length && found.length) {
      hits = index.search(query, { prefix, fuzzy });
      if (hits.length) {
        // What was searched for: each query word, or the word of the best match nearest it.
        const held = hits[0].terms;
        corrected = found.map((term) => (held.some((w) => matches(term, w)) ? term.text
          : [...held].sort((a, b) => distance(term.text, a) - distance(term.text, b))[0]));
        found = corrected.map((text) => ({ text, prefix: false }));
        corrected = corrected.join(" ");
        // Then those words exactly, as the server searches them once corrected.
        hits = index.search(corrected);
      }
    }
    const result = { query, corrected, speakers: [], tracks: [], sessions: [] };
    for (const hit of hits) {
      const doc = byId.get(hit.id);
      const section = result[`${doc.kind}s`];
      if (section.length >= LIMITS[doc.kind]) continue;
      if (doc.kind === "speaker") {
        const name = highlight(doc.item.name, found);
        section.push({
          url: url(urls.speakerUrl, doc.item.slug), name_html: name, affiliation: doc.item.affiliation,
          snippet_html: name.includes("<mark>") ? "" : snippet(plain(doc.item.bio), found),
          sessions: (talksOf.get(doc.item.slug) || []).sort((a, b) => a.start.localeCompare(b.start)).map((s) => ({ url: url(urls.sessionUrl, s.guid), title: s.title })),
        });
      } else if (doc.kind === "track") {
        section.push({ url: url(urls.trackUrl, doc.item.slug), name_html: highlight(doc.item.name, found), colour: doc.item.colour });
      } else {
        section.push({
          guid: doc.item.guid, url: url(urls.sessionUrl, doc.item.guid), room: doc.room,
          day: doc.day, start: doc.item.start, end: doc.item.end, start_clock: doc.startClock, end_clock: doc.endClock,
          title_html: highlight(doc.item.title, found), speakers_html: doc.names.map((n) => highlight(n, found)).join(", "),
          track_html: doc.trackName ? highlight(doc.trackName, found) : "", colour: doc.colour, kind: doc.item.kind,
          cancelled: doc.item.status === "cancelled", snippet_html: snippet(plain(doc.item.abstract), found),
        });
      }
    }
    return result;
  }
  return { search: answer, documents: documents.length, size: () => JSON.stringify(index).length };
}

// --- The page ------------------------------------------------------------------------------------

function start() {
  const form = document.querySelector("form[data-search]");
  const container = document.getElementById("search-results");
  if (!form || !container) return;
  const input = form.querySelector('input[name="q"]');
  let pending = null;
  let timer = 0;

  async function offline(query) {
    try {
      const searcher = await offlineSearcher(form);
      draw(container, searcher.search(query), "Searching offline, in the programme saved on this device.");
    } catch {
      container.innerHTML = '<p class="search-status" role="status">You are offline and this device holds no copy of the programme yet.</p>';
    }
  }

  async function run(query) {
    pending?.abort();
    if (!query.trim()) {
      container.innerHTML = "";
      return;
    }
    if (form.hasAttribute("data-offline")) return offline(query);
    const controller = new AbortController();
    pending = controller;
    try {
      const response = await fetch(`${form.dataset.api}?q=${encodeURIComponent(query)}`, { signal: controller.signal, headers: { Accept: "application/json" } });
      if (response.status === 400) {
        const problem = await response.json();
        container.innerHTML = `<p class="search-status" role="status">${escapeHtml(problem.error?.message || "That cannot be searched for.")}</p>`;
        return;
      }
      if (!response.ok) throw new Error(`search: ${response.status}`);
      const answer = await response.json();
      if (!controller.signal.aborted) draw(container, answer);
    } catch (error) {
      if (error.name !== "AbortError") await offline(query);
    }
  }

  const keep = (query, push) => {
    const address = new URL(location.href);
    address.searchParams.set("q", query);
    if (address.href === location.href) return;
    history[push ? "pushState" : "replaceState"]({ q: query }, "", address);
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      keep(input.value, false);
      run(input.value);
    }, DEBOUNCE_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    keep(input.value, true);
    run(input.value);
  });
  window.addEventListener("popstate", () => {
    input.value = new URL(location.href).searchParams.get("q") || "";
    run(input.value);
  });
  // The offline page stands in for a search made without network: answer the address's query.
  const asked = new URL(location.href).searchParams.get("q");
  if (form.hasAttribute("data-offline") && asked) {
    input.value = asked;
    run(asked);
  }
}

if (typeof document !== "undefined") start();
