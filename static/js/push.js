// "Turn on notifications": asks the browser's permission only after the person taps the button,
// subscribes through the service worker's PushManager and stores the subscription; turning it off
// unsubscribes and deletes it. Pages that offer it include this script.
const button = document.querySelector("[data-push-toggle]");
const status = document.querySelector("[data-push-status]");

function base64ToBytes(text) {
  const padded = (text + "=".repeat((4 - (text.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function say(text) {
  if (status) status.textContent = text;
}

// What works without notifications, said wherever they cannot be had.
const STILL = "What still works: the calendar feed (in Settings) follows your schedule, and open pages of the app update by themselves when the programme changes.";

/** The reminder settings say that they need notifications, while this device has none. */
function needsPush(missing) {
  document.querySelectorAll("[data-needs-push]").forEach((element) => { element.hidden = !missing; });
}

function blocked() {
  button.hidden = true;
  needsPush(true);
  say(`Notifications are blocked for this site. To allow them, open this site's settings in your browser (the icon left of the address), set Notifications to Allow, then reload this page. ${STILL}`);
}

/** A failure as a person can act on it (not the browser's own words). */
function explain(error) {
  if (!navigator.onLine || error instanceof TypeError) return "You seem to be offline: try again when you are connected.";
  if (error?.name === "NotAllowedError") return "This browser refused notifications for this site.";
  if (error?.name === "AbortError" || /push service/i.test(error?.message || "")) return "Your browser's push service did not answer. Try again in a minute.";
  if (/^HTTP \d+/.test(error?.message || "")) return "The app could not save this device for notifications. Try again in a minute.";
  return "Notifications could not be changed. Try again in a minute.";
}

async function current() {
  const registration = await navigator.serviceWorker.ready;
  return { registration, subscription: await registration.pushManager.getSubscription() };
}

function show(on) {
  button.setAttribute("aria-pressed", String(on));
  button.textContent = on ? "Turn off notifications" : "Turn on notifications";
}

async function turnOn() {
  const permission = await Notification.requestPermission();
  if (permission === "denied") return blocked();
  if (permission !== "granted") return say("Notifications stay off: the browser's question was closed without an answer.");
  const { registration } = await current();
  const key = (await (await fetch("/api/v1/push/key")).json()).public_key;
  const subscription = await registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: base64ToBytes(key),
  });
  const response = await fetch("/api/v1/me/push-subscriptions", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  show(true);
  needsPush(false);
  say("Notifications are on for this device: a reminder before each starred session, and an alert if one changes.");
}

async function turnOff() {
  const { subscription } = await current();
  if (subscription) {
    await fetch("/api/v1/me/push-subscriptions", {
      method: "DELETE", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ endpoint: subscription.endpoint }),
    });
    await subscription.unsubscribe();
  }
  show(false);
  needsPush(true);
  say("Notifications are off for this device.");
}

async function setup() {
  if (!button) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    needsPush(true);
    say(`This browser cannot receive notifications from web apps. On an iPhone or iPad, add the app to your home screen first (Share, then Add to Home Screen) and open it from there. ${STILL}`);
    return;
  }
  if (Notification.permission === "denied") return blocked();
  const { subscription } = await current();
  const on = Boolean(subscription) && Notification.permission === "granted";
  show(on);
  needsPush(!on);
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if (button.getAttribute("aria-pressed") === "true") await turnOff(); else await turnOn();
    } catch (error) {
      say(explain(error));
    } finally {
      button.disabled = false;
    }
  });
}

setup();
