// Conference Companion: the one place that knows which zone times are shown in, and the one way
// to format a time. Pages are rendered in the conference's zone (the same bytes for every device);
// a person whose device is elsewhere may switch to their own zone, kept on this device.
//
// Loaded first (base.html), it sets window.ccZone for app.js, now.js, offline.js, live-page.js.
// A <time datetime="ISO"> says how it is written with data-format (companion/templating.py
// writes them): clock "14:10", end (a clock time with "(+1)" when it falls on a later date than
// the start just before it), day "Wednesday 2 December", short-day "Wed 2", stamp "Wed 2 Dec 2026,
// 14:10".
const KEY = "cc.zone";
const LOCALE = "en-GB";
const body = document.body;
const conferenceZone = body.dataset.zone || "UTC";
const deviceZone = (typeof Intl !== "undefined" && Intl.DateTimeFormat().resolvedOptions().timeZone) || conferenceZone;

const formatters = new Map();
function formatter(zone, options) {
  const key = `${zone}|${JSON.stringify(options)}`;
  if (!formatters.has(key)) formatters.set(key, new Intl.DateTimeFormat(LOCALE, { timeZone: zone, ...options }));
  return formatters.get(key);
}

/** The named parts of an instant in `zone` ({year, month, day, weekday, hour, minute}). */
function parts(iso, zone, options) {
  const found = {};
  for (const part of formatter(zone, options).formatToParts(new Date(iso))) found[part.type] = part.value;
  return found;
}

const DATE_PARTS = { weekday: "long", day: "numeric", month: "long", year: "numeric" };
const SHORT_PARTS = { weekday: "short", day: "numeric", month: "short", year: "numeric" };
const CLOCK_PARTS = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/** "14:10". */
function clock(iso, zone) {
  const p = parts(iso, zone, CLOCK_PARTS);
  return `${p.hour}:${p.minute}`;
}

/** The calendar date of an instant in `zone`, as "2026-12-02" (for comparing dates). */
function dateKey(iso, zone) {
  const p = parts(iso, zone, { year: "numeric", month: "2-digit", day: "2-digit" });
  return `${p.year}-${p.month}-${p.day}`;
}

/** "Wednesday 2 December" (as the server's long_day filter writes it). */
function longDay(iso, zone) {
  const p = parts(iso, zone, DATE_PARTS);
  return `${p.weekday} ${p.day} ${p.month}`;
}

/** "Wed 2" (the short_day filter). */
function shortDay(iso, zone) {
  const p = parts(iso, zone, SHORT_PARTS);
  return `${p.weekday} ${p.day}`;
}

/** "Wed 2 Dec 2026, 14:10" (the stamp filter). */
function stamp(iso, zone) {
  const p = parts(iso, zone, SHORT_PARTS);
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${clock(iso, zone)}`;
}

/** The UTC offset of `zone` at an instant, in minutes. */
function offset(iso, zone) {
  const p = parts(iso, zone, { year: "numeric", month: "2-digit", day: "2-digit", ...CLOCK_PARTS, second: "2-digit" });
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(Date.parse(iso) / 1000) * 1000) / 60_000);
}

/** Does the device's zone tell other times than the conference's on the programme's days? */
function differs() {
  if (deviceZone === conferenceZone) return false;
  const days = (body.dataset.days || "").split(" ").filter(Boolean);
  const instants = days.length ? days.map((day) => `${day}T12:00:00Z`) : [new Date().toISOString()];
  return instants.some((iso) => offset(iso, deviceZone) !== offset(iso, conferenceZone));
}

/** "Auckland" for Pacific/Auckland. */
const city = (zone) => zone.split("/").pop().replace(/_/g, " ");

/** "Auckland time (GMT+13)": as the server's zone_label writes the conference's. */
function label(zone, iso = new Date().toISOString()) {
  const name = formatter(zone, { timeZoneName: "short" }).formatToParts(new Date(iso)).find((p) => p.type === "timeZoneName");
  return `${city(zone)} time${name ? ` (${name.value})` : ""}`;
}

const switchable = differs();
/** The choice made on this page, when storage could not keep it. */
let memory = null;

/** Are times shown in the device's zone? (Only where it differs, and only if chosen here.) */
function usingDevice() {
  if (!switchable) return false;
  try {
    return localStorage.getItem(KEY) === "device";
  } catch {
    return false;
  }
}

/** Choose the device's zone (true) or the conference's; every page of this device follows. */
function choose(device) {
  try {
    localStorage.setItem(KEY, device ? "device" : "conference");
    memory = null; // kept: other tabs and pages (and their choices) agree with this one
  } catch {
    memory = device; // no storage (private mode): the choice lasts for this page only
  }
  document.dispatchEvent(new CustomEvent("cc:zone", { detail: { zone: device ? deviceZone : conferenceZone } }));
}

/** Are times shown in the device's zone now? */
const current = () => (memory === null ? usingDevice() : switchable && memory);

/** Text for an instant in a format (see the top of this file), in `zone` (default: shown). */
function format(kind, iso, zone = current() ? deviceZone : conferenceZone, from = null) {
  switch (kind) {
    case "day": return longDay(iso, zone);
    case "short-day": return shortDay(iso, zone);
    case "stamp": return stamp(iso, zone);
    case "end": return from && dateKey(iso, zone) > dateKey(from, zone) ? `${clock(iso, zone)} (+1)` : clock(iso, zone);
    default: return clock(iso, zone);
  }
}

window.ccZone = {
  conferenceZone,
  deviceZone,
  switchable,
  usingDevice: current,
  shown: () => (current() ? deviceZone : conferenceZone),
  choose,
  format,
  dateKey,
  city,
  label,
};
