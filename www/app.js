// The page: pick a package (drop, click, keyboard, paste), watch the check,
// read the report. It uses the npm package's API, as any embedding would.
import { formatReport, listRules, planRepair, repairPackage, repairSupported, repairToFile, retargetReport, validatePackage } from "./ramcheck/index.js";
import { clipped, el, humanBytes, humanDuration } from "./dom.js";
import { applyLanguage, language, pick, setLanguage, strings } from "./i18n.js";
import { renderReport, renderRule } from "./render.js";

const $ = (selector) => document.querySelector(selector);
const input = $("#file");
const drop = $("#drop");
const progress = $("#progress");
const reportRoot = $("#report");
const errorBox = $("#error");
const dialog = $("#rule");
const repairRoot = $("#repair");

let running = null; // the AbortController of the check in progress
let failure = null; // {reason, file} of the check that failed, shown under the drop zone
let lastReport = null;
let lastProgress = null;
let rules = null; // the catalog, loaded when the page opens (or on first use)
let lastFile = null; // the file lastReport is about, while it can be repaired
// The repair of lastFile: {stage, file, plan, progress, name, repairs, error};
// stage is planning, plan, unsupported, running, done, failed or cancelled.
let repair = null;
let repairing = null; // the AbortController of the repair step in progress
let retargets = 0; // re-targets asked for: only the last one's answer is shown

// The Rainbond that will import the package: a line and a runtime, "any" by
// default, remembered like the language. The facts do not depend on it, so a
// change re-targets the report without reading the file again.
const TARGET_KEY = "ramcheck-target";
const targetLine = $("#target-line");
const targetRuntime = $("#target-runtime");

function target() {
  const line = targetLine.value;
  const runtime = targetRuntime.value;
  return runtime ? `${line}/${runtime}` : line;
}

function restoreTarget() {
  let saved = "";
  try {
    saved = localStorage.getItem(TARGET_KEY) || "";
  } catch {
    // Nothing remembered.
  }
  const [line, runtime = ""] = saved.split("/");
  if ([...targetLine.options].some((o) => o.value === line)) targetLine.value = line;
  if ([...targetRuntime.options].some((o) => o.value === runtime)) targetRuntime.value = runtime;
}

async function changeTarget() {
  try {
    localStorage.setItem(TARGET_KEY, target());
  } catch {
    // Not remembered, but still used.
  }
  if (!lastReport) return;
  // Only the last change counts: re-targets run in workers of their own and
  // may finish out of order.
  const asked = ++retargets;
  const report = await retargetReport(lastReport, target());
  if (asked !== retargets || !lastReport) return;
  lastReport = report;
  renderCurrentReport();
}

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

/** Progress is drawn at most this often (ms). */
const PROGRESS_EVERY = 1000;

/**
 * A function that calls `draw` at most once every PROGRESS_EVERY ms however
 * often it is called (the first call draws at once); its `cancel()` drops a
 * draw still due. Each drawing of the progress costs the engine a frame on
 * the cores the check's workers need: WebKit drawing in software (under
 * Xvfb here) spent 0.64 s of CPU on frames during a check of the 745 MB
 * package at four draws a second, 0.24 s at one.
 */
function throttled(draw) {
  let last = -Infinity;
  let timer = null;
  const due = () => {
    timer = null;
    last = performance.now();
    draw();
  };
  const request = () => {
    if (timer === null) timer = setTimeout(due, Math.max(0, last + PROGRESS_EVERY - performance.now()));
  };
  request.cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  return request;
}

async function check(file) {
  if (!file || running) return;
  retargets++; // a re-target still under way is about the previous report
  showError(null);
  lastReport = null;
  lastFile = null;
  lastProgress = null;
  setRepair(null);
  reportRoot.removeAttribute("data-verdict");
  $("#progress-file").replaceChildren(clipped("span", file.name, 160));
  $("#progress-bar").value = 0;
  renderProgress();
  show("progress");
  $("#cancel").focus();
  running = new AbortController();
  const drawProgress = throttled(renderProgress);
  try {
    lastReport = await validatePackage(file, {
      language: language(),
      target: target(),
      signal: running.signal,
      onProgress: (p) => {
        lastProgress = p;
        drawProgress();
      },
    });
    if (!rules) rules = await listRules(); // which findings a repair covers
    lastFile = file;
    renderCurrentReport();
    show("report");
    reportRoot.querySelector(".verdict").focus();
  } catch (e) {
    show("pick");
    showError(e, file);
    (errorBox.querySelector(".retry") || input).focus();
  } finally {
    drawProgress.cancel();
    running = null;
    input.value = "";
  }
}

