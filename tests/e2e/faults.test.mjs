// When the checker fails rather than the package: its worker throws, traps
// (a Rust panic), sends an answer that cannot be read, closes itself or never
// answers. The npm API must reject, never hang, with a `code` that says which;
// the page must say so in English and Chinese and offer "Try again", which
// checks the same file again.
//
// Faults are injected by replacing `Worker` in the page (before its scripts
// run where the engine has preload scripts; in WebKit once it is ready, which
// is before any check starts): each `new Worker` takes the next fault from
// `window.__faults`, and with none left it is the real worker.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { eachEngine, openPage, shot } from "./harness.mjs";

// A regression here is a hang: let it fail instead.
const LIMIT = { timeout: 60_000 };

let env;
let cases;
let engine;

/** Runs in the page before its scripts: `Worker` that fails as `window.__faults` says. */
function faultyWorkers() {
  const RealWorker = window.Worker;
  window.__faults = [];
  window.Worker = class extends RealWorker {
    constructor(url, options) {
      const fault = window.__faults.shift();
      const source = fault && fault.source;
      super(source ? URL.createObjectURL(new Blob([source], { type: "text/javascript" })) : url, options);
      // The browser sends "messageerror" when a message cannot be deserialised.
      if (fault && fault.unreadable) setTimeout(() => this.dispatchEvent(new MessageEvent("messageerror")), 20);
    }
  };
}

const FAULTS = {
  /** The worker's script throws: an "error" event. */
  throws: { source: "throw new Error('boom')" },
  /** The worker closes itself on the request: no event at all. */
  closes: { source: "self.onmessage = () => self.close();" },
  /** The worker takes the request and never answers. */
  mute: { source: "self.onmessage = () => {};" },
  /** The answer cannot be read. */
  unreadable: { source: "self.onmessage = () => {};", unreadable: true },
};

/**
 * The real worker, whose wasm traps in the check as a Rust panic does (set in
 * the page: it needs the real source). It traps on either side of a check:
 * the one-worker check, or the inflater or checker of the two-worker one.
 */
async function trapFault(page) {
  await page.evaluate(async () => {
    const { default: source } = await import("/ramcheck/worker-source.js");
    const trap = `() => { throw new WebAssembly.RuntimeError("unreachable"); }`;
    window.__faults.push({ source: `${source}\nwasm_bindgen.prepareCheck = wasm_bindgen.prepareInflate = wasm_bindgen.prepareCheckFills = ${trap};` });
  });
}

async function withFaultyPage(options, body) {
  const { page, context, errors } = await openPage(env, {
    ...options,
    setup: async (page) => {
      await page.addInitScript(faultyWorkers);
      if (options.setup) await options.setup(page);
    },
  });
  try {
    await body(page);
    // The crashing worker's own uncaught error is all the console may show.
    assert.deepEqual(errors.filter((e) => !/boom/.test(e.message)), []);
  } finally {
    await context.close();
  }
}

