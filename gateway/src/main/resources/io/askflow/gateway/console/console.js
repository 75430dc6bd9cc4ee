// askflow's web console. Everything the page shows from the API (answers, tool details, sources,
// errors) is untrusted text: it is put into the page with textContent and attributes only, never
// as HTML, and only http(s) URLs become links.
"use strict";

const KEY_ITEM = "askflow.apiKey";
const CONVERSATIONS_ITEM = "askflow.conversations";
const ANSWER_WAIT_SECONDS = 120;

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = localStorage.getItem(KEY_ITEM);
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

// --- Conversations -------------------------------------------------------------------------------

function conversations() {
  try {
    const list = JSON.parse(localStorage.getItem(CONVERSATIONS_ITEM) || "[]");
    return Array.isArray(list) ? list.filter((c) => typeof c === "string") : [];
  } catch (e) {
    return [];
  }
}

let current = null;

function choose(id) {
  current = id;
  const known = conversations();
  if (!known.includes(id)) {
    known.unshift(id);
    localStorage.setItem(CONVERSATIONS_ITEM, JSON.stringify(known.slice(0, 50)));
  }
  $("current-id").textContent = id;
  $("transcript").replaceChildren();
  renderConversations();
}

function renderConversations() {
  const list = $("conversations");
  list.replaceChildren();
  for (const id of conversations()) {
    const item = el("li");
    const button = el("button", id === current ? "current" : "", id);
    button.type = "button";
    button.addEventListener("click", () => choose(id));
    item.append(button);
    list.append(item);
  }
}

function newConversationId() {
  return "console-" + crypto.randomUUID();
}

// --- A turn on the page ---------------------------------------------------------------------------

class TurnView {
  constructor(prompt) {
    this.node = el("li", "turn");
    this.node.dataset.state = "sending";
    this.node.append(el("div", "prompt", prompt));
    this.progress = el("div", "progress-lines");
    this.answer = el("div", "answer");
    this.node.append(this.progress, this.answer);
    $("transcript").append(this.node);
    this.streamed = "";
  }

  set requestId(id) {
    this.node.dataset.requestId = id;
  }

  line(text) {
    this.progress.append(el("p", "progress", text));
  }

  delta(text) {
    this.streamed += text;
    this.answer.textContent = this.streamed;
    this.node.dataset.state = "streaming";
  }

  error(code, message) {
    const p = el("p", "error");
    p.dataset.code = code;
    p.append(el("code", "", code), document.createTextNode(" " + (message || "")));
    this.node.append(p);
    this.node.dataset.state = "error";
  }

  /** The final answer is the truth: it replaces whatever the deltas added up to. */
  finish(answer) {
    if (answer.status === "error" || answer.error) {
      const e = answer.error || {};
      this.error(e.code || "error", e.message);
      return;
    }
    this.answer.textContent = answer.text || "";
    const sources = Array.isArray(answer.sources) ? answer.sources : [];
    if (sources.length > 0) {
      const list = el("ol", "sources");
      for (const s of sources) {
        const item = el("li");
        if (Number.isInteger(s.number)) item.value = s.number;
        const label = s.title || s.url || s.documentId || "source";
        const href = safeUrl(s.url);
        if (href) {
          const a = el("a", "", label);
          a.href = href;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          item.append(a);
        } else {
          item.append(el("span", "", label));
        }
        list.append(item);
      }
      this.node.append(list);
    }
    const meta = [];
    if (answer.model) meta.push("model " + answer.model);
    if (answer.toolRounds) meta.push(answer.toolRounds + " tool round(s)");
    if (answer.metadata && answer.metadata["model.notice"]) meta.push(answer.metadata["model.notice"]);
    if (meta.length) this.node.append(el("p", "progress", meta.join("; ")));
    this.node.dataset.state = "done";
  }
}

function safeUrl(url) {
  if (typeof url !== "string") return null;
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
  } catch (e) {
    return null;
  }
}

// --- Talking to the gateway -----------------------------------------------------------------------

async function errorOf(response) {
  try {
    const body = await response.json();
    if (body && body.error) return body.error;
  } catch (e) {
    // not JSON: fall through
  }
  return { code: "http_" + response.status, message: response.statusText };
}

