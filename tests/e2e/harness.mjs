// Shared by the browser tests: the fixture packages, the built page served
// from dist/, and Debian's Chromium driven by playwright-core.
// `npm run build` must have run (scripts/test does it).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { chromium } from "playwright-core";

import { ROOT } from "../../tools/build.mjs";
import { serve } from "../../tools/serve.mjs";

export const OUT = join(ROOT, "tests", "e2e", "out");
const FIXTURES = join(ROOT, "target", "e2e-fixtures");

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

/** Writes the fixture packages once (`--large` adds the over-4 GB one); returns case -> path. */
export function fixtures() {
  if (!existsSync(join(FIXTURES, "over-4g"))) {
    execFileSync("cargo", ["run", "--release", "--quiet", "--example", "fixtures", "--", FIXTURES, "--large"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  const cases = {};
  for (const name of readdirSync(FIXTURES)) {
    const [file] = readdirSync(join(FIXTURES, name));
    cases[name] = join(FIXTURES, name, file);
  }
  return cases;
}

/** The native CLI's JSON report of `path`. */
export function nativeReport(path) {
  let out;
  try {
    out = execFileSync(join(ROOT, "target", "release", "ramcheck"), ["--format", "json", path], { encoding: "utf8" });
  } catch (e) {
    out = e.stdout; // exit status 1: the package has errors
  }
  return JSON.parse(out);
}

/** Debian's Chromium (or $CHROMIUM), headless. */
export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
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

/** A fresh page in `locale` and colour `scheme`, loaded and idle. */
export async function openPage(env, { locale = "en-US", scheme = "light", width = 1280, height = 900 } = {}) {
  const context = await env.browser.newContext({ locale, colorScheme: scheme, viewport: { width, height }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.on("console", (m) => m.type() === "error" && errors.push(new Error(m.text())));
  await page.goto(env.url, { waitUntil: "networkidle" });
  return { page, context, errors };
}

/** Chooses `path` in the page's file input and waits for the report. */
export async function checkFile(page, path, timeout = 60_000) {
  await page.setInputFiles("input[type=file]", path);
  await page.waitForSelector("#report[data-verdict]", { timeout });
  return page.getAttribute("#report", "data-verdict");
}