eachEngine((suite) => ({ env, cases, engine } = suite), (test, suiteEngine) => {
  test("the API rejects with a checker error, never hangs, when the worker fails", LIMIT, () =>
    withFaultyPage({}, async (page) => {
      const valid = [...readFileSync(cases.valid)];
      await trapFault(page);
      const results = await page.evaluate(
        async ({ valid, faults }) => {
          const api = await import("/ramcheck/index.js");
          const file = new File([new Uint8Array(valid)], "crm-5.1-ram.tar.gz");
          const outcome = async (promise) => {
            const started = performance.now();
            try {
              return { verdict: (await promise).verdict };
            } catch (e) {
              return { code: e.code, message: e.message, seconds: (performance.now() - started) / 1000 };
            }
          };
          const results = { trap: await outcome(api.validatePackage(file)) };
          for (const [name, fault] of Object.entries(faults)) {
            window.__faults.push(fault);
            results[name] = await outcome(api.validatePackage(file, { stallTimeout: 1000 }));
          }
          window.__faults.push(faults.throws);
          results.zh = await outcome(api.validatePackage(file, { language: "zh" }));
          window.__faults.push(faults.throws);
          results.rules = await outcome(api.listRules());
          results.after = await outcome(api.validatePackage(file));
          return results;
        },
        { valid, faults: FAULTS },
      );
      assert.equal(results.trap.code, "crashed");
      assert.equal(results.trap.message, "The checker stopped unexpectedly: unreachable");
      assert.equal(results.throws.code, "crashed");
      assert.match(results.throws.message, /^The checker stopped unexpectedly: .*boom/);
      assert.equal(results.unreadable.code, "crashed");
      assert.equal(results.unreadable.message, "The checker stopped unexpectedly: its answer could not be read");
      for (const name of ["closes", "mute"]) {
        assert.equal(results[name].code, "stalled", name);
        assert.equal(results[name].message, "The checker stopped responding: no word from it for 1 s.", name);
        assert.ok(results[name].seconds >= 1 && results[name].seconds < 5, `${name}: ${results[name].seconds} s`);
      }
      assert.equal(results.zh.code, "crashed");
      assert.match(results.zh.message, /^检查程序意外停止：.*boom/);
      assert.equal(results.rules.code, "crashed");
      assert.deepEqual(results.after, { verdict: "pass" }, "a working worker after the faults");
    }));

  test("the page says the checker crashed, in English, and Try again checks the same file", LIMIT, () =>
    withFaultyPage({}, async (page) => {
      await page.evaluate((fault) => window.__faults.push(fault), FAULTS.throws);
      await page.setInputFiles("input[type=file]", cases.valid);
      await page.waitForSelector("#error:not([hidden])");
      assert.match(await page.textContent("#error"), /^The check could not finish: the checker stopped unexpectedly.*Try again$/);
      assert.equal(await page.evaluate(() => document.activeElement.textContent), "Try again");
      assert.equal(await page.isVisible("#progress"), false);
      assert.equal(await page.isVisible("#drop"), true);
      await page.screenshot({ path: shot(engine, "crashed-en.png") });
      await page.click("#error .retry");
      await page.waitForSelector("#report[data-verdict=pass]");
      assert.equal(await page.isVisible("#error"), false);
      assert.match(await page.textContent("#report .verdict"), /crm-5\.1-ram\.tar\.gz/);
    }));

  test("in Chinese too, after a trap; the message follows a language switch", LIMIT, () =>
    withFaultyPage({ locale: "zh-CN" }, async (page) => {
      await trapFault(page);
      await page.setInputFiles("input[type=file]", cases.seed);
      await page.waitForSelector("#error:not([hidden])");
      assert.match(await page.textContent("#error"), /^检查未能完成：检查程序意外停止.*重试$/);
      await page.screenshot({ path: shot(engine, "crashed-zh.png") });
      await page.click("button[data-lang=en]");
      assert.match(await page.textContent("#error"), /the checker stopped unexpectedly.*Try again$/);
      await page.click("button[data-lang=zh]");
      await page.click("#error .retry");
      await page.waitForSelector("#report[data-verdict=fail]");
      assert.match(await page.textContent("#report .verdict"), /导入会失败/);
    }));

  test("a worker that never answers: after 60 s without progress the page says so, and Try again works", { ...LIMIT, skip: suiteEngine.can.clock === true ? false : suiteEngine.can.clock }, () =>
    withFaultyPage({ setup: (page) => page.clock.install() }, async (page) => {
      await page.evaluate((fault) => window.__faults.push(fault), FAULTS.mute);
      await page.setInputFiles("input[type=file]", cases.valid);
      await page.waitForSelector("#progress:not([hidden])");
      await page.clock.fastForward(59_000);
      assert.equal(await page.isVisible("#progress"), true, "still waiting at 59 s");
      await page.clock.fastForward(2_000);
      await page.waitForSelector("#error:not([hidden])");
      assert.match(await page.textContent("#error"), /^The check could not finish: the checker stopped responding\.Try again$/);
      await page.click("#error .retry");
      await page.waitForSelector("#report[data-verdict=pass]");
    }));
});
