// The Alerts page: the server lists what was sent to this person. A copy opened offline is as old
// as the last visit, so the alerts this device showed since (kept by the service worker, per
// device, cleared at sign-out) are added at the top when the page does not hold them yet.
const list = document.querySelector("[data-alerts]");
const template = document.querySelector("[data-alert-template]");

/** What the service worker kept of the notifications it showed (newest first), or []. */
function deviceAlerts() {
  const worker = navigator.serviceWorker?.controller;
  if (!worker) return Promise.resolve([]);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve([]), 2000);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(Array.isArray(event.data) ? event.data : []);
    };
    worker.postMessage({ type: "alerts" }, [channel.port2]);
  });
}

function when(iso) {
  const zone = document.body.dataset.zone;
  const date = new Date(iso);
  const day = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", timeZone: zone }).formatToParts(date);
  const part = (type) => day.find((each) => each.type === type)?.value || "";
  const clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone }).format(date);
  return [`${part("weekday")} ${part("day")} ${part("month")} · `, clock];
}

function card(alert) {
  const item = document.createElement("div");
  if (alert.id !== null) item.dataset.alertId = String(alert.id);
  item.dataset.fromDevice = "";
  item.append(template.content.cloneNode(true));
  item.querySelector(".badge").textContent = alert.kind === "reminder" ? "Reminder" : "Change";
  const [day, clock] = when(alert.received);
  const time = document.createElement("time");
  time.dateTime = alert.received;
  time.textContent = clock;
  item.querySelector("[data-alert-when]").append(day, time, " · shown on this device");
  const title = item.querySelector("[data-alert-title]");
  title.textContent = alert.title;
  title.href = alert.url;
  item.querySelector("[data-alert-body]").textContent = alert.body;
  return item;
}

/** The card of the list an alert received at `iso` goes before (newest first), or null. */
function placeFor(iso) {
  const at = Date.parse(iso);
  return [...list.children].find((item) => Date.parse(item.querySelector("time")?.dateTime || "") < at) || null;
}

async function addDeviceAlerts() {
  if (!list || !template) return;
  const shown = new Set([...list.querySelectorAll("[data-alert-id]")].map((el) => el.dataset.alertId));
  const here = list.dataset.conferencePath;
  const missing = (await deviceAlerts()).filter((alert) => alert.url.startsWith(here)
    && (alert.id === null || !shown.has(String(alert.id))));
  if (!missing.length) return;
  for (const alert of missing) list.insertBefore(card(alert), placeFor(alert.received));
  document.querySelector("[data-alerts-empty]")?.setAttribute("hidden", "");
  list.dispatchEvent(new CustomEvent("cc:content", { bubbles: true }));
}

addDeviceAlerts();
