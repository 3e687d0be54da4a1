// The npm package's API in every engine (harness.mjs), as an embedding
// calls it: concurrent checks, progress, abort, the rule catalog and the
// formats, compared with the native CLI.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

import { ROOT } from "../../tools/build.mjs";
import { eachEngine, nativeReport, openPage, withoutMillis } from "./harness.mjs";

let env;
let cases;
let page;

const cli = (...args) => execFileSync(join(ROOT, "target", "release", "ramcheck"), args, { encoding: "utf8" });

async function ready(suite) {
  ({ env, cases } = suite);
  ({ page } = await openPage(env, {
    // Counts the workers each check starts.
    setup: (page) =>
      page.addInitScript(() => {
        const RealWorker = window.Worker;
        window.workersStarted = 0;
        window.Worker = class extends RealWorker {
          constructor(url, options) {
            super(url, options);
            window.workersStarted += 1;
          }
        };
      }),
  }));
  // Files reach the page through inputs of the test's own, beside the page's.
  await page.evaluate((names) => {
    for (const name of names) document.body.append(Object.assign(document.createElement("input"), { type: "file", id: `api-${name}` }));
  }, Object.keys(cases));
  for (const [name, path] of Object.entries(cases)) await page.setInputFiles(`#api-${name}`, path);
  await page.evaluate(async () => {
    window.api = await import("/ramcheck/index.js");
    window.file = (name) => document.getElementById(`api-${name}`).files[0];
  });
}

/** Runs `body(api, file)` in the page; `file(name)` is the fixture of that case. */
function inPage(body) {
  return page.evaluate(`(${body})(window.api, window.file)`);
}

