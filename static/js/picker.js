// Searchable pickers of people (a session's speakers, a track's hosts): each
// `<select multiple data-picker>` (templates/partials/people_picker.html) becomes a text box that
// filters as you type, ignoring case and accents, with the chosen people as removable chips in
// their order. ARIA combobox + listbox: arrows move, Enter adds, Escape closes, Backspace in the
// empty box removes the last chip. The select stays in the form, hidden, and is what is sent:
// a browser sends selected options in document order, so the chosen ones are kept first, in
// the order they were chosen. Without this file the select works as it is.

/** "Siobhán" → "siobhan": what the filter compares. */
const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

function enhance(select) {
  const noun = select.dataset.picker || "person";
  const label = document.querySelector(`label[for="${select.id}"]`);
  const hint = select.closest(".field")?.querySelector("[data-picker-hint]");
  const ids = { input: `${select.id}-search`, list: `${select.id}-options`, chips: `${select.id}-chips` };

  const box = document.createElement("div");
  box.className = "picker";
  const chips = document.createElement("ul");
  chips.className = "picker-chips";
  chips.id = ids.chips;
  chips.setAttribute("aria-label", "Chosen, in order");
  const input = document.createElement("input");
  input.type = "text";
  input.id = ids.input;
  input.className = "picker-input";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", ids.list);
  const described = select.getAttribute("aria-describedby");
  if (described) input.setAttribute("aria-describedby", described);
  if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
  input.placeholder = `Find a ${noun}…`;
  const list = document.createElement("ul");
  list.className = "picker-options";
  list.id = ids.list;
  list.setAttribute("role", "listbox");
  list.hidden = true;
  const none = document.createElement("p");
  none.className = "picker-none";
  none.hidden = true;
  const said = document.createElement("p");
  said.className = "visually-hidden";
  said.setAttribute("aria-live", "polite");
  box.append(chips, input, list, none, said);
  select.after(box);
  select.hidden = true;
  if (label) label.htmlFor = ids.input;
  if (hint) hint.textContent = hint.dataset.pickerHint;

  const options = [...select.options].map((option) => ({
    option, key: fold(option.text), name: fold(option.dataset.name || option.text),
  }));
  // Names before affiliations, and a word's start before its middle: "ana" offers Ana Petrović
  // before Hana Svobodová, and both before someone of "Pollen Analytics".
  const rank = ({ key, name }, words) => {
    if (!words.every((w) => key.includes(w))) return -1;
    if (words.every((w) => name.startsWith(w) || name.includes(` ${w}`))) return 0;
    return words.every((w) => name.includes(w)) ? 1 : 2;
  };
  let shown = [];
  let active = -1;

  const chosen = () => [...select.options].filter((option) => option.selected);

  function drawChips() {
    chips.replaceChildren(...chosen().map((option) => {
      const item = document.createElement("li");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "picker-chip";
      remove.dataset.value = option.value;
      const person = option.dataset.name || option.text;
      remove.setAttribute("aria-label", `Remove ${person}`);
      const name = document.createElement("span");
      name.textContent = person;
      const cross = document.createElement("span");
      cross.setAttribute("aria-hidden", "true");
      cross.textContent = "×";
      remove.append(name, cross);
      item.append(remove);
      return item;
    }));
    chips.hidden = chosen().length === 0;
  }

  function setActive(next) {
    active = next;
    [...list.children].forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
    if (active >= 0 && list.children[active]) {
      input.setAttribute("aria-activedescendant", list.children[active].id);
      list.children[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function open(isOpen) {
    list.hidden = !isOpen;
    input.setAttribute("aria-expanded", String(isOpen));
    if (!isOpen) setActive(-1);
  }

  function drawOptions() {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    shown = words.length
      ? options.filter(({ option }) => !option.selected)
        .map((entry) => ({ ...entry, score: rank(entry, words) }))
        .filter((entry) => entry.score >= 0)
        .sort((a, b) => a.score - b.score) // stable: alphabetical within a rank
      : [];
    list.replaceChildren(...shown.slice(0, 50).map(({ option }, i) => {
      const item = document.createElement("li");
      item.id = `${ids.list}-${i}`;
      item.setAttribute("role", "option");
      item.dataset.value = option.value;
      item.textContent = option.text;
      return item;
    }));
    none.hidden = !(words.length && !shown.length);
    none.textContent = none.hidden ? "" : `No ${noun} matches “${input.value.trim()}”.`;
    open(shown.length > 0);
    setActive(shown.length ? 0 : -1);
  }

  function add(value) {
    const option = [...select.options].find((o) => o.value === value);
    if (!option || option.selected) return;
    const last = chosen().at(-1);
    option.selected = true;
    // After the last chosen one: the order sent is the order chosen.
    if (last) last.after(option); else select.prepend(option);
    input.value = "";
    drawChips();
    drawOptions();
    said.textContent = `Added ${option.dataset.name || option.text}.`;
  }

  function remove(value) {
    const option = [...select.options].find((o) => o.value === value);
    if (!option) return;
    option.selected = false;
    drawChips();
    drawOptions();
    said.textContent = `Removed ${option.dataset.name || option.text}.`;
  }

  input.addEventListener("input", drawOptions);
  input.addEventListener("keydown", (event) => {
    const count = list.querySelectorAll("[role=option]").length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      if (list.hidden) open(true);
      setActive((active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      setActive((active - 1 + count) % count);
    } else if (event.key === "Enter") {
      if (!list.hidden) event.preventDefault(); // a choice, not the form's submit
      const item = list.children[active];
      if (item?.dataset.value) add(item.dataset.value);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      open(false);
    } else if (event.key === "Backspace" && input.value === "") {
      const last = chosen().at(-1);
      if (last) remove(last.value);
    }
  });
  // Pressing on the list keeps the focus in the box, so leaving the box really is leaving.
  input.addEventListener("blur", () => open(false));
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const item = event.target.closest("[role=option]");
    if (item) add(item.dataset.value);
  });
  chips.addEventListener("click", (event) => {
    const button = event.target.closest(".picker-chip");
    if (!button) return;
    remove(button.dataset.value);
    input.focus();
  });
  drawChips();
}

document.querySelectorAll("select[multiple][data-picker]").forEach(enhance);
