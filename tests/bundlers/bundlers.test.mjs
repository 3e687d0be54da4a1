// The packed npm package in the apps users build: webpack 5 and Vite, none
// with a loader for wasm or workers (webpack 4, as the Rainbond console's
// umi 3 runs it: console.test.mjs). Each app is built against the `npm pack`
// tarball, served, and checks packages in Chromium. `npm run build` must
// have run (scripts/test does it).
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gzipSync } from "node:zlib";

import { ROOT } from "../../tools/build.mjs";
import { fixtures, launchChromium } from "../e2e/harness.mjs";
import { build, gzippedJs, install, pack, serveApp } from "./apps.mjs";

const HERE = join(ROOT, "tests", "bundlers");

let browser;
let tarball;
let cases;

before(async () => {
  cases = fixtures();
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
