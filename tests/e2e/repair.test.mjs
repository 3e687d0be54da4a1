// Repair in Chromium: the API (planRepair, repairPackage into an OPFS file)
// and the page's "Repair and save", with showSaveFilePicker stubbed (headless
// Chromium cannot show the dialog) to hand out a file of the origin private
// file system; the saved bytes are then checked by the native CLI too. And
// the fallback where the browser cannot save: the CLI command is shown.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, test } from "node:test";

import { browserSuite, checkFile, nativeReport, OUT, withPage } from "./harness.mjs";

let env;
let cases;
browserSuite((suite) => ({ env, cases } = suite));
before(() => mkdirSync(join(OUT, "repair"), { recursive: true }));

/** The OPFS file `name` of the page, as bytes, and the names left in OPFS. */
async function readOpfs(page, name) {
  const { base64, names } = await page.evaluate(async (name) => {
    const root = await navigator.storage.getDirectory();
    const bytes = new Uint8Array(await (await (await root.getFileHandle(name)).getFile()).arrayBuffer());
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    const names = [];
    for await (const key of root.keys()) names.push(key);
    return { base64: btoa(binary), names: names.sort() };
  }, name);
  return { bytes: Buffer.from(base64, "base64"), names };
}

/** Writes `bytes` to disk as `name` and returns the native CLI's report of it. */
function nativeCheck(name, bytes) {
  const path = join(OUT, "repair", name);
  writeFileSync(path, bytes);
  return nativeReport(path);
}

/** showSaveFilePicker as a stub: records its options, returns an OPFS file handle. */
function stubPicker() {
  window.pickerCalls = [];
  window.showSaveFilePicker = async (options) => {
    window.pickerCalls.push(options);
    const root = await navigator.storage.getDirectory();
    return root.getFileHandle("saved.tar.gz", { create: true });
  };
}

test("the API plans, repairs into a writable stream and checks the output again", () =>
  withPage(env, {}, async (page) => {
    await page.evaluate(() => document.body.append(Object.assign(document.createElement("input"), { type: "file", id: "api-file" })));
    await page.setInputFiles("#api-file", cases.seed);
    const result = await page.evaluate(async () => {
      const api = await import("/ramcheck/index.js");
      const file = document.getElementById("api-file").files[0];
      const { report, plan } = await api.planRepair(file);
      const root = await navigator.storage.getDirectory();
      const writable = await (await root.getFileHandle("api.tar.gz", { create: true })).createWritable();
      const phases = new Set();
      const repaired = await api.repairPackage(file, writable, { onProgress: (p) => phases.add(p.phase) });
      return {
        before: report.verdict,
        planned: plan.repairs.map((r) => [r.code, r.action, r.target]),
        outputName: plan.output_name,
        after: repaired.report.verdict,
        repairs: repaired.repairs.map((r) => r.code),
        notRepairable: repaired.notRepairable,
        phases: [...phases],
        supported: await api.repairSupported(),
      };
    });
    assert.equal(result.before, "fail");
    assert.ok(result.planned.some(([code, action]) => code === "IMG001" && action === "drop"), JSON.stringify(result.planned));
    assert.equal(result.after, "pass");
    assert.ok(result.repairs.includes("IMG001"));
    assert.deepEqual(result.notRepairable, []);
    assert.deepEqual(result.phases, ["check", "write", "recheck", "save"]);
    assert.equal(result.supported, true);
    const { bytes, names } = await readOpfs(page, "api.tar.gz");
    assert.deepEqual(names, ["api.tar.gz"], "the temporary file is removed");
    const native = nativeCheck(result.outputName, bytes);
    assert.equal(native.verdict, "pass", JSON.stringify(native.findings));
  }));

test("aborting a repair rejects with an AbortError and leaves no temporary file", () =>
  withPage(env, {}, async (page) => {
    await page.evaluate(() => document.body.append(Object.assign(document.createElement("input"), { type: "file", id: "api-file" })));
    await page.setInputFiles("#api-file", cases["over-4g"]);
    const result = await page.evaluate(async () => {
      const api = await import("/ramcheck/index.js");
      const file = document.getElementById("api-file").files[0];
      const root = await navigator.storage.getDirectory();
      const writable = await (await root.getFileHandle("aborted.tar.gz", { create: true })).createWritable();
      const controller = new AbortController();
      const error = await api
        .repairPackage(file, writable, { signal: controller.signal, onProgress: (p) => p.phase === "write" && controller.abort() })
        .then(() => null, (e) => e.name);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const names = [];
      for await (const key of root.keys()) names.push(key);
      return { error, names };
    });
    assert.equal(result.error, "AbortError");
    assert.deepEqual(result.names, ["aborted.tar.gz"]);
  }));

