// Shared by the browser tests: the fixture packages, the built page served
// from dist/, and three browser engines, each the one Debian ships:
//
//   chromium  Chromium, driven by playwright-core (its own browser downloads
//             are not needed)
//   firefox   Firefox ESR, driven by puppeteer-core over WebDriver BiDi, headless
//   webkit    WebKitGTK (Safari's engine), its MiniBrowser driven by
//             WebKitWebDriver (./webdriver.mjs) under xvfb-run
//
// Each test is written once against the page below and runs in every engine
// of $RAMCHECK_ENGINES (default: all three), its name prefixed by the engine.
// The page object is Playwright's in Chromium; in the other engines an
// adapter gives the part of its API the tests use (evaluate, waitForSelector,
// waitForFunction, textContent, getAttribute, isVisible, $, click,
// selectOption, setInputFiles, screenshot, reload, addInitScript). What an
// engine cannot do is in `engine.can`, and a test that needs it skips that
// assertion saying why (`skipped(t, engine, what, reason)`).
//
// `npm run build` must have run (scripts/test does it).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test as nodeTest } from "node:test";

import { chromium } from "playwright-core";
import puppeteer from "puppeteer-core";

import { ROOT } from "../../tools/build.mjs";
import { serve } from "../../tools/serve.mjs";
import { NoSession, Session, startWebKitDriver } from "./webdriver.mjs";

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

/** Firefox, kept from calling home during the tests. */
const FIREFOX_PREFS = {
  "app.update.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "extensions.update.enabled": false,
};

/**
 * What each engine's driver can do. `false` entries are the reasons tests
 * give when they skip an assertion.
 */
const ENGINES = {
  chromium: {
    requests: true,
    console: true,
    preload: true,
    locale: true,
    scheme: true,
    bypassCSP: true,
    clock: true,
    keyboard: true,
    opfsRepair: true,
  },
  firefox: {
    requests: true,
    console: true,
    preload: true,
    locale: true, // navigator.language set by a preload script
    scheme: "puppeteer emulates prefers-color-scheme over CDP only, not over WebDriver BiDi",
    bypassCSP: "puppeteer turns the Content-Security-Policy off over CDP only, not over WebDriver BiDi",
    clock: "a fake clock is Playwright's (Chromium only here)",
    keyboard: "the file chooser event is Playwright's (Chromium only here)",
    opfsRepair: true,
  },
  webkit: {
    requests: "WebDriver classic cannot see the page's network requests",
    console: "WebDriver classic cannot see the page's console or uncaught errors",
    preload: false, // init scripts run once the page is ready (classic WebDriver has no preload scripts)
    locale: "WebKitGTK takes its language from the process locale: the page's remembered language is set instead",
    scheme: "WebDriver classic cannot emulate prefers-color-scheme",
    bypassCSP: "WebDriver classic cannot turn the Content-Security-Policy off",
    clock: "a fake clock is Playwright's (Chromium only here)",
    keyboard: "the file chooser event is Playwright's (Chromium only here)",
    opfsRepair: "WebKitGTK has no synchronous access handles in workers: the page shows the command line (tested)",
  },
};

/** The engines to test: $RAMCHECK_ENGINES (comma separated), default all. */
export function engines() {
  const names = (process.env.RAMCHECK_ENGINES || "chromium,firefox,webkit").split(",").filter(Boolean);
  for (const name of names) assert.ok(ENGINES[name], `unknown engine ${name} in RAMCHECK_ENGINES`);
  return names.map((name) => ({ name, can: ENGINES[name] }));
}

/** Where a screenshot `name` of `engine` goes: tests/e2e/out/<engine>/<name>. */
export function shot(engine, name) {
  mkdirSync(join(OUT, engine.name), { recursive: true });
  return join(OUT, engine.name, name);
}

/** Notes in the test's output that `what` is not checked in `engine`, and why. */
export function skipped(t, engine, what, reason = engine.can[what]) {
  t.diagnostic(`${engine.name}: not checked: ${what}: ${reason}`);
}

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

/** Debian's Firefox ESR (or $FIREFOX), headless, over WebDriver BiDi. */
export function launchFirefox() {
  return puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
  });
}