function actions() {
  const s = strings();
  const status = el("span", { class: "muted", "aria-live": "polite" });
  const covered = (code) => rules.some((r) => r.code === code && r.repairable);
  const repairable = lastFile && lastReport.findings.some((f) => f.severity !== "info" && covered(f.code));
  return el(
    "div",
    { class: "actions" },
    repairable ? el("button", { type: "button", class: "repair", onclick: startRepair, disabled: !!repair && repair.stage !== "failed" && repair.stage !== "cancelled" }, s.repair) : null,
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
  if (repairing) repairing.abort();
  setRepair(null);
  lastReport = null;
  lastFile = null;
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
repairRoot.addEventListener("click", (e) => {
  if (e.target.closest(".repair-cancel") && repairing) repairing.abort();
});
dialog.addEventListener("close", () => {
  if (location.hash.startsWith("#rule/")) history.replaceState(null, "", location.pathname + location.search);
});
window.addEventListener("hashchange", routeHash);

restoreTarget();
targetLine.addEventListener("change", changeTarget);
targetRuntime.addEventListener("change", changeTarget);

for (const button of document.querySelectorAll("[data-lang]")) {
  button.addEventListener("click", () => {
    setLanguage(button.dataset.lang);
    applyLanguage();
    if (running) renderProgress();
    renderError();
    if (lastReport) renderCurrentReport();
    renderRepair();
    const code = /^#rule\/(.+)$/.exec(location.hash);
    if (dialog.open && code) openRule(decodeURIComponent(code[1]));
  });
}

// Repair: plan (pass 1), then after a second click (showSaveFilePicker needs
// the user's gesture) write, check again and save; see README, "Repair".
// Without showSaveFilePicker but with the origin private file system
// (Firefox), the repaired package is written there and saved as a download
// of that file; with neither, the page shows the command line.

function setRepair(state) {
  repair = state;
  renderRepair();
  if (lastReport) renderCurrentReport();
}

/** The command line that repairs `name`, quoted for a POSIX shell when needed. */
function cliCommand(name) {
  const quoted = /^[\w.,:+@%=\/-]+$/.test(name) ? name : `'${name.replace(/'/g, "'\\''")}'`;
  return `ramcheck fix ${quoted}`;
}

async function startRepair() {
  const file = lastFile;
  if (!file || (repair && repair.stage !== "failed" && repair.stage !== "cancelled")) return;
  if (!(await repairSupported())) {
    setRepair({ stage: "unsupported", file });
    return;
  }
  repairing = new AbortController();
  setRepair({ stage: "planning", file });
  try {
    const { plan } = await planRepair(file, { language: language(), signal: repairing.signal });
    setRepair({ stage: "plan", file, plan });
    const save = repairRoot.querySelector(".repair-save");
    if (save && !save.disabled) save.focus();
  } catch (e) {
    setRepair({ stage: e.name === "AbortError" ? "cancelled" : "failed", file, error: e });
  } finally {
    repairing = null;
  }
}

async function saveRepair() {
  if (typeof window.showSaveFilePicker !== "function") {
    await downloadRepair();
    return;
  }
  const { file, plan } = repair;
  let handle;
  let writable;
  try {
    handle = await window.showSaveFilePicker({ suggestedName: plan.output_name });
    writable = await handle.createWritable();
  } catch (e) {
    if (e.name === "AbortError") return; // the dialog was closed: the plan stays
    setRepair({ stage: "failed", file, error: e });
    return;
  }
  await runRepair(handle.name, false, (options) => repairPackage(file, writable, options));
}

/**
 * The repair where there is no save dialog: into a file of the origin
 * private file system, then a download of that file (an object URL of the
 * File on disk, never a copy in memory), removed once the download started.
 */
async function downloadRepair() {
  const { file, plan } = repair;
  await runRepair(plan.output_name, true, async (options) => {
    const result = await repairToFile(file, options);
    const url = URL.createObjectURL(result.output);
    el("a", { href: url, download: plan.output_name }).click();
    // The download has the file open once it starts; the object URL goes later.
    setTimeout(() => result.remove(), 1000);
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    return result;
  });
}

/** Runs `work(options)` (a repair that saves, or `downloaded`, as `name`) with progress, Cancel and the result shown. */
async function runRepair(name, downloaded, work) {
  const { file, plan } = repair;
  repairing = new AbortController();
  setRepair({ stage: "running", file, plan, name, progress: null });
  const drawProgress = throttled(renderRepairProgress);
  try {
    const result = await work({
      name: file.name,
      outputName: name,
      language: language(),
      signal: repairing.signal,
      onProgress: (p) => {
        repair.progress = p;
        drawProgress();
      },
    });
    lastReport = result.report;
    lastFile = null;
    setRepair({ stage: "done", name, downloaded, repairs: result.repairs, notRepairable: result.notRepairable });
    reportRoot.querySelector(".verdict").focus();
  } catch (e) {
    setRepair({ stage: e.name === "AbortError" ? "cancelled" : e.code === "unsupported" ? "unsupported" : "failed", file, error: e });
  } finally {
    drawProgress.cancel();
    repairing = null;
  }
}

function repairList(repairs) {
  return el(
    "ol",
    { class: "repairs" },
    repairs.map((r) =>
      el(
        "li",
        { class: "repair-item" },
        r.code ? [el("a", { class: "code", href: `#rule/${encodeURIComponent(r.code)}` }, r.code), " "] : null,
        clipped("span", pick(r.message, r.message_zh), 2000),
      ),
    ),
  );
}

function unrepairedList(items, s) {
  if (!items || items.length === 0) return null;
  return [
    el("h3", {}, s.repairUnrepaired),
    el(
      "ul",
      { class: "unrepaired" },
      items.map((u) =>
        el(
          "li",
          {},
          el("a", { class: "code", href: `#rule/${encodeURIComponent(u.code)}` }, u.code),
          " ",
          clipped("code", u.location, 160),
          ": ",
          clipped("span", pick(u.reason, u.reason_zh), 2000),
        ),
      ),
    ),
  ];
}

function renderRepair() {
  repairRoot.hidden = !repair;
  if (!repair) {
    repairRoot.replaceChildren();
    repairRoot.removeAttribute("data-stage");
    return;
  }
  const s = strings();
  const cancel = el("button", { type: "button", class: "repair-cancel" }, s.cancel);
  const close = el("button", { type: "button", onclick: () => setRepair(null) }, s.close);
  const progressParts = [el("progress", { id: "repair-bar", max: "1", value: "0" }), el("p", { id: "repair-text", class: "muted" })];
  const views = {
    unsupported: () => [
      el("p", {}, s.repairUnsupported),
      el("pre", { class: "cli" }, clipped("code", cliCommand(repair.file.name), 400)),
      close,
    ],
    planning: () => [el("p", {}, s.repairPlanning), cancel],
    plan: () => {
      const { plan } = repair;
      return [
        el("h2", {}, s.repairPlanTitle),
        plan.repairs.length ? repairList(plan.repairs) : el("p", {}, s.repairNothing),
        unrepairedList(plan.unrepaired, s),
        plan.repairs.length ? clipped("p", s.repairSaveHint(plan.output_name), 300, { class: "muted" }) : null,
        el(
          "div",
          { class: "actions" },
          el("button", { type: "button", class: "primary repair-save", onclick: saveRepair, disabled: plan.repairs.length === 0 }, typeof window.showSaveFilePicker === "function" ? s.repairSave : s.repairDownload),
          close,
        ),
      ];
    },
    running: () => [clipped("p", repair.name, 160, { class: "progress-file" }), ...progressParts, cancel],
    done: () => [clipped("p", (repair.downloaded ? s.repairDownloaded : s.repairDone)(repair.name), 300, { class: "ok" }), el("h3", {}, s.repairMade), repairList(repair.repairs), unrepairedList(repair.notRepairable, s), close],
    failed: () => [el("p", {}, s.repairFailed(repair.error.message)), close],
    cancelled: () => [el("p", {}, s.repairCancelled), close],
  };
  repairRoot.dataset.stage = repair.stage;
  repairRoot.replaceChildren(...views[repair.stage]().flat().filter(Boolean));
  if (repair.stage === "running") renderRepairProgress();
}

function renderRepairProgress() {
  const bar = repairRoot.querySelector("#repair-bar");
  const text = repairRoot.querySelector("#repair-text");
  if (!bar || !repair || !repair.progress) return;
  const s = strings();
  const { phase, bytesRead, total, bytesWritten } = repair.progress;
  bar.value = total ? Math.min(1, bytesRead / total) : 0;
  const parts = [s.repairPhase[phase], s.reading(humanBytes(bytesRead), humanBytes(total))];
  if (bytesWritten) parts.push(s.repairWritten(humanBytes(bytesWritten)));
  text.textContent = parts.join(" · ");
}

applyLanguage();
routeHash();
// Loads the catalog, and compiles the wasm on the way, while the user picks
// a file: neither then waits at the end of the first check. Then tells
// whoever drives the page (a test, a benchmark) that it is ready: module
// scripts run after the load a WebDriver may wait for, and the one worker
// the page starts on its own has been started (a test that replaces the
// next worker must not have this one take its place).
listRules()
  .then(
    (catalog) => (rules = rules || catalog),
    () => {},
  )
  .finally(() => {
    document.documentElement.dataset.ready = "true";
  });
