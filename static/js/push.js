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
  if (permission !== "granted") {
    say("Notifications are blocked for this site. Allow them in your browser's site settings to get reminders.");
    return;
  }
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
  say("Notifications are off for this device.");
}

async function setup() {
  if (!button) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser cannot receive notifications from web apps. On an iPhone, add the app to your home screen first.");
    return;
  }
  const { subscription } = await current();
  show(Boolean(subscription) && Notification.permission === "granted");
  button.hidden = false;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if (button.getAttribute("aria-pressed") === "true") await turnOff(); else await turnOn();
    } catch (error) {
      say(`Notifications could not be changed (${error.message}). Try again when you are online.`);
    } finally {
      button.disabled = false;
    }
  });
}

setup();
