#!/usr/bin/env node
// The page in each browser engine against the native CLI on the same files,
// run alternately; medians of wall time:
//   native    `ramcheck --format json FILE` (the process, start to exit)
//   page      from the page's file input changing to the verdict on the page
//             (two workers for a gzip package), timed in
//             the page: the driver's own latency (0.3-1.3 s over WebDriver)
//             is no part of what a user waits for
//   2 workers validatePackage(file), the default: the two-worker
//             pipeline
//   1 worker  validatePackage(file, {parallel: false})
// and the peak resident memory of the process that runs the page and its
// workers (Chromium's renderer, Firefox's content process, WebKit's web
// process), sampled from /proc every 50 ms during the page's check; and the
// CPU time all of the engine's processes took during the page's check (from
// /proc, before and after): over the page's time, how many cores the check
// kept busy, its workers and the engine's own work (reading the file for
// them, carrying their messages) together.
//   node bench/browser.mjs [--runs N] [--engines chromium,firefox,webkit] FILE...
// Default files: the main package bench/run makes (>= 700 MB of real
// layers) and the browser tests' over-4 GB fixture. Needs `npm run build`
// and `cargo build --release` first (scripts/start or scripts/test do both).
import { readdirSync, readFileSync, statSync } from "node:fs";

import { engines, fixtures, openPage, start } from "../tests/e2e/harness.mjs";
import { benchArgs, benchPackage, giveFile, machineLoad, median, nativeSeconds, pad, warm } from "./common.mjs";

const argv = process.argv.slice(2);
const at = argv.indexOf("--engines");
if (at >= 0) process.env.RAMCHECK_ENGINES = argv.splice(at, 2)[1];
const { runs, files } = benchArgs(argv);
if (files.length === 0) {
  files.push(...["main"].map(benchPackage).filter(Boolean));
  files.push(fixtures()["over-4g"]);
}

/** Whether process `pid` runs pages of `engine`. */
const PAGE_PROCESS = {
  chromium: (cmdline) => cmdline.includes("--type=renderer"),
  firefox: (cmdline) => cmdline.includes("-contentproc") && !cmdline.includes("rdd") && !cmdline.includes("socket"),
  webkit: (cmdline) => cmdline.includes("WebKitWebProcess"),
};

/** The pids of the processes whose command line passes `test`. */
function processesWhere(test) {
  return readdirSync("/proc").filter((pid) => {
    try {
      return /^\d+$/.test(pid) && test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
    } catch {
      return false; // the process ended meanwhile
    }
  });
}

/** The engine's page processes (pids), found once per page: scanning /proc while a check runs would take a core's time from it. */
function pageProcesses(engine) {
  return processesWhere(PAGE_PROCESS[engine]);
}

