// The page: pick a package (drop, click, keyboard, paste), watch the check,
// read the report. It uses the npm package's API, as any embedding would.
import { formatReport, listRules, validatePackage } from "./ramcheck/index.js";
import { clipped, el, humanBytes, humanDuration } from "./dom.js";
import { applyLanguage, language, setLanguage, strings } from "./i18n.js";
import { renderReport, renderRule } from "./render.js";

const $ = (selector) => document.querySelector(selector);
const input = $("#file");
const drop = $("#drop");
const progress = $("#progress");
const reportRoot = $("#report");
const errorBox = $("#error");
const dialog = $("#rule");

let running = null; // the AbortController of the check in progress
let failure = null; // {reason, file} of the check that failed, shown under the drop zone
let lastReport = null;
let lastProgress = null;
let rules = null; // the catalog, loaded on first use

function show(section) {
  $("#pick").hidden = section !== "pick";
  progress.hidden = section !== "progress";
  reportRoot.hidden = section !== "report";
}

/** Shows why the check of `file` failed (nothing when `reason` is null), with "Try again" unless it was cancelled. */
function showError(reason, file) {
  failure = reason ? { reason, file } : null;
  renderError();
}

function renderError() {
  errorBox.hidden = !failure;
  if (!failure) {
    errorBox.replaceChildren();
    return;
  }
  const s = strings();
  const { reason, file } = failure;
  if (reason.name === "AbortError") {
    errorBox.replaceChildren(el("p", {}, s.cancelled));
    return;
  }
  errorBox.replaceChildren(
    el("p", {}, s.failed(s.checkerFailed[reason.code] || reason.message)),
    el("button", { type: "button", class: "retry", onclick: () => check(file) }, s.retry),
  );
}

function renderProgress() {
  const s = strings();
  if (!lastProgress) {
    $("#progress-text").textContent = s.starting;
    return;
  }
  const { bytesRead, total, mbPerSecond } = lastProgress;
  $("#progress-bar").value = total ? Math.min(1, bytesRead / total) : 0;
  const parts = [s.reading(humanBytes(bytesRead), humanBytes(total)), s.rate(mbPerSecond.toFixed(0))];
  if (mbPerSecond > 0 && bytesRead < total) parts.push(s.left(humanDuration((total - bytesRead) / 1e6 / mbPerSecond, s.units)));
  $("#progress-text").textContent = parts.join(" · ");
}

async function check(file) {
  if (!file || running) return;
  showError(null);
  lastReport = null;
  lastProgress = null;
  reportRoot.removeAttribute("data-verdict");
  $("#progress-file").replaceChildren(clipped("span", file.name, 160));
  $("#progress-bar").value = 0;
  renderProgress();
  show("progress");
  $("#cancel").focus();
  running = new AbortController();
  try {
    lastReport = await validatePackage(file, {
      language: language(),
      signal: running.signal,
      onProgress: (p) => {
        lastProgress = p;
        renderProgress();
      },
    });
    renderCurrentReport();
    show("report");
    reportRoot.querySelector(".verdict").focus();
  } catch (e) {
    show("pick");
    showError(e, file);
    (errorBox.querySelector(".retry") || input).focus();
  } finally {
    running = null;
    input.value = "";
  }
}

function actions() {
  const s = strings();
  const status = el("span", { class: "muted", "aria-live": "polite" });
  return el(
    "div",
    { class: "actions" },
    el("button", { type: "button", onclick: downloadJson }, s.download),
    el("button", { type: "button", onclick: () => copyText(status) }, s.copy),
    el("button", { type: "button", class: "primary", onclick: checkAnother }, s.again),
    status,
  );
}

function renderCurrentReport() {
  if (lastReport) renderReport(reportRoot, lastReport, actions());
}

function downloadJson() {
  const blob = new Blob([JSON.stringify(lastReport, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  el("a", { href: url, download: `${lastReport.file}.ramcheck.json` }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function copyText(status) {
  try {
    await navigator.clipboard.writeText(await formatReport(lastReport, "text", language()));
    status.textContent = strings().copied;
  } catch {
    status.textContent = strings().copyFailed;
  }
}

function checkAnother() {
  lastReport = null;
  reportRoot.replaceChildren();
  show("pick");
  input.focus();
}

async function openRule(code) {
  if (!rules) rules = await listRules();
  renderRule(dialog, code, rules.find((r) => r.code === code));
  if (!dialog.open) dialog.showModal();
}

function routeHash() {
  const match = /^#rule\/(.+)$/.exec(location.hash);
  if (match) openRule(decodeURIComponent(match[1]));
}

// Picking a file: the input (click and keyboard through its label), drop, paste.
input.addEventListener("change", () => check(input.files[0]));
for (const type of ["dragenter", "dragover"]) {
  document.addEventListener(type, (e) => {
    e.preventDefault();
    if (!running) drop.classList.add("dragging");
  });
}
document.addEventListener("dragleave", (e) => {
  if (!e.relatedTarget) drop.classList.remove("dragging");
});
document.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("dragging");
  if (!$("#pick").hidden) check(e.dataTransfer.files[0]);
});
document.addEventListener("paste", (e) => {
  const file = e.clipboardData && e.clipboardData.files[0];
  if (file && !$("#pick").hidden) check(file);
});

$("#cancel").addEventListener("click", () => running && running.abort());
dialog.addEventListener("close", () => {
  if (location.hash.startsWith("#rule/")) history.replaceState(null, "", location.pathname + location.search);
});
window.addEventListener("hashchange", routeHash);

for (const button of document.querySelectorAll("[data-lang]")) {
  button.addEventListener("click", () => {
    setLanguage(button.dataset.lang);
    applyLanguage();
    if (running) renderProgress();
    renderError();
    if (lastReport) renderCurrentReport();
    const code = /^#rule\/(.+)$/.exec(location.hash);
    if (dialog.open && code) openRule(decodeURIComponent(code[1]));
  });
}

applyLanguage();
routeHash();
