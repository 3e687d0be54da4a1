// dist/ramcheck.html, the page as one file, opened from file:// with no
// server (as carried on a USB stick into an air-gapped site), in every
// engine: it checks packages, and asks for nothing beyond itself.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { ROOT } from "../../tools/build.mjs";
import { checkFile, eachEngine, fileUrl, shot, skipped, withPage } from "./harness.mjs";

let env;
let cases;
let engine;

// WebKitGTK lets no worker of a page opened from a file read a File or
// Blob (NotReadableError, even for a Blob made in memory), and the checker
// reads in a worker: there the test runs, and is known to fail, until the
// checker can be fed from the page (the push-fed checker of issue 18).
const WEBKIT_FILE = "WebKitGTK: workers of a file:// page cannot read a Blob (NotReadableError); needs the push-fed checker";

eachEngine((suite) => ({ env, cases, engine } = suite), (engineTest, suiteEngine) => {
  engineTest("opened from a file: the seed package fails with IMG001, a valid one passes, and no request is made", { todo: suiteEngine.name === "webkit" ? WEBKIT_FILE : false }, (t) =>
    withPage(env, { url: fileUrl() }, async (page) => {
      assert.equal(await page.evaluate(() => location.protocol), "file:");
      const requests = [];
      if (engine.can.requests === true) page.on("request", (r) => /^(blob|data):/.test(r.url()) || requests.push(r.url()));
      else skipped(t, engine, "requests");
      // Seconds at most, here: a verdict that does not come soon will not come.
      assert.equal(await checkFile(page, cases.seed, 15_000), "fail");
      assert.match(await page.textContent("#report"), /IMG001/);
      await page.screenshot({ path: shot(engine, "file-seed.png") });
      await page.click("text=Check another file");
      await page.evaluate(() => document.querySelector("#report").removeAttribute("data-verdict"));
      assert.equal(await checkFile(page, cases.valid, 15_000), "pass");
      assert.deepEqual(requests, []);
      // Its explanations work offline too.
      await page.click("button[data-lang=zh]");
      assert.match(await page.textContent("#report .verdict"), /会成功导入|可以导入|导入/);
    }));

  engineTest("opened from a file where workers cannot read the package: the page says so, in English and Chinese", { skip: suiteEngine.name === "webkit" ? false : "this engine's workers read files in a file:// page (the test above)" }, () =>
    withPage(env, { url: fileUrl() }, async (page) => {
      await page.setInputFiles("input[type=file]", cases.seed);
      await page.waitForSelector("#error:not([hidden])");
      assert.match(await page.textContent("#error"), /does not let a page opened from a file read the package.*Chromium or Firefox/);
      assert.equal(await page.getAttribute("#report", "data-verdict"), null);
      await page.click("button[data-lang=zh]");
      assert.match(await page.textContent("#error"), /不允许从本地文件打开的页面/);
      await page.screenshot({ path: shot(engine, "file-unreadable-zh.png") });
    }));
});

test("the single file holds everything: one classic script, no module, no other file named", () => {
  const html = readFileSync(join(ROOT, "dist", "ramcheck.html"), "utf8");
  assert.equal((html.match(/<script>/g) || []).length, 1);
  assert.doesNotMatch(html, /type="module"|<script [^>]*src=|<link rel="stylesheet"|href="(?!data:|#)[^"]+"/);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+' 'wasm-unsafe-eval'; worker-src blob:; style-src 'sha256-[^']+'; img-src data:; connect-src 'none'/);
});
