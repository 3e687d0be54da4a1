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
// Blob (NotReadableError, even for a Blob made in memory): there the page
// reads the package and feeds it to the checker's workers, and every
// container still gets its verdict.
eachEngine((suite) => ({ env, cases, engine } = suite), (engineTest) => {
  engineTest("opened from a file: the seed package fails with IMG001, a plain tar with PKG001, valid ones pass (tar.gz, zip), and no request is made", (t) =>
    withPage(env, { url: fileUrl() }, async (page) => {
      assert.equal(await page.evaluate(() => location.protocol), "file:");
      const requests = [];
      if (engine.can.requests === true) page.on("request", (r) => /^(blob|data):/.test(r.url()) || requests.push(r.url()));
      else skipped(t, engine, "requests");
      // Seconds at most, here: a verdict that does not come soon will not come.
      assert.equal(await checkFile(page, cases.seed, 15_000), "fail");
      assert.match(await page.textContent("#report"), /IMG001/);
      await page.screenshot({ path: shot(engine, "file-seed.png") });
      for (const [name, verdict, code] of [["plain-tar", "fail", /PKG001/], ["valid-zip", "pass", /No problems found/], ["valid", "pass", /No problems found/]]) {
        await page.click("text=Check another file");
        await page.evaluate(() => document.querySelector("#report").removeAttribute("data-verdict"));
        assert.equal(await checkFile(page, cases[name], 15_000), verdict, name);
        assert.match(await page.textContent("#report"), code, name);
      }
      assert.deepEqual(requests, []);
      // Its explanations work offline too.
      await page.click("button[data-lang=zh]");
      assert.match(await page.textContent("#report .verdict"), /会成功导入|可以导入|导入/);
    }));
});

test("the single file holds everything: one classic script, no module, no other file named", () => {
  const html = readFileSync(join(ROOT, "dist", "ramcheck.html"), "utf8");
  assert.equal((html.match(/<script>/g) || []).length, 1);
  assert.doesNotMatch(html, /type="module"|<script [^>]*src=|<link rel="stylesheet"|href="(?!data:|#)[^"]+"/);
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+' 'wasm-unsafe-eval'; worker-src blob:; style-src 'sha256-[^']+'; img-src data:; connect-src 'none'/);
});
