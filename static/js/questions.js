// Live questions (the questions page and the room's big screen). The server renders the list;
// this script keeps it current from the live events stream (frames of type "question" carry the
// question as every screen shows it, so no screen asks the server again), and sends asks, upvotes
// and a host's moderation with fetch instead of a page load.
const root = document.querySelector("[data-questions]");
const list = root?.querySelector("[data-question-list]");
const template = document.querySelector("[data-question-template]");
const guid = root?.dataset.guid;
const moderator = root?.dataset.moderator === "yes";
const screen = root?.hasAttribute("data-screen");
let csrf = "";

async function token() {
  if (!csrf) {
    try {
      csrf = (await window.ccMe())?.csrf_token || "";
    } catch {
      // offline: the write fails below and says so
    }
  }
  return csrf;
}

function problem(message) {
  const box = root.querySelector("[data-questions-error]");
  if (!box) return;
  box.hidden = !message;
  box.textContent = message || "";
}

async function call(url, method, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": await token() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error("You are offline: questions need the network. Try again when you are back online.");
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error?.message || "That did not work. Try again.");
  return answer;
}

function tag(item, name, label, shown, className = "badge") {
  const tags = item.querySelector(".question-tags");
  let el = tags.querySelector(`[data-tag="${name}"]`);
  if (shown && !el) {
    el = document.createElement("span");
    el.className = className;
    el.dataset.tag = name;
    el.textContent = label;
    tags.append(el);
  } else if (!shown && el) el.remove();
}

function setButton(form, name, value, label) {
  const button = form?.querySelector(`button[name="${name}"]`);
  if (button) { button.value = value; button.textContent = label; }
}

/** Show `q` (from the stream or an answer) in its item, made from the template when new. */
function upsert(q, own = {}) {
  let item = list.querySelector(`[data-question="${q.id}"]`);
  if (q.state === "hidden" && !moderator) {
    item?.remove();
    return settle();
  }
  if (!item) {
    if (q.text === undefined) return; // hidden from a host's list before it was shown
    item = template.content.firstElementChild.cloneNode(true);
    item.dataset.question = q.id;
    // getAttribute: the vote form's <input name="action"> shadows its .action property.
    item.querySelectorAll("form").forEach((form) => form.setAttribute("action", form.getAttribute("action").replace(/\/questions\/0\//, `/questions/${q.id}/`)));
    list.append(item);
  }
  if (q.text !== undefined) item.querySelector("[data-text]").textContent = q.text;
  if (q.votes !== undefined) {
    item.dataset.votes = q.votes;
    item.querySelector("[data-votes-shown]").textContent = q.votes;
  }
  if (q.pinned !== undefined) item.classList.toggle("is-pinned", q.pinned);
  item.classList.remove("state-open", "state-answered", "state-hidden");
  item.classList.add(`state-${q.state}`);
  tag(item, "pinned", "Pinned", item.classList.contains("is-pinned"));
  tag(item, "answered", "Answered", q.state === "answered");
  tag(item, "hidden", "Hidden", q.state === "hidden", "badge badge-danger");
  if (own.mine !== undefined && !screen) tag(item, "mine", "Your question", own.mine, "muted");
  const vote = item.querySelector(".question-vote");
  if (vote && own.voted !== undefined) showVote(vote, own.voted);
  if (vote && own.mine) vote.querySelector("button").disabled = true;
  const moderate = item.querySelector(".question-moderate");
  const pinned = item.classList.contains("is-pinned");
  setButton(moderate, "pinned", pinned ? "unpin" : "pin", pinned ? "Unpin" : "Pin");
  const states = moderate ? [...moderate.querySelectorAll('button[name="state"]')] : [];
  if (states[0]) { states[0].value = q.state === "answered" ? "open" : "answered"; states[0].textContent = q.state === "answered" ? "Reopen" : "Answered"; }
  if (states[1]) { states[1].value = q.state === "hidden" ? "open" : "hidden"; states[1].textContent = q.state === "hidden" ? "Restore" : "Hide"; }
  settle();
}

function showVote(form, voted) {
  form.querySelector("input[name=action]").value = voted ? "down" : "up";
  form.querySelector("button").setAttribute("aria-pressed", String(voted));
}

/** Best first: pinned, then open before answered, then most upvoted, then oldest. */
function settle() {
  const rank = (item) => [
    item.classList.contains("is-pinned") ? 0 : 1,
    item.classList.contains("state-open") ? 0 : 1,
    -Number(item.dataset.votes),
    Number(item.dataset.question),
  ];
  const items = [...list.children];
  const sorted = [...items].sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; i += 1) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  });
  if (sorted.some((item, i) => item !== items[i])) list.append(...sorted);
  const empty = root.querySelector("[data-questions-empty]");
  if (empty) empty.hidden = list.children.length > 0;
  const heading = document.getElementById("questions-h");
  if (heading) heading.textContent = `${list.children.length} question${list.children.length === 1 ? "" : "s"}`;
}

if (root && list && template) {
  document.addEventListener("cc:live-frame", (event) => {
    const { type, data } = event.detail;
    if (type === "question" && data?.session === guid) upsert(data);
    if (type === "reset") location.reload(); // events were missed: the server's list is the truth
  });

  const ask = root.querySelector("[data-ask]");
  const textarea = ask?.querySelector("textarea");
  const count = root.querySelector("[data-ask-count]");
  textarea?.addEventListener("input", () => {
    const left = Number(root.dataset.max) - textarea.value.length;
    count.textContent = left >= 0 ? `${left} characters left.` : `${-left} characters too many.`;
  });
  ask?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = ask.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const q = await call(`/api/v1/sessions/${encodeURIComponent(guid)}/questions`, "POST", { text: textarea.value });
      upsert(q, { mine: true, voted: false });
      textarea.value = "";
      count.textContent = `At most ${root.dataset.max} characters.`;
      problem("");
    } catch (error) {
      problem(error.message);
    } finally {
      button.disabled = false;
    }
  });

  list.addEventListener("submit", async (event) => {
    const form = event.target;
    const item = form.closest("[data-question]");
    if (!item) return;
    event.preventDefault();
    const id = item.dataset.question;
    try {
      if (form.classList.contains("question-vote")) {
        const up = form.querySelector("input[name=action]").value === "up";
        const answer = await call(`/api/v1/questions/${id}/vote`, up ? "PUT" : "DELETE");
        showVote(form, answer.voted);
        item.dataset.votes = answer.votes;
        item.querySelector("[data-votes-shown]").textContent = answer.votes;
        settle();
      } else if (form.classList.contains("question-moderate")) {
        const button = event.submitter;
        const body = button.name === "pinned" ? { pinned: button.value === "pin" } : { state: button.value };
        upsert(await call(`/api/v1/questions/${id}`, "PATCH", body));
      }
      problem("");
    } catch (error) {
      problem(error.message);
    }
  });
}
