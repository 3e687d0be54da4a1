// The page in every engine (harness.mjs): the verdicts, both languages,
// explanations, progress, cancel, the zip and over-4 GB paths, the same
// reports as the native CLI, and no network request while a file is checked.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

import { checkFile, downloadedText, eachEngine, nativeReport, openPage, shot, skipped, withoutMillis, withPage } from "./harness.mjs";

let env;
let cases;
let engine;
eachEngine((suite) => ({ env, cases, engine } = suite), (test) => {
  test("a valid package passes, with no network request during the check", (t) =>
    withPage(env, {}, async (page) => {
      const requests = [];
      // The worker's blob: URL is in memory; anything else would leave the page.
      if (engine.can.requests === true) page.on("request", (r) => /^(blob|data):/.test(r.url()) || requests.push(r.url()));
      else skipped(t, engine, "requests");
      assert.equal(await checkFile(page, cases.valid), "pass");
      assert.deepEqual(requests, []);
      const text = await page.textContent("#report");
      assert.match(text, /The package will import/);
      assert.match(text, /crm/);
      await page.screenshot({ path: shot(engine, "valid-light.png"), fullPage: true });
    }));

  test("the Content-Security-Policy blocks inline script and every other origin", async (t) => {
    // Another origin (another port) that counts what reaches it.
    const hits = [];
    const other = createServer((req, res) => {
      hits.push(req.url);
      res.writeHead(200, { "Content-Type": req.url.endsWith(".js") ? "text/javascript" : "image/svg+xml", "Access-Control-Allow-Origin": "*" });
      res.end(req.url.endsWith(".js") ? "window.externalRan = true" : "<svg xmlns='http://www.w3.org/2000/svg'/>");
    });
    await new Promise((resolve) => other.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${other.address().port}`;
    const { page, context, errors } = await openPage(env);
    try {
      const result = await page.evaluate(async (origin) => {
        const violations = [];
        document.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective));
        const loaded = (element) =>
          new Promise((resolve) => {
            element.onload = () => resolve(true);
            element.onerror = () => resolve(false);
            document.body.append(element);
          });
        document.body.append(Object.assign(document.createElement("script"), { textContent: "window.inlineRan = true" }));
        const external = await loaded(Object.assign(document.createElement("script"), { src: `${origin}/x.js` }));
        const image = await loaded(Object.assign(document.createElement("img"), { src: `${origin}/x.svg` }));
        const fetched = await fetch(`${origin}/x.svg`).then(() => true, () => false);
        const sameOrigin = await fetch("/index.html").then(() => true, () => false);
        await new Promise((resolve) => setTimeout(resolve, 50));
        // Each policy (header and meta tag) reports its own violation.
        const directives = [...new Set(violations)].sort();
        return { inline: window.inlineRan === true, external: external || window.externalRan === true, image, fetched, sameOrigin, directives };
      }, origin);
      assert.deepEqual(result, {
        inline: false,
        external: false,
        image: false,
        fetched: false,
        sameOrigin: false,
        directives: ["connect-src", "img-src", "script-src-elem"],
      });
      assert.deepEqual(hits, [], "a request reached the other origin");
      // Each engine words its console messages its own way.
      if (engine.can.console === true) assert.ok(errors.length > 0 && errors.every((e) => /Content[- ]Security[- ]Policy|Failed to fetch|NetworkError|blocked/i.test(e.message)), errors.join("\n"));
      else skipped(t, engine, "console");
    } finally {
      await context.close();
      other.close();
    }
  });

  test("the seed package fails with IMG001 and its fix, in English and Chinese", () =>
    withPage(env, { locale: "en-US" }, async (page) => {
      const native = nativeReport(cases.seed);
      const img001 = native.findings.find((f) => f.code === "IMG001");
      assert.equal(await checkFile(page, cases.seed), "fail");
      let text = await page.textContent("#report");
      for (const f of native.findings.filter((f) => f.code !== "SUM001")) assert.ok(text.includes(f.code), f.code);
      assert.ok(text.includes(img001.hint), "the English fix");
      await page.screenshot({ path: shot(engine, "seed-en.png"), fullPage: true });

      await page.click("button[data-lang=zh]");
      text = await page.textContent("#report");
      assert.ok(text.includes(img001.hint_zh), "the Chinese fix");
      assert.ok(text.includes(img001.message_zh), "the Chinese message");
      assert.match(text, /导入会失败/);
      assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
      await page.screenshot({ path: shot(engine, "seed-zh.png"), fullPage: true });

      // The choice is remembered.
      await page.reload({ waitUntil: "networkidle" });
      assert.match(await page.textContent("#drop"), /把安装包拖到这里/);
    }));

  test("a Chinese browser gets the Chinese page; each code opens its explanation", () =>
    withPage(env, { locale: "zh-CN" }, async (page) => {
      assert.match(await page.textContent("#drop"), /把安装包拖到这里/);
      await checkFile(page, cases.seed);
      await page.click("#report a.code:text('IMG001')");
      await page.waitForSelector("#rule[open]");
      assert.match(await page.textContent("#rule"), /IMG001/);
      assert.match(await page.textContent("#rule"), /修复方法/);
      await page.click("#rule button");
      assert.equal(await page.$("#rule[open]"), null);
    }));

  test("the drop zone works by keyboard, and a pasted file is checked", (t) =>
    withPage(env, {}, async (page) => {
      if (engine.can.keyboard === true) {
        for (let i = 0; i < 5; i++) await page.keyboard.press("Tab"); // the target (line, runtime), the languages, the file
        assert.equal(await page.evaluate(() => document.activeElement.id), "file");
        const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Space")]);
        await chooser.setFiles(cases.valid);
        await page.waitForSelector("#report[data-verdict=pass]");
      } else {
        skipped(t, engine, "keyboard");
        assert.equal(await checkFile(page, cases.valid), "pass");
      }

      await page.click("text=Check another file");
      await page.evaluate(() => document.querySelector("#report").removeAttribute("data-verdict"));
      const bytes = [...readFileSync(cases.seed)];
      const carried = await page.evaluate((bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], "app-1.0-ram.tar.gz"));
        const event = new ClipboardEvent("paste", { clipboardData: data });
        document.dispatchEvent(event);
        return !!event.clipboardData && event.clipboardData.files.length === 1;
      }, bytes);
      if (carried) await page.waitForSelector("#report[data-verdict=fail]");
      else skipped(t, engine, "paste", "this engine gives a paste event made by a script no clipboard files");
    }));

  test("a truncated package fails with PKG003", () =>
    withPage(env, {}, async (page) => {
      assert.equal(await checkFile(page, cases.truncated), "fail");
      assert.match(await page.textContent("#report"), /PKG003/);
    }));

  test("a zip package passes, and another file can be checked without reloading", () =>
    withPage(env, {}, async (page) => {
      assert.equal(await checkFile(page, cases["valid-zip"]), "pass");
      assert.match(await page.textContent("#report"), /zip/);
      await page.click("text=Check another file");
      assert.equal(await page.isVisible("#drop"), true);
      assert.equal(await checkFile(page, cases.seed), "fail");
    }));

  test("a package over 4 GB unpacked shows progress, drawn at most once a second, and passes", () =>
    withPage(env, {}, async (page) => {
      await page.evaluate(() => {
        window.draws = 0;
        new MutationObserver((records) => (window.draws += records.length)).observe(document.querySelector("#progress-text"), { childList: true, characterData: true, subtree: true });
        document.addEventListener("change", () => (window.chosen = performance.now()), { capture: true, once: true });
      });
      await page.setInputFiles("input[type=file]", cases["over-4g"]);
      await page.waitForFunction(() => document.querySelector("#progress-bar").value > 0, null, { timeout: 60_000 });
      assert.match(await page.textContent("#progress-text"), /MB\/s/);
      await page.screenshot({ path: shot(engine, "progress.png") });
      await page.waitForSelector("#report[data-verdict=pass]", { timeout: 120_000 });
      assert.match(await page.textContent("#report .summary"), /4\.2 GB/);
      // "Starting", then one drawing a second at most (see `throttled` in www/app.js).
      const { draws, seconds } = await page.evaluate(() => ({ draws: window.draws, seconds: (performance.now() - window.chosen) / 1000 }));
      assert.ok(draws >= 2 && draws <= Math.ceil(seconds) + 2, `${draws} drawings of the progress in ${seconds.toFixed(1)} s`);
    }));

  test("Cancel stops the check and the page stays usable", () =>
    withPage(env, {}, async (page) => {
      await page.setInputFiles("input[type=file]", cases["over-4g"]);
      await page.waitForFunction(() => document.querySelector("#progress-bar").value > 0, null, { timeout: 60_000 });
      await page.click("#cancel");
      await page.waitForSelector("#error:not([hidden])");
      assert.match(await page.textContent("#error"), /cancelled/);
      assert.equal(await page.getAttribute("#report", "data-verdict"), null);
      assert.equal(await checkFile(page, cases.valid), "pass");
    }));

  test("every fixture gives the native CLI's report (downloaded as JSON), for any target and re-targeted to 5.16/docker", () =>
    withPage(env, {}, async (page) => {
      const downloaded = async () => JSON.parse(await downloadedText(page, "text=Download report (JSON)"));
      for (const [name, path] of Object.entries(cases)) {
        await page.selectOption("#target-line", "all");
        await page.selectOption("#target-runtime", "");
        await checkFile(page, path, 120_000);
        assert.deepEqual(withoutMillis(await downloaded()), withoutMillis(nativeReport(path)), name);
        // The target changes the verdict without reading the file again.
        await page.selectOption("#target-line", "5.16");
        await page.selectOption("#target-runtime", "docker");
        await page.waitForFunction(() => document.querySelector(".target-phrase").textContent.includes("5.16/docker"));
        const retargeted = await downloaded();
        assert.deepEqual(withoutMillis(retargeted), withoutMillis(nativeReport(path, "5.16/docker")), `${name} for 5.16/docker`);
        assert.equal(await page.getAttribute("#report", "data-verdict"), retargeted.verdict, name);
        await page.click("text=Check another file");
        await page.evaluate(() => document.querySelector("#report").removeAttribute("data-verdict"));
      }
    }));

  test("dark scheme and a narrow window", async (t) => {
    if (engine.can.scheme === true) {
      await withPage(env, { scheme: "dark" }, async (page) => {
        await page.screenshot({ path: shot(engine, "start-dark.png") });
        await checkFile(page, cases.seed);
        await page.screenshot({ path: shot(engine, "seed-dark.png"), fullPage: true });
      });
    } else {
      skipped(t, engine, "scheme");
    }
    await withPage(env, { width: 380, height: 800 }, async (page) => {
      await checkFile(page, cases.seed);
      await page.click(".tree > summary");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
      await page.screenshot({ path: shot(engine, "seed-narrow.png"), fullPage: true });
    });
  });
});
