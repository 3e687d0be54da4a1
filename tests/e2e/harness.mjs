// Shared by the browser tests: the fixture packages, the built page served
// from dist/, and Debian's Chromium driven by playwright-core.
// `npm run build` must have run (scripts/test does it).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";

import { chromium } from "playwright-core";

import { ROOT } from "../../tools/build.mjs";
import { serve } from "../../tools/serve.mjs";

export const OUT = join(ROOT, "tests", "e2e", "out");
const FIXTURE_CODE = ["examples/fixtures.rs", "tests/fixtures/mod.rs"];

// Without the networking flags Chromium floods refused connections to Google.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The fixture packages (`--large` adds the over-4 GB one), written once per
 * version of the code that makes them: into a directory named by its hash,
 * renamed into place whole, so that test files running in parallel never see
 * a half-written or outdated set. Returns case -> path.
 */
export function fixtures() {
  const hash = createHash("sha256");
  for (const path of FIXTURE_CODE) hash.update(readFileSync(join(ROOT, path)));
  const dir = join(ROOT, "target", `e2e-fixtures-${hash.digest("hex").slice(0, 12)}`);
  if (!existsSync(dir)) {
    const temp = `${dir}.${process.pid}`;
    execFileSync("cargo", ["run", "--release", "--quiet", "--example", "fixtures", "--", temp, "--large"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    });
    try {
      renameSync(temp, dir);
    } catch (e) {
      if (!existsSync(dir)) throw e;
      rmSync(temp, { recursive: true }); // another test file wrote the same set first
    }
  }
  const cases = {};
  for (const name of readdirSync(dir)) {
    const [file] = readdirSync(join(dir, name));
    cases[name] = join(dir, name, file);
  }
  return cases;
}

/** A report with its timing zeroed, to compare reports of the same package. */
export const withoutMillis = (report) => ({ ...report, stats: { ...report.stats, millis: 0 } });

/** The native CLI's JSON report of `path`, for `target`. */
export function nativeReport(path, target = "all") {
  let out;
  try {
    out = execFileSync(join(ROOT, "target", "release", "ramcheck"), ["--format", "json", "--target", target, path], { encoding: "utf8" });
  } catch (e) {
    out = e.stdout; // exit status 1: the package has errors
  }
  return JSON.parse(out);
}

/** Debian's Chromium (or $CHROMIUM), headless. */
export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/**
 * Registers a test file's hooks: before its tests, the fixtures, the server
 * and the browser, handed to `ready({env, cases})`; after them, both stopped.
 */
export function browserSuite(ready) {
  let env;
  before(async () => {
    const cases = fixtures();
    env = await start();
    ready({ env, cases });
  });
  after(() => env && env.close());
}

/** Starts the server and the browser; `close()` stops both. */
export async function start() {
  mkdirSync(OUT, { recursive: true });
  const { server, url } = await serve(join(ROOT, "dist"), 0);
  const browser = await launchChromium();
  return {
    url,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/**
 * A fresh page in `locale` and colour `scheme`, loaded and idle.
 * `setup(page)` runs before the page loads (to add init scripts, install a
 * clock); `bypassCSP` turns the page's Content-Security-Policy off.
 */
export async function openPage(env, { locale = "en-US", scheme = "light", width = 1280, height = 900, bypassCSP = false, setup } = {}) {
  const context = await env.browser.newContext({ locale, colorScheme: scheme, viewport: { width, height }, acceptDownloads: true, bypassCSP });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.on("console", (m) => m.type() === "error" && errors.push(new Error(m.text())));
  if (setup) await setup(page);
  await page.goto(env.url, { waitUntil: "networkidle" });
  return { page, context, errors };
}

/** Opens a page (options as for `openPage`), runs `body(page)`, then fails on any page error. */
export async function withPage(env, options, body) {
  const { page, context, errors } = await openPage(env, options);
  try {
    await body(page);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

/** Chooses `path` in the page's file input and waits for the report. */
export async function checkFile(page, path, timeout = 60_000) {
  await page.setInputFiles("input[type=file]", path);
  await page.waitForSelector("#report[data-verdict]", { timeout });
  return page.getAttribute("#report", "data-verdict");
}