/**
 * For each engine: a suite named after it whose hooks start the server and
 * the browser before its tests (handed to `ready({env, cases, engine})`)
 * and stop them after; `define(test, engine)` declares the tests, `test`
 * being node:test's with the engine's name before each test's name.
 */
export function eachEngine(ready, define) {
  for (const engine of engines()) {
    describe(engine.name, () => {
      let env;
      before(async () => {
        const cases = fixtures();
        env = await start(engine);
        await ready({ env, cases, engine });
      });
      after(() => env && env.close());
      define((name, ...rest) => nodeTest(`${engine.name}: ${name}`, ...rest), engine);
    });
  }
}

/** Serves dist/ and starts `engine`'s browser (Chromium by default); `close()` stops both. */
export async function start(engine = { name: "chromium", can: ENGINES.chromium }) {
  mkdirSync(OUT, { recursive: true });
  const { server, url } = await serve(join(ROOT, "dist"), 0);
  const browser = await launch(engine.name);
  return {
    url,
    engine,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/** The browser of engine `name`: `newPage(url, options)` and `close()`. */
async function launch(name) {
  if (name === "chromium") return { kind: name, playwright: await launchChromium(), close() { return this.playwright.close(); } };
  if (name === "firefox") {
    const browser = await launchFirefox();
    return { kind: name, puppeteer: browser, close: () => browser.close() };
  }
  let driver = await startWebKitDriver();
  return {
    kind: name,
    /** A new session; if the driver does not answer, one more on a fresh driver (the page is not loaded yet). */
    async newSession() {
      try {
        return await Session.create(driver.url);
      } catch (e) {
        if (!(e instanceof NoSession)) throw e;
        console.error(`# webkit: ${e.message}; starting a fresh WebKitWebDriver. It had said: ${driver.said().trim() || "nothing"}`);
        driver.close();
        driver = await startWebKitDriver();
        return Session.create(driver.url);
      }
    },
    close: async () => driver.close(),
  };
}

/**
 * A fresh page (its own storage) in `locale` and colour `scheme`, loaded,
 * its scripts run (`<html data-ready>`). `setup(page)` runs before the page
 * loads (to add init scripts, install a clock); `bypassCSP` turns the page's
 * Content-Security-Policy off; `url` opens another page than the served one.
 */
export async function openPage(env, { locale = "en-US", scheme = "light", width = 1280, height = 900, bypassCSP = false, setup, url = env.url } = {}) {
  const { browser } = env;
  const errors = [];
  let page;
  let context;
  try {
    await load();
  } catch (e) {
    if (context) await context.close().catch(() => {});
    throw e;
  }
  return { page, context, errors };

  async function load() {
    if (browser.kind === "chromium") {
      context = await browser.playwright.newContext({ locale, colorScheme: scheme, viewport: { width, height }, acceptDownloads: true, bypassCSP });
      page = await context.newPage();
      page.on("pageerror", (e) => errors.push(e));
      page.on("console", (m) => m.type() === "error" && errors.push(new Error(m.text())));
      if (setup) await setup(page);
      await page.goto(url, { waitUntil: "networkidle" });
      await page.waitForFunction(() => document.documentElement.dataset.ready === "true");
    } else if (browser.kind === "firefox") {
      const downloads = mkdtempSync(join(tmpdir(), "ramcheck-downloads-"));
      const puppetContext = await browser.puppeteer.createBrowserContext({ downloadBehavior: { policy: "allow", downloadPath: downloads } });
      page = new FirefoxPage(await puppetContext.newPage(), downloads);
      context = {
        async close() {
          await puppetContext.close();
          rmSync(downloads, { recursive: true, force: true });
        },
      };
      await page.page.setViewport({ width, height });
      page.page.on("pageerror", (e) => errors.push(e));
      page.page.on("console", (m) => m.type() === "error" && errors.push(new Error(m.text())));
      if (locale !== "en-US") await page.addInitScript(`() => { for (const [name, value] of [["language", ${JSON.stringify(locale)}], ["languages", [${JSON.stringify(locale)}]]]) Object.defineProperty(Navigator.prototype, name, { get: () => value, configurable: true }); }`);
      if (setup) await setup(page);
      await page.goto(url);
    } else {
      const session = await browser.newSession();
      page = new WebKitPage(session);
      context = { close: () => session.close() };
      await session.cmd("POST", "/window/rect", { width, height });
      if (setup) await setup(page);
      await page.goto(url);
      if (locale !== "en-US") {
        await page.evaluate((lang) => localStorage.setItem("ramcheck.language", lang), locale.slice(0, 2));
        await page.reload();
      }
    }
  }
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

/**
 * Clicks `selector`, which downloads a blob the page made, and resolves with
 * the downloaded text. Chromium: the real download. Elsewhere the blob is
 * taken where the page hands it to the download (`URL.createObjectURL` and
 * the link's click), as the drivers there do not hand downloads over.
 */
export async function downloadedText(page, selector) {
  if (typeof page.waitForEvent === "function") {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
    return readFileSync(await download.path(), "utf8");
  }
  await page.evaluate(() => {
    if (window.__downloads) return;
    window.__downloads = [];
    const blobs = new Map();
    const create = URL.createObjectURL;
    URL.createObjectURL = (blob) => {
      const url = create.call(URL, blob);
      blobs.set(url, blob);
      return url;
    };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      if (this.download && blobs.has(this.href)) window.__downloads.push(blobs.get(this.href));
      else click.call(this);
    };
  });
  await page.click(selector);
  return page.evaluate(() => window.__downloads.pop().text());
}

// Elements by selector in the page: CSS, `text=Some text` (the innermost
// element whose text holds it) and `css:text('Some text')`, as Playwright's.
const FIND = `(selector) => {
  const norm = (s) => s.replace(/\\s+/g, " ").trim();
  let m = /^text=(.*)$/.exec(selector);
  if (m) {
    const want = norm(m[1]);
    const all = [...document.body.querySelectorAll("*")].filter((e) => norm(e.textContent).includes(want) && e.getClientRects().length > 0);
    return all.find((e) => ![...e.children].some((c) => all.includes(c))) || null;
  }
  m = /^(.*):text\\('(.*)'\\)$/.exec(selector);
  if (m) return [...document.querySelectorAll(m[1])].find((e) => norm(e.textContent).includes(m[2])) || null;
  return document.querySelector(selector);
}`;

const VISIBLE = `(e) => !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The page API of the tests over an engine that only runs scripts in the
 * page (`run(expression)`), with the rest per engine in the subclasses.
 */
class ScriptPage {
  /** Runs `fn(arg)` in the page (a function, or an expression's source) and resolves with its value. */
  evaluate(fn, arg) {
    return this.run(typeof fn === "function" ? `(${fn})(${JSON.stringify(arg)})` : fn);
  }

  /** Runs `fn(element, extra)` on the element `selector` finds (null when none). */
  onElement(selector, fn, extra) {
    return this.run(`((find, selector, extra) => (${fn})(find(selector), extra))(${FIND}, ${JSON.stringify(selector)}, ${JSON.stringify(extra)})`);
  }

  /**
   * Polls `look()` every 100 ms until it gives a truthy value, which it
   * resolves with, or `timeout` ms pass. WebKitWebDriver sometimes fails a
   * script with "Could not parse script result" (once in a CI run, under
   * load): a poll that meets it looks again, and it fails the wait only
   * when it lasts to the deadline.
   */
  async poll(look, timeout, what) {
    const deadline = Date.now() + timeout;
    for (;;) {
      let value;
      let failure;
      try {
        value = await look();
      } catch (e) {
        if (!/Could not parse script result/.test(e.message)) throw e;
        failure = e;
      }
      if (value) return value;
      if (Date.now() > deadline) throw failure || new Error(`timeout ${timeout} ms waiting for ${what}`);
      await sleep(100);
    }
  }

  waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
    return this.poll(() => this.evaluate(fn, arg), timeout, fn);
  }

  /** Waits until `selector` finds a visible element (as Playwright does). */
  waitForSelector(selector, { timeout = 30_000 } = {}) {
    return this.poll(() => this.onElement(selector, VISIBLE), timeout, selector);
  }

  async $(selector) {
    return (await this.onElement(selector, "(e) => !!e")) || null;
  }

  textContent(selector) {
    return this.waitForSelectorAttached(selector).then(() => this.onElement(selector, "(e) => e.textContent"));
  }

  getAttribute(selector, name) {
    return this.waitForSelectorAttached(selector).then(() => this.onElement(selector, "(e, name) => e.getAttribute(name)", name));
  }

  isVisible(selector) {
    return this.onElement(selector, VISIBLE);
  }

  async click(selector) {
    await this.waitForSelector(selector);
    await this.onElement(selector, "(e) => { e.scrollIntoView({ block: 'center' }); e.click(); }");
  }

  async selectOption(selector, value) {
    await this.waitForSelectorAttached(selector);
    await this.onElement(selector, "(e, value) => { e.value = value; e.dispatchEvent(new Event('change', { bubbles: true })); }", value);
  }

  async waitForSelectorAttached(selector, timeout = 30_000) {
    await this.poll(() => this.onElement(selector, "(e) => !!e"), timeout, selector);
  }

  /** Waits for the page's scripts to have run (`<html data-ready>`). */
  waitForReady() {
    return this.waitForFunction(() => document.documentElement.dataset.ready === "true", undefined, { timeout: 30_000 });
  }
}

/** Firefox through puppeteer (WebDriver BiDi). */
class FirefoxPage extends ScriptPage {
  constructor(page, downloads) {
    super();
    this.page = page;
    /** Where this page's downloads go. */
    this.downloads = downloads;
  }

  run(expression) {
    return this.page.evaluate(expression);
  }

  on(event, listener) {
    if (event === "request") this.page.on("request", (r) => listener({ url: () => r.url() }));
    else if (event === "dialog") this.page.on("dialog", (d) => listener({ message: () => d.message(), dismiss: () => d.dismiss() }));
    else throw new Error(`no ${event} events in this harness for Firefox`);
  }

  /** Runs `fn` in every document of the page before its own scripts. */
  addInitScript(fn) {
    return this.page.evaluateOnNewDocument(`(${fn})()`);
  }

  async goto(url) {
    await this.page.goto(url, { waitUntil: "load" });
    if (url.endsWith("/") || url.endsWith(".html")) await this.waitForReady();
  }

  async reload() {
    await this.page.reload({ waitUntil: "load" });
    await this.waitForReady();
  }

  async setInputFiles(selector, path) {
    await this.waitForSelectorAttached(selector);
    const input = await this.page.$(selector);
    await input.uploadFile(path);
  }

  screenshot(options) {
    return this.page.screenshot(options);
  }
}

/** WebKitGTK's MiniBrowser through WebDriver classic. */
class WebKitPage extends ScriptPage {
  constructor(session) {
    super();
    this.session = session;
    this.initScripts = [];
  }

  run(expression) {
    return this.session.evaluate(expression, undefined, false);
  }

  evaluate(fn, arg) {
    return this.session.evaluate(String(fn), arg, typeof fn === "function");
  }

  on(event) {
    throw new Error(`no ${event} events in WebDriver classic`);
  }

  /**
   * WebDriver classic has no preload scripts: `fn` runs once the page is
   * ready (its module scripts have run), before the test goes on. The tests'
   * init scripts replace globals the page uses later (Worker,
   * showSaveFilePicker), so this is early enough for them.
   */
  addInitScript(fn) {
    this.initScripts.push(fn);
  }

  async goto(url) {
    await this.session.cmd("POST", "/url", { url });
    await this.loaded();
  }

  async reload() {
    await this.session.cmd("POST", "/refresh", {});
    await this.loaded();
  }

  async loaded() {
    // WebKitWebDriver returns from navigation before module scripts run.
    await this.waitForReady();
    for (const fn of this.initScripts) await this.evaluate(fn);
  }

  async setInputFiles(selector, path) {
    await this.waitForSelectorAttached(selector);
    const element = await this.session.cmd("POST", "/element", { using: "css selector", value: selector });
    const id = Object.values(element)[0];
    await this.session.cmd("POST", `/element/${id}/value`, { text: path });
  }

  async screenshot({ path }) {
    // The viewport only: WebDriver classic has no full-page screenshot.
    writeFileSync(path, Buffer.from(await this.session.cmd("GET", "/screenshot"), "base64"));
  }
}

/** The page opened from a file: dist/ramcheck.html as a file:// URL. */
export const fileUrl = () => pathToFileURL(join(ROOT, "dist", "ramcheck.html")).href;
