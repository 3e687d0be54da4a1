// The packed npm package in the apps users build: webpack 4
// (examples/console-upload: React 16 + antd 3, the Rainbond console's umi 3
// stack), webpack 5 and Vite, none with a loader for wasm or workers. Each
// app is built against the `npm pack` tarball, served, and checks packages
// in Chromium. `npm run build` must have run (scripts/test does it).
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gzipSync } from "node:zlib";

import { ROOT } from "../../tools/build.mjs";
import { fixtures, launchChromium, nativeReport } from "../e2e/harness.mjs";
import { build, gzippedJs, install, OUT, pack, serveApp } from "./apps.mjs";

const HERE = join(ROOT, "tests", "bundlers");

let browser;
let tarball;
let cases;

before(async () => {
  cases = fixtures();
  // A package that imports with a warning: zero padding after the gzip (PKG004).
  const padded = join(OUT, "padded", "crm-5.1-ram.tar.gz");
  mkdirSync(join(OUT, "padded"), { recursive: true });
  writeFileSync(padded, Buffer.concat([readFileSync(cases.valid), Buffer.alloc(1024)]));
  cases.padded = padded;
  tarball = pack();
  browser = await launchChromium();
});
after(() => browser && browser.close());

/** The npm package's modules, gzipped one by one. */
function packageGzip() {
  return ["index.js", "worker-source.js", "wasm-base64.js"].reduce((sum, f) => sum + gzipSync(readFileSync(join(ROOT, "pkg", f))).length, 0);
}

/**
 * Installs and builds the app in `dir`, serves `dir/root`, opens its
 * index.html and runs `body(page, server)`; any page error fails.
 */
async function withApp(t, dir, root, body) {
  install(dir, tarball);
  let started = Date.now();
  build(dir);
  t.diagnostic(`build ${Date.now() - started} ms; its JS gzipped: ${(gzippedJs(join(dir, "dist")) / 1024).toFixed(0)} KiB`);
  const server = await serveApp(join(dir, root));
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.on("console", (m) => m.type() === "error" && errors.push(new Error(m.text())));
  try {
    started = Date.now();
    await page.goto(server.url, { waitUntil: "load" });
    t.diagnostic(`page load ${Date.now() - started} ms`);
    await body(page, server);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    server.close();
  }
}

/** Chooses `file` in the probe app; returns what it wrote and the time to the verdict. */
async function probe(page, file) {
  const started = Date.now();
  await page.setInputFiles("#file", file);
  const name = file.split("/").at(-1);
  const result = await page.waitForSelector(`#result[data-verdict][data-file="${name}"]`, { timeout: 60_000 });
  return { ...(await result.evaluate((e) => ({ ...e.dataset }))), ms: Date.now() - started };
}

// [name, directory, where the probe goes, what is served: index.html and its scripts]
for (const [name, app, entry, root] of [
  ["webpack 5", "webpack5", "src/index.js", "."],
  ["Vite", "vite", "main.js", "dist"],
]) {
  test(`${name}, default configuration: checks run, with progress`, (t) => {
    const dir = join(HERE, app);
    mkdirSync(join(dir, entry, ".."), { recursive: true });
    copyFileSync(join(HERE, "probe.js"), join(dir, entry));
    return withApp(t, dir, root, async (page) => {
      const valid = await probe(page, cases.valid);
      const seed = await probe(page, cases.seed);
      t.diagnostic(`first check ${valid.ms} ms, the next ${seed.ms} ms`);
      assert.equal(valid.verdict, "pass", valid.error);
      assert.equal(seed.verdict, "fail", seed.error);
      assert.match(seed.codes, /\bIMG001\b/);
      assert.ok(Number(valid.progress) >= 1 && Number(seed.progress) >= 1, "progress events");
      // The wasm is inlined once and not re-encoded: the app's JS is
      // ramcheck's modules and a little more.
      const js = gzippedJs(join(dir, "dist"));
      assert.ok(js < packageGzip() + 8 * 1024, `${js} bytes of JS, gzipped`);
    });
  });
}

