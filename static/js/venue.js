// Floors as tabs on the venue page. Without JavaScript every floor is shown, one under the
// other, and the tab links jump to them; with it, one floor at a time, chosen by tap, arrow keys
// or the address's #floor-<slug> (room pages link there).
const nav = document.querySelector("[data-floor-tabs]");
const panels = [...document.querySelectorAll("[data-floor-panel]")];

if (nav && panels.length > 1) {
  const tabs = [...nav.querySelectorAll("a[data-floor]")];
  nav.setAttribute("role", "tablist");
  tabs.forEach((tab, index) => {
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panels[index].id);
    panels[index].setAttribute("role", "tabpanel");
    panels[index].setAttribute("aria-labelledby", tab.id);
    tab.addEventListener("click", (event) => {
      event.preventDefault();
      select(index, true);
      history.replaceState(null, "", tab.hash);
    });
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (step) {
        event.preventDefault();
        const next = (index + step + tabs.length) % tabs.length;
        select(next, true);
        tabs[next].focus();
        history.replaceState(null, "", tabs[next].hash);
      }
    });
  });

  function select(chosen, byHand) {
    tabs.forEach((tab, index) => {
      const on = index === chosen;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      panels[index].hidden = !on;
    });
    if (byHand) tabs[chosen].scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  const fromHash = () => Math.max(0, panels.findIndex((panel) => `#${panel.id}` === location.hash));
  select(fromHash(), false);
  window.addEventListener("hashchange", () => select(fromHash(), false));
}
