// Parse an iCalendar file with Mozilla's ical.js (the parser in Thunderbird) and print what the
// tests check, as JSON: node parse_ics.mjs FILE
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const text = readFileSync(process.argv[2], "utf8");
const root = new ICAL.Component(ICAL.parse(text));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtz);
}
const two = (n) => String(n).padStart(2, "0");
const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const start = event.startDate;
  const alarms = component.getAllSubcomponents("valarm").map((a) => a.getFirstPropertyValue("trigger").toSeconds() / 60);
  return {
    uid: event.uid,
    summary: event.summary,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    location: event.location,
    description: event.description,
    url: component.getFirstPropertyValue("url"),
    attach: component.getAllProperties("attach").map((p) => p.getFirstValue()),
    categories: component.getAllProperties("categories").flatMap((p) => p.getValues()),
    tzid: start.zone ? start.zone.tzid : null,
    local_start: `${start.year}-${two(start.month)}-${two(start.day)}T${two(start.hour)}:${two(start.minute)}`,
    utc_start: start.toJSDate().toISOString(),
    utc_end: event.endDate.toJSDate().toISOString(),
    alarms_minutes: alarms,
  };
});
console.log(JSON.stringify({
  name: root.getFirstPropertyValue("x-wr-calname"),
  timezone: root.getFirstPropertyValue("x-wr-timezone"),
  events,
}));
