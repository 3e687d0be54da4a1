// Repair in every engine that can: the API (planRepair, repairPackage into
// an OPFS file) and the page's "Repair and save", with showSaveFilePicker
// stubbed (a headless browser cannot show the dialog) to hand out a file of
// the origin private file system; without showSaveFilePicker (Firefox) the
// repaired package is downloaded from OPFS. The saved bytes are then checked
// by the native CLI too. And the fallback where the browser cannot save
// (WebKitGTK): the CLI command is shown.
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before } from "node:test";

import { checkFile, eachEngine, nativeReport, OUT, shot, withPage } from "./harness.mjs";

let env;
let cases;
let engine;
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
  const path = join(OUT, "repair", `${engine.name}-${name}`);
  writeFileSync(path, bytes);
  return nativeReport(path);
}

/** The names in the page's origin private file system. */
function opfsNames(page) {
  return page.evaluate(async () => {
    const names = [];
    for await (const key of (await navigator.storage.getDirectory()).keys()) names.push(key);
    return names.sort();
  });
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

eachEngine((suite) => ({ env, cases, engine } = suite), (test, suiteEngine) => {
  test("the API plans, repairs into a writable stream and checks the output again", { skip: suiteEngine.can.opfsRepair === true ? false : suiteEngine.can.opfsRepair }, () =>
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

  test("aborting a repair rejects with an AbortError and leaves no temporary file", { skip: suiteEngine.can.opfsRepair === true ? false : suiteEngine.can.opfsRepair }, () =>
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

  test("Repair and save: the plan, the save dialog, the re-check of the saved file", { skip: suiteEngine.can.opfsRepair === true ? false : suiteEngine.can.opfsRepair }, () =>
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
      await page.screenshot({ path: shot(engine, "repair-done.png"), fullPage: true });
    }));

  test("the plan in Chinese", { skip: suiteEngine.can.opfsRepair === true ? false : suiteEngine.can.opfsRepair }, () =>
    withPage(env, { locale: "zh-CN", setup: (page) => page.addInitScript(stubPicker) }, async (page) => {
      assert.equal(await checkFile(page, cases.seed), "fail");
      assert.equal(await page.textContent("button.repair"), "修复并保存");
      await page.click("button.repair");
      await page.waitForSelector("#repair[data-stage=plan]");
      assert.match(await page.textContent("#repair"), /修复将做的事/);
    }));

  test("without showSaveFilePicker: the repaired package is downloaded from OPFS, re-checks as pass with the CLI, and leaves no file", { skip: suiteEngine.can.opfsRepair === true ? false : suiteEngine.can.opfsRepair }, () =>
    withPage(
      env,
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
        await page.waitForSelector("#repair[data-stage=plan]");
        assert.equal(await page.textContent("#repair .repair-save"), "Download the repaired package");
        let bytes;
        let name;
        if (page.downloads) {
          // Firefox: the download lands in the page's own directory.
          await page.click("#repair .repair-save");
          await page.waitForSelector("#repair[data-stage=done]", { timeout: 60_000 });
          const deadline = Date.now() + 30_000;
          for (;;) {
            const files = readdirSync(page.downloads);
            const done = files.filter((f) => !f.endsWith(".part"));
            if (done.length === 1 && files.length === 1) {
              const path = join(page.downloads, done[0]);
              const size = statSync(path).size;
              await new Promise((resolve) => setTimeout(resolve, 300));
              if (size > 0 && statSync(path).size === size) {
                name = done[0];
                bytes = readFileSync(path);
                break;
              }
            }
            assert.ok(Date.now() < deadline, `no download in ${page.downloads}: ${files}`);
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        } else {
          const [download] = await Promise.all([page.waitForEvent("download"), page.click("#repair .repair-save")]);
          await page.waitForSelector("#repair[data-stage=done]", { timeout: 60_000 });
          name = download.suggestedFilename();
          bytes = readFileSync(await download.path());
        }
        assert.match(name, /\.tar\.gz$/);
        assert.equal(await page.getAttribute("#report", "data-verdict"), "pass");
        assert.match(await page.textContent("#repair"), /Downloaded the repaired package as .*\.tar\.gz/);
        const native = nativeCheck(name, bytes);
        assert.equal(native.verdict, "pass", JSON.stringify(native.findings));
        // The OPFS file is removed once the download has started.
        await page.waitForFunction(async () => {
          const names = [];
          for await (const key of (await navigator.storage.getDirectory()).keys()) names.push(key);
          return names.length === 0;
        }, undefined, { timeout: 10_000 });
        await page.screenshot({ path: shot(engine, "repair-downloaded.png"), fullPage: true });
      },
    ));

  test("without the origin private file system's access handles the page shows the command line instead", () =>
    withPage(
      env,
      {
        // WebKitGTK has none; elsewhere the page is shown a browser without them.
        setup: (page) =>
          page.addInitScript(() => {
            if (typeof StorageManager !== "undefined") delete StorageManager.prototype.getDirectory;
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

  test("Cancel during the repair stops it and leaves no temporary file", { skip: suiteEngine.can.opfsRepair === true ? false : suiteEngine.can.opfsRepair }, () =>
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
        assert.deepEqual(await opfsNames(page), []);
      },
    ));
});
