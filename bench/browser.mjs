#!/usr/bin/env node
// The page in Chromium against the native CLI on the same files: wall time
// of each (median of runs) and the peak resident memory of the renderer
// process that runs the page's worker, sampled while it checks.
//   node bench/browser.mjs [--runs N] FILE...
// Default files: the benchmark's main package (bench/run makes it) and the
// browser tests' over-4 GB fixture. Needs `npm run build` and
// `cargo build --release` first (scripts/start or scripts/test do both).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

import { ROOT } from "../tools/build.mjs";
import { fixtures, openPage, start } from "../tests/e2e/harness.mjs";

const args = process.argv.slice(2);
const runsAt = args.indexOf("--runs");
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
let files = args;
if (files.length === 0) {
  const main = join(ROOT, "bench", "out", "main");
  if (existsSync(main)) files.push(...readdirSync(main).filter((f) => f.endsWith(".tar.gz")).map((f) => join(main, f)));
  files.push(fixtures()["over-4g"]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function nativeSeconds(file) {
  const started = process.hrtime.bigint();
  try {
    execFileSync(join(ROOT, "target", "release", "ramcheck"), ["--format", "json", file], { stdio: "ignore" });
  } catch {
    // exit status 1: a package with errors is still a complete check
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Resident memory (KiB) of Chromium's renderer processes (the page's worker runs in one), by pid. */
function rendererRss() {
  const out = execFileSync("ps", ["-C", "chromium", "-o", "pid=,rss=,args="], { encoding: "utf8" });
  const rss = new Map();
  for (const line of out.split("\n")) {
    const m = line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/);
    if (m && m[3].includes("--type=renderer")) rss.set(m[1], Number(m[2]));
  }
  return rss;
}

async function browserRun(env, file) {
  const { page, context } = await openPage(env);
  let peak = 0;
  const sampler = setInterval(() => {
    for (const kib of rendererRss().values()) peak = Math.max(peak, kib);
  }, 100);
  const started = process.hrtime.bigint();
  await page.setInputFiles("input[type=file]", file);
  await page.waitForSelector("#report[data-verdict]", { timeout: 600_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const verdict = await page.getAttribute("#report", "data-verdict");
  await context.close();
  return { seconds, peakMiB: peak / 1024, verdict };
}

const env = await start();
const rows = [];
try {
  for (const file of files) {
    const native = [];
    const browser = [];
    for (let i = 0; i < runs; i++) {
      native.push(nativeSeconds(file));
      browser.push(await browserRun(env, file));
    }
    rows.push({
      file: file.split("/").pop(),
      mb: statSync(file).size / 1e6,
      native: median(native),
      browser: median(browser.map((b) => b.seconds)),
      rss: Math.max(...browser.map((b) => b.peakMiB)),
      verdict: browser[0].verdict,
    });
  }
} finally {
  await env.close();
}

const pad = (s, n) => String(s).padStart(n);
console.log(`median of ${runs} alternating runs; load ${execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ")[0]}`);
console.log(`${"file".padEnd(28)}${pad("MB", 8)}${pad("native s", 10)}${pad("Chromium s", 12)}${pad("ratio", 8)}${pad("renderer peak MiB", 19)}  verdict`);
for (const r of rows) {
  console.log(
    `${r.file.padEnd(28)}${pad(r.mb.toFixed(0), 8)}${pad(r.native.toFixed(2), 10)}${pad(r.browser.toFixed(2), 12)}${pad((r.browser / r.native).toFixed(2) + "x", 8)}${pad(r.rss.toFixed(0), 19)}  ${r.verdict}`,
  );
}