eachEngine(ready, (test) => {
  test("concurrent checks each get their verdict and report progress", async () => {
    const result = await inPage(async (api, file) => {
      const progress = [];
      const [valid, seed, big] = await Promise.all([
        api.validatePackage(file("valid")),
        api.validatePackage(file("seed"), { deep: true }),
        api.validatePackage(file("over-4g"), { onProgress: (p) => progress.push(p) }),
      ]);
      return { verdicts: [valid.verdict, seed.verdict, big.verdict], deep: seed.deep, progress, size: file("over-4g").size };
    });
    assert.deepEqual(result.verdicts, ["pass", "fail", "pass"]);
    assert.equal(result.deep, true);
    assert.ok(result.progress.length > 2, "progress during the check");
    const last = result.progress.at(-1);
    assert.equal(last.bytesRead, result.size);
    assert.equal(last.total, result.size);
    assert.ok(last.mbPerSecond > 0);
  });

  test("a gzip package is checked on two workers, anything else on one; parallel: false gives one; every path gives the native report", { timeout: 600_000 }, async () => {
    for (const [name, path] of Object.entries(cases)) {
      const native = nativeReport(path);
      const checks = await inPage(`async (api, file) => {
        const run = async (options) => {
          const before = window.workersStarted;
          const report = await api.validatePackage(file(${JSON.stringify(name)}), options);
          return { report, workers: window.workersStarted - before };
        };
        return { auto: await run({}), one: await run({ parallel: false }) };
      }`);
      const gzip = native.summary.container === "tar.gz";
      assert.equal(checks.auto.workers, gzip ? 2 : 1, `${name}: workers`);
      assert.equal(checks.one.workers, 1, `${name}: workers with parallel: false`);
      for (const path of ["auto", "one"]) assert.deepEqual(withoutMillis(checks[path].report), withoutMillis(native), `${name}, ${path}`);
    }
  });

  test("a check of something that is no Blob, or a Blob without a name, rejects with a TypeError in the chosen language", async () => {
    const result = await inPage(async (api) => {
      const rejected = (promise) => promise.then(() => "resolved", (e) => `${e.constructor.name}: ${e.message}`);
      return {
        notBlob: await rejected(api.validatePackage("app-1.0-ram.tar.gz")),
        noName: await rejected(api.validatePackage(new Blob([new Uint8Array(512)]), { language: "zh" })),
      };
    });
    assert.equal(result.notBlob, "TypeError: validatePackage needs a File or Blob.");
    assert.equal(result.noName, "TypeError: Blob 没有文件名：请传入 options.name（上传时的文件名，例如 app-1.0-ram.tar.gz）。");
  });

  test("a check that lasts longer than stallTimeout goes on while its workers speak", async () => {
    const result = await inPage(async (api, file) => {
      const timed = async (options) => {
        const started = performance.now();
        const report = await api.validatePackage(file("over-4g"), options);
        return { verdict: report.verdict, millis: performance.now() - started };
      };
      // A quarter of the check's time, so the watchdog must look again and
      // again on any machine; the fills come every few milliseconds.
      const stallTimeout = Math.max(250, (await timed({})).millis / 4);
      return { stallTimeout, ...(await timed({ stallTimeout })) };
    });
    assert.equal(result.verdict, "pass");
    assert.ok(result.millis > 2 * result.stallTimeout, `the check took ${result.millis} ms, the timeout ${result.stallTimeout} ms`);
  });

  test("the target: a verdict per Rainbond line and runtime, the console's platform facts, re-targeting without reading again", async () => {
    const result = await inPage(`async (api, file) => {
      const seed = file("seed");
      const verdict = async (target) => (await api.validatePackage(seed, { target })).verdict;
      const rejected = async (target) => api.validatePackage(seed, { target }).then(() => "resolved", (e) => e.constructor.name + ": " + e.message);
      const all = await api.validatePackage(seed);
      const v69 = await api.retargetReport(all, "6.9/containerd");
      return {
        docker516: await verdict("5.16/docker"),
        console517: await verdict({ rainbond: "v5.17.3-release" }),
        console69: await verdict({ rainbond: "v6.9.2-release", arch: ["amd64"] }),
        hash: (await api.validatePackage(seed, { target: { rainbond: "3f2a9c1" } })).target_note,
        armOnly: (await api.validatePackage(file("valid"), { target: { rainbond: "v6.9.2-release", arch: ["arm64"] } })).findings.filter((f) => f.fails_on.length).map((f) => f.code),
        retargeted: v69,
        unknown: await rejected("5.14"),
        badShape: await rejected(42),
        badRetarget: await api.retargetReport(all, "6.9/cri-o").then(() => "resolved", (e) => e.constructor.name),
      };
    }`);
    assert.equal(result.docker516, "fail");
    assert.equal(result.console517, "fail", "both runtimes of 5.16: the worse");
    assert.equal(result.console69, "warn");
    assert.equal(result.hash, "3f2a9c1");
    assert.deepEqual(result.armOnly, ["MET007"]);
    assert.deepEqual(withoutMillis(result.retargeted), withoutMillis(nativeReport(cases.seed, "6.9/containerd")));
    assert.match(result.unknown, /^TypeError: .*older than v5\.15\.1/);
    assert.match(result.badShape, /^TypeError/);
    assert.equal(result.badRetarget, "TypeError");
  });

  test("abort terminates the check with an AbortError, in the chosen language", async () => {
    const result = await inPage(async (api, file) => {
      const controller = new AbortController();
      const running = api.validatePackage(file("over-4g"), {
        signal: controller.signal,
        language: "zh",
        onProgress: () => controller.abort(),
      });
      const error = await running.catch((e) => e);
      const early = await api.validatePackage(file("valid"), { signal: AbortSignal.abort() }).catch((e) => e);
      const nameless = await api.validatePackage(new Blob([new Uint8Array(10)])).catch((e) => e);
      const named = await api.validatePackage(new Blob([new Uint8Array(10)]), { name: "x-1.0-ram.tar.gz" });
      return { error: [error.name, error.message], early: early.name, nameless: nameless.name, named: named.verdict };
    });
    assert.deepEqual(result.error, ["AbortError", "检查已取消。"]);
    assert.equal(result.early, "AbortError");
    assert.equal(result.nameless, "TypeError");
    assert.equal(result.named, "fail");
  });

  test("the rule catalog and explanations are the CLI's", async () => {
    const result = await inPage(async (api) => ({
      rules: await api.listRules(),
      // In the page: a WebDriver's JSON need not keep the order of keys.
      keys: Object.keys((await api.listRules()).find((r) => r.code === "IMG001")),
      zh: await api.explainRule("img001", "zh"),
      en: await api.explainRule("IMG001"),
      unknown: await api.explainRule("NOPE999"),
    }));
    const listed = cli("--list-rules").trim().split("\n").map((line) => line.split(/\s+/)[0]);
    assert.deepEqual(result.rules.map((r) => r.code), listed);
    const img001 = result.rules.find((r) => r.code === "IMG001");
    assert.deepEqual(result.keys, ["code", "name", "severity", "fails_on", "evidence", "title", "why", "fix", "example", "repairable"]);
    assert.ok(img001.fix.en && img001.fix.zh);
    assert.equal(img001.repairable, true);
    assert.equal(result.rules.find((r) => r.code === "PKG003").repairable, false);
    assert.equal(result.en, cli("--explain", "IMG001", "--lang", "en"));
    assert.equal(result.zh, cli("--explain", "IMG001", "--lang", "zh"));
    assert.equal(result.unknown, null);
  });

  test("formatReport gives the CLI's text, and Markdown", async () => {
    const result = await inPage(async (api, file) => {
      const report = await api.validatePackage(file("truncated"));
      return {
        text: await api.formatReport(report, "text", "en"),
        zh: await api.formatReport(report, "text", "zh"),
        markdown: await api.formatReport(report, "markdown"),
        bad: await api.formatReport(report, "html").catch((e) => e.message),
      };
    });
    let native;
    try {
      native = cli("--lang", "en", cases.truncated);
    } catch (e) {
      native = e.stdout; // exit status 1: the package has errors
    }
    assert.equal(`${result.text}\n`, native);
    assert.match(result.zh, /失败/);
    assert.match(result.markdown, /^### crm-5\.1-ram\.tar\.gz/);
    assert.match(result.markdown, /\*\*PKG003\*\*/);
    assert.match(result.bad, /unknown report format/);
  });
});