test("Repair and save: the plan, the save dialog, the re-check of the saved file", () =>
  withPage(env, { setup: (page) => page.addInitScript(stubPicker) }, async (page) => {
    assert.equal(await checkFile(page, cases.seed), "fail");
    await page.click("button.repair");
    await page.waitForSelector("#repair[data-stage=plan]");
    const plan = await page.textContent("#repair");
    assert.match(plan, /What the repair will do/);
    assert.match(plan, /IMG001/);
    await page.click("#repair .repair-save");
    await page.waitForSelector("#repair[data-stage=done]", { timeout: 60_000 });
    assert.equal(await page.getAttribute("#report", "data-verdict"), "pass");
    const done = await page.textContent("#repair");
    assert.match(done, /saved\.tar\.gz/);
    assert.match(done, /IMG001/);
    const calls = await page.evaluate(() => window.pickerCalls);
    assert.equal(calls.length, 1);
    assert.match(calls[0].suggestedName, /\.tar\.gz$/);
    const { bytes, names } = await readOpfs(page, "saved.tar.gz");
    assert.deepEqual(names, ["saved.tar.gz"], "the temporary file is removed");
    const native = nativeCheck("saved.tar.gz", bytes);
    assert.equal(native.verdict, "pass", JSON.stringify(native.findings));
    await page.screenshot({ path: join(OUT, "repair-done.png"), fullPage: true });
  }));

test("the plan in Chinese", () =>
  withPage(env, { locale: "zh-CN", setup: (page) => page.addInitScript(stubPicker) }, async (page) => {
    assert.equal(await checkFile(page, cases.seed), "fail");
    assert.equal(await page.textContent("button.repair"), "修复并保存");
    await page.click("button.repair");
    await page.waitForSelector("#repair[data-stage=plan]");
    assert.match(await page.textContent("#repair"), /修复将做的事/);
  }));

test("without showSaveFilePicker the page shows the command line instead", () =>
  withPage(env, 
    {
      setup: (page) =>
        page.addInitScript(() => {
          delete Window.prototype.showSaveFilePicker;
          delete window.showSaveFilePicker;
        }),
    },
    async (page) => {
      assert.equal(await checkFile(page, cases.seed), "fail");
      await page.click("button.repair");
      await page.waitForSelector("#repair[data-stage=unsupported]");
      const text = await page.textContent("#repair");
      assert.match(text, /cannot save a repaired package/);
      const name = cases.seed.split("/").at(-1);
      assert.ok(text.includes(`ramcheck fix ${name}`), text);
    },
  ));

test("a package without repairable findings offers no repair", () =>
  withPage(env, {}, async (page) => {
    assert.equal(await checkFile(page, cases.valid), "pass");
    assert.equal(await page.$("button.repair"), null);
  }));

test("Cancel during the repair stops it and leaves no temporary file", () =>
  withPage(env, 
    {
      setup: (page) =>
        page.addInitScript(() => {
          // A destination that never finishes a write: the repair waits in its last step.
          window.showSaveFilePicker = async () => ({ name: "slow.tar.gz", createWritable: async () => new WritableStream({ write: () => new Promise(() => {}) }) });
        }),
    },
    async (page) => {
      assert.equal(await checkFile(page, cases.seed), "fail");
      await page.click("button.repair");
      await page.waitForSelector("#repair[data-stage=plan]");
      await page.click("#repair .repair-save");
      await page.waitForFunction(() => /Saving/.test(document.querySelector("#repair-text")?.textContent || ""));
      await page.click("#repair .repair-cancel");
      await page.waitForSelector("#repair[data-stage=cancelled]");
      assert.match(await page.textContent("#repair"), /The repair was cancelled/);
      const names = await page.evaluate(async () => {
        const names = [];
        for await (const key of (await navigator.storage.getDirectory()).keys()) names.push(key);
        return names;
      });
      assert.deepEqual(names, []);
    },
  ));
