// The programme day page: the compact list (a checkbox that works without JS) is remembered on
// this device. "Now" (the control and opening at the current slot) is in now.js, with the clock.
const KEY_COMPACT = "cc.compact";
const box = document.querySelector("[data-compact]");
if (box) {
  try {
    if (localStorage.getItem(KEY_COMPACT) === "on") box.checked = true;
    box.addEventListener("change", () => localStorage.setItem(KEY_COMPACT, box.checked ? "on" : "off"));
  } catch {
    // Storage refused (private mode): the checkbox still works for this page.
  }
}
