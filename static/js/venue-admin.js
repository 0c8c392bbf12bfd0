// Drawing a room on a raster map: press "Draw <room>", then tap the room's corners on the map;
// each tap appends "x,y" (in the image's pixels) to the room's field. The field stays the real
// input: corners can be typed or corrected by hand, and the form works without this script.
let active = null;

for (const button of document.querySelectorAll("[data-draw]")) {
  button.addEventListener("click", () => {
    const starting = active?.button !== button;
    stop();
    if (starting) {
      active = { button, input: document.getElementById(button.dataset.draw), floor: button.dataset.floor };
      button.setAttribute("aria-pressed", "true");
    }
  });
}

for (const button of document.querySelectorAll("[data-clear]")) {
  button.addEventListener("click", () => {
    document.getElementById(button.dataset.clear).value = "";
  });
}

for (const frame of document.querySelectorAll("[data-draw-map]")) {
  const svg = frame.querySelector("svg");
  svg.addEventListener("click", (event) => {
    if (!active || active.floor !== frame.dataset.drawMap) return;
    event.preventDefault();
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const local = point.matrixTransform(svg.getScreenCTM().inverse());
    const x = Math.round(Math.min(Math.max(local.x, 0), Number(frame.dataset.width)));
    const y = Math.round(Math.min(Math.max(local.y, 0), Number(frame.dataset.height)));
    active.input.value = `${active.input.value.trim()} ${x},${y}`.trim();
  });
}

function stop() {
  if (active) active.button.setAttribute("aria-pressed", "false");
  active = null;
}