/** Peak resident memory (KiB) of processes `pids`, read from /proc (spawning `ps` would load the machine). */
function rssKiB(pids) {
  let peak = 0;
  for (const pid of pids) {
    try {
      const rss = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+)/m);
      if (rss) peak = Math.max(peak, Number(rss[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  return peak;
}

/** Every process of the engine, by its command line (the driver excluded). */
const ENGINE_PROCESS = {
  chromium: /chrom/i,
  firefox: /firefox/i,
  webkit: /WebKit(Web|Network|GPU)Process|MiniBrowser/,
};

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds the engine's processes have used so far, by pid: a process's
 * times count its threads that have ended too (the check's workers end
 * before its verdict shows).
 */
function engineCpu(engine) {
  const processes = new Map();
  for (const pid of processesWhere((cmdline) => ENGINE_PROCESS[engine].test(cmdline))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      processes.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS);
    } catch {
      // the process ended meanwhile
    }
  }
  return processes;
}

/** CPU seconds the engine used between two `engineCpu` readings. */
function cpuBetween(before, after) {
  let used = 0;
  for (const [pid, seconds] of after) used += seconds - (before.get(pid) || 0);
  return used;
}

async function browserRun(env, file) {
  const { page, context } = await openPage(env);
  let peak = 0;
  const pids = pageProcesses(env.engine.name);
  const sampler = setInterval(() => (peak = Math.max(peak, rssKiB(pids))), 50);
  await page.evaluate(() => {
    window.benchTimes = {};
    document.addEventListener("change", () => (window.benchTimes.chosen = performance.now()), { capture: true, once: true });
    const report = document.getElementById("report");
    new MutationObserver((_, observer) => {
      if (!report.hasAttribute("data-verdict")) return;
      window.benchTimes.verdict = performance.now();
      observer.disconnect();
    }).observe(report, { attributes: true, attributeFilter: ["data-verdict"] });
  });
  const cpuBefore = engineCpu(env.engine.name);
  await page.setInputFiles("input[type=file]", file);
  await page.waitForSelector("#report[data-verdict]", { timeout: 1_200_000 });
  const cpu = cpuBetween(cpuBefore, engineCpu(env.engine.name));
  const times = await page.evaluate(() => window.benchTimes);
  const pageSeconds = (times.verdict - times.chosen) / 1000;
  clearInterval(sampler);
  const verdict = await page.getAttribute("#report", "data-verdict");
  await giveFile(page, file);
  // The same file through the API: two workers, then one.
  const api = await page.evaluate(async () => {
    const { validatePackage } = await import("./ramcheck/index.js");
    const file = document.getElementById("bench-file").files[0];
    const time = async (options) => {
      const t = performance.now();
      await validatePackage(file, options);
      return (performance.now() - t) / 1000;
    };
    return { two: await time({}), one: await time({ parallel: false }) };
  });
  await context.close();
  return { pageSeconds, ...api, peakMiB: peak / 1024, verdict, cpu };
}

const rows = [];
for (const engine of engines()) {
  const env = await start(engine);
  try {
    for (const file of files) {
      warm(file);
      const native = [];
      const browser = [];
      for (let i = 0; i < runs; i++) {
        native.push(nativeSeconds(file));
        browser.push(await browserRun(env, file));
      }
      rows.push({
        engine: engine.name,
        file: file.split("/").slice(-2).join("/"),
        mb: statSync(file).size / 1e6,
        native: median(native),
        page: median(browser.map((b) => b.pageSeconds)),
        two: median(browser.map((b) => b.two)),
        one: median(browser.map((b) => b.one)),
        rss: Math.max(...browser.map((b) => b.peakMiB)),
        cpu: median(browser.map((b) => b.cpu)),
        verdict: browser[0].verdict,
      });
    }
  } finally {
    await env.close();
  }
}

const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
console.log(`median of ${runs} alternating runs; ${machineLoad()}`);
console.log(
  `${"engine".padEnd(9)}${"file".padEnd(36)}${pad("MB", 6)}${pad("native s", 10)}${pad("page s", 8)}${pad("ratio", 7)}` +
    `${pad("2 workers s", 13)}${pad("ratio", 7)}${pad("1 worker s", 12)}${pad("ratio", 7)}${pad("page peak MiB", 15)}` +
    `${pad("page CPU s", 12)}${pad("cores", 7)}  verdict`,
);
for (const r of rows) {
  console.log(
    `${r.engine.padEnd(9)}${r.file.padEnd(36)}${pad(r.mb.toFixed(0), 6)}${pad(r.native.toFixed(2), 10)}${pad(r.page.toFixed(2), 8)}${pad(ratio(r.page, r.native), 7)}` +
      `${pad(r.two.toFixed(2), 13)}${pad(ratio(r.two, r.native), 7)}${pad(r.one.toFixed(2), 12)}${pad(ratio(r.one, r.native), 7)}${pad(r.rss.toFixed(0), 15)}` +
      `${pad(r.cpu.toFixed(2), 12)}${pad((r.cpu / r.page).toFixed(2), 7)}  ${r.verdict}`,
  );
}