/** Resolves once `condition()` holds; rejects after `ms`. */
async function until(condition, ms = 10_000) {
  for (const end = Date.now() + ms; !condition(); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${condition}`);
  }
}

/** Chooses `file` in the console's Upload; returns the check's verdict, bar width and time to the verdict. */
async function upload(page, file) {
  const done = await page.$$eval(".ramcheck-check[data-verdict]", (all) => all.length);
  const started = Date.now();
  await page.setInputFiles("input[type=file]", file);
  await page.waitForFunction((n) => document.querySelectorAll(".ramcheck-check[data-verdict]").length > n, done, { timeout: 60_000 });
  const ms = Date.now() - started;
  const check = page.locator(".ramcheck-check").nth(done);
  return { verdict: await check.getAttribute("data-verdict"), bar: await check.locator(".ant-progress-bg").evaluate((e) => e.style.width), ms };
}

/** The text of the open antd 3 Modal.confirm / Modal.error; `button` closes it. */
async function dialog(page, kind, button) {
  const modal = page.locator(`.ant-modal-confirm-${kind}`);
  await modal.waitFor();
  const text = await modal.textContent();
  await modal.locator(`.ant-modal-confirm-btns .ant-btn${button === "ok" ? "-primary" : ":not(.ant-btn-primary)"}`).click();
  await modal.waitFor({ state: "detached" });
  return text;
}

test("webpack 4, examples/console-upload (React 16 + antd 3): a failing package is not uploaded", (t) =>
  withApp(t, join(ROOT, "examples", "console-upload"), ".", async (page, server) => {
    const [img001] = nativeReport(cases.seed).findings.filter((f) => f.code === "IMG001");
    const scripts = () =>
      page.evaluate(() => performance.getEntriesByType("resource").flatMap((r) => (r.name.endsWith(".js") ? [r.name.split("/").at(-1)] : [])));
    assert.deepEqual(await scripts(), ["main.js"], "ramcheck loads with the first check, not with the page");

    const seed = await upload(page, cases.seed);
    assert.deepEqual(await scripts(), ["main.js", "vendors~ramcheck.js"]);
    assert.deepEqual([seed.verdict, seed.bar], ["fail", "100%"]);
    const failed = await dialog(page, "error", "ok");
    for (const text of ["IMG001", img001.location, img001.message, img001.hint]) assert.ok(failed.includes(text), text);

    // Warnings ask: cancel keeps it back, "Upload anyway" sends it.
    assert.equal((await upload(page, cases.padded)).verdict, "warn");
    assert.match(await dialog(page, "confirm", "cancel"), /PKG004/);
    assert.equal((await upload(page, cases.padded)).verdict, "warn");
    await dialog(page, "confirm", "ok");
    await until(() => server.uploads.length === 1);

    const valid = await upload(page, cases.valid);
    assert.deepEqual([valid.verdict, valid.bar], ["pass", "100%"]);
    await until(() => server.uploads.length === 2);
    t.diagnostic(`first check ${seed.ms} ms, a later one ${valid.ms} ms`);
    const [padded, plain] = server.uploads;
    assert.deepEqual([padded.name, plain.name], ["crm-5.1-ram.tar.gz", "crm-5.1-ram.tar.gz"]);
    assert.equal(padded.bytes - plain.bytes, 1024, "the padded package, then the valid one");

    // Cancel ends a long check (4.2 GB unpacked), and the package stays here.
    await page.setInputFiles("input[type=file]", cases["over-4g"]);
    await page.locator(".ramcheck-check button").click();
    assert.match(await page.locator(".ramcheck-check[data-verdict=error]").textContent(), /cancelled/);

    await page.goto(`${server.url}?lang=zh`);
    assert.equal((await upload(page, cases.seed)).verdict, "fail");
    const zh = await dialog(page, "error", "ok");
    for (const text of ["无法导入", img001.message_zh, img001.hint_zh]) assert.ok(zh.includes(text), text);
    assert.equal(server.uploads.length, 2);
  }));