async function ask(prompt) {
  const view = new TurnView(prompt);
  try {
    const response = await fetch("/v1/prompts", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify({ conversationId: current, prompt: prompt }),
    });
    if (response.status !== 202 && response.status !== 200) {
      const e = await errorOf(response);
      view.error(e.code, e.message);
      return;
    }
    const accepted = await response.json();
    view.requestId = accepted.requestId;
    if (accepted.status === "ok" || accepted.status === "error") {
      view.finish(accepted);
      return;
    }
    if (!(await follow(view, accepted.requestId))) {
      await waitForAnswer(view, accepted.requestId);
    }
  } catch (e) {
    view.error("network", String(e && e.message ? e.message : e));
  }
}

/** The turn's events as they happen; false when the gateway offers no event stream. */
async function follow(view, requestId) {
  const response = await fetch("/v1/answers/" + encodeURIComponent(requestId) + "/events", {
    headers: headers({ Accept: "text/event-stream" }),
  });
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || !type.startsWith("text/event-stream")) return false;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let finished = false;
  while (!finished) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      finished = onEvent(view, block) || finished;
    }
  }
  reader.cancel().catch(() => {});
  // The answer event ends the stream; the committed answer (with its sources) is read from the answer book.
  await waitForAnswer(view, requestId, !finished);
  return true;
}

/** One SSE block; true when it was the turn's final answer. */
function onEvent(view, block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length === 0) return false;
  let event;
  try {
    event = JSON.parse(data.join("\n"));
  } catch (e) {
    return false;
  }
  const kind = name !== "message" ? name : event.kind;
  if (kind === "delta") {
    view.delta(event.text || "");
  } else if (kind === "answer") {
    return true;
  } else {
    view.line(describe(kind, event));
  }
  return false;
}

/** A progress or retry event as one line, e.g. "tool started: fetch_url https://example.com". */
function describe(kind, event) {
  const what = kind === "retry" ? "retrying the model call" : (event.step || kind).replace(/_/g, " ");
  const parts = [what];
  if (typeof event.tool === "string" && event.tool) parts.push(event.tool);
  if (typeof event.detail === "string" && event.detail) parts.push(event.detail);
  if (kind === "progress" && event.step === "model_call") parts.push("(round " + ((event.round || 0) + 1) + ")");
  return parts.join(" ");
}

async function waitForAnswer(view, requestId, announce) {
  if (announce !== false) view.line("waiting for the answer");
  const response = await fetch("/v1/answers/" + encodeURIComponent(requestId) + "?wait=" + ANSWER_WAIT_SECONDS,
      { headers: headers() });
  if (response.status === 200) {
    view.finish(await response.json());
  } else if (response.status === 202) {
    view.error("pending", "No answer within " + ANSWER_WAIT_SECONDS + " s; it is still on its way");
  } else {
    const e = await errorOf(response);
    view.error(e.code, e.message);
  }
}

const KINDS = { txt: "text/plain", md: "text/markdown", markdown: "text/markdown", html: "text/html",
  htm: "text/html", pdf: "application/pdf" };

async function upload(file, title) {
  const status = $("upload-status");
  status.className = "";
  const ext = (file.name.split(".").pop() || "").toLowerCase();
  const type = KINDS[ext] || file.type || "application/octet-stream";
  const query = "?title=" + encodeURIComponent(title || file.name);
  status.textContent = "Uploading " + file.name + " ...";
  const response = await fetch("/v1/documents" + query, {
    method: "POST", headers: headers({ "Content-Type": type }), body: file,
  });
  if (response.status === 201) {
    const body = await response.json();
    status.textContent = "Uploaded " + file.name + " as " + body.id;
  } else {
    const e = await errorOf(response);
    status.className = "error";
    status.textContent = e.code + ": " + e.message;
  }
}

// --- Wiring ---------------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  const key = $("api-key");
  key.value = localStorage.getItem(KEY_ITEM) || "";
  key.addEventListener("input", () => {
    if (key.value) localStorage.setItem(KEY_ITEM, key.value);
    else localStorage.removeItem(KEY_ITEM);
  });
  $("new-conversation").addEventListener("click", () => choose(newConversationId()));
  $("open-conversation").addEventListener("submit", (e) => {
    e.preventDefault();
    const id = $("conversation-id").value.trim();
    if (id) choose(id);
  });
  $("ask").addEventListener("submit", (e) => {
    e.preventDefault();
    const prompt = $("prompt").value;
    if (!prompt.trim()) return;
    $("prompt").value = "";
    ask(prompt);
  });
  $("upload").addEventListener("submit", (e) => {
    e.preventDefault();
    const file = $("upload-file").files[0];
    if (file) upload(file, $("upload-title").value.trim());
  });
  choose(conversations()[0] || newConversationId());
  document.body.dataset.ready = "true";
});
