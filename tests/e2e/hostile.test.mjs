// A package whose strings attack the page that shows them (the `hostile`
// fixture of examples/fixtures.rs): markup that sets `window.__pwned` if it
// is ever parsed as HTML, a `javascript:` URL, a right-to-left override,
// zero-width characters, a newline, a 100 KB group_name and a 4 KB path. The
// page must show them as text, cut long ones (with the whole text a click
// away), neutralise the invisible ones and keep its layout, wide and narrow.
import assert from "node:assert/strict";

import { checkFile, eachEngine, nativeReport, openPage, shot, skipped } from "./harness.mjs";

let env;
let cases;
let engine;

/** Records what a successful attack would leave: CSP violations (dialogs are recorded by the test). */
function watch() {
  window.__violations = [];
  document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.sample}`));
}

/** Checks the hostile fixture in a page opened with `options`; `body(page)` runs on the report. */
async function withHostile(options, body) {
  const { page, context, errors } = await openPage(env, { ...options, setup: (page) => page.addInitScript(watch) });
  const dialogs = [];
  // WebDriver classic sees no dialog event, but a dialog fails its next command.
  if (engine.name !== "webkit") {
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      d.dismiss();
    });
  }
  try {
    assert.equal(await checkFile(page, cases.hostile), "fail");
    await body(page);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, "a payload ran");
    assert.deepEqual(dialogs, []);
    assert.deepEqual(await page.evaluate(() => window.__violations), [], "the page tried to run or load something");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
}

/** What the page holds of the report: no element or attribute from a payload, and its text. */
function inspect() {
  const report = document.querySelector("#report");
  const texts = [];
  const walker = document.createTreeWalker(report, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) texts.push(walker.currentNode.data);
  const handlers = [...document.querySelectorAll("*")].flatMap((e) => e.getAttributeNames().filter((n) => n.startsWith("on")));
  return {
    foreign: [...report.querySelectorAll("script, img, svg, iframe, object, embed, form, style, link")].map((e) => e.tagName),
    handlers,
    links: [...report.querySelectorAll("a")].map((a) => a.getAttribute("href")),
    text: texts.join(""),
    // Direction overrides, isolates, marks and zero-width characters left in the page's text.
    hidden: texts.filter((t) => /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\n]/.test(t) && t.trim() !== "").map((t) => escape(t)),
    markers: [...new Set([...report.querySelectorAll(".hidden-char")].map((e) => e.textContent))].sort(),
    notIsolated: [...report.querySelectorAll(".pkg")].filter((e) => getComputedStyle(e).unicodeBidi !== "isolate").length,
  };
}

/** Fails when the page is wider than its window or the verdict is not on screen. */
async function assertLayout(page, what) {
  const { overflow, verdict } = await page.evaluate(() => {
    const box = document.querySelector("#report .verdict").getBoundingClientRect();
    return {
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      verdict: box.width > 0 && box.left >= 0 && box.right <= window.innerWidth,
    };
  });
  assert.ok(overflow <= 0, `${what}: the page is ${overflow}px wider than the window`);
  assert.ok(verdict, `${what}: the verdict is not within the window`);
}

/** Opens every fold and every cut text. */
async function expandAll(page) {
  await page.evaluate(() => {
    for (const details of document.querySelectorAll("#report details")) details.open = true;
    for (const button of document.querySelectorAll("#report button.more[aria-expanded=false]")) button.click();
  });
}

function assertSafe(seen) {
  assert.deepEqual(seen.foreign, []);
  assert.deepEqual(seen.handlers, []);
  assert.ok(seen.links.every((href) => href.startsWith("#rule/")), `links: ${seen.links}`);
  assert.deepEqual(seen.hidden, []);
  assert.deepEqual(seen.markers, ["U+000A", "U+200B", "U+202E", "U+FEFF"]);
  assert.equal(seen.notIsolated, 0);
}

eachEngine((suite) => ({ env, cases, engine } = suite), (test) => {
  test("the hostile package's report: its verdict and codes, its strings as text", (t) => {
    const native = nativeReport(cases.hostile);
    const codes = native.findings.map((f) => f.code).filter((c) => c !== "SUM001");
    assert.deepEqual([...codes].sort(), ["IMG006", "MET002", "MET005", "MET006"]);
    // With the policy off, only the page's own care stands between a payload and a run.
    if (engine.can.bypassCSP !== true) skipped(t, engine, "bypassCSP", `${engine.can.bypassCSP}: the page keeps its policy here`);
    return withHostile({ bypassCSP: true }, async (page) => {
      let seen = await page.evaluate(inspect);
      for (const code of codes) assert.ok(seen.text.includes(code), code);
      assert.ok(seen.text.includes('<img src=x onerror=window.__pwned="name">'), "the file name, as text");
      assert.ok(seen.text.includes(`"<script>window.__pwned="script"</script>…"`), "the group_name in MET006, as text");
      assert.ok(seen.text.includes("javascript:window.__pwned='share'//<svg onload=window.__pwned='svg'>:v1"), "the image tag, as text");
      assertSafe(seen);
      await assertLayout(page, "1280 px");
      await page.screenshot({ path: shot(engine, "hostile-wide.png"), fullPage: true });

      // The whole 100 KB group_name is there, as text, in a box that scrolls.
      const template = ".summary dd.clipped";
      assert.match(await page.textContent(template), /^<script>window.__pwned="script"<\/…x+show all 100,046 characters$/);
      await page.click(`${template} button.more`);
      const full = `${template} .clip-full`;
      assert.ok((await page.textContent(full)).includes("x".repeat(100_000)));
      assert.ok((await page.evaluate((full) => document.querySelector(full).getBoundingClientRect().height, full)) < 300, "the box is not 100 KB tall");
      await expandAll(page);
      seen = await page.evaluate(inspect);
      assertSafe(seen);
      assert.ok(seen.text.includes(`${"d123456789/".repeat(340)}<img src=x onerror="window.__pwned='img'">`), "the 4 KB path, flat below 8 levels");
      await assertLayout(page, "1280 px, everything open");
      await page.click(`${template} button.more`);
      assert.equal(await page.$(full), null, "show less cuts it again");
    });
  });

  test("a 380 px window, in Chinese, with the page's policy on", () =>
    withHostile({ width: 380, height: 800, locale: "zh-CN" }, async (page) => {
      assert.match(await page.textContent("#report .verdict"), /导入会失败/);
      await assertLayout(page, "380 px");
      await page.screenshot({ path: shot(engine, "hostile-narrow.png"), fullPage: true });
      await expandAll(page);
      const seen = await page.evaluate(inspect);
      assertSafe(seen);
      assert.match(seen.text, /收起/);
      await assertLayout(page, "380 px, everything open");
      if (page.locator) await page.locator(".tree").screenshot({ path: shot(engine, "hostile-narrow-tree.png") });
    }));
});
