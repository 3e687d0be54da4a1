// The packed npm package in the Rainbond console as it builds today
// (examples/console-upload): Node 16.15.0 and yarn 1.22.22 (from the npm
// registry, in tests/bundlers/umi/), umi 3.5.43 with its default
// configuration (webpack 4, Babel over node_modules, dynamicImport), antd
// 3.19.1, React 16.14. The page is served with a fake console API and upload
// endpoint on 127.0.0.1 and driven in Chromium. `npm run build` must have run
// (scripts/test does it).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { basename, extname, join, normalize, sep } from "node:path";
import { after, before, test } from "node:test";

import { ROOT } from "../../tools/build.mjs";
import { fixtures, launchChromium, nativeReport } from "../e2e/harness.mjs";
import { installLocked, OUT, pack } from "./apps.mjs";

const TOOLCHAIN = join(ROOT, "tests", "bundlers", "umi");
const EXAMPLE = join(ROOT, "examples", "console-upload");
// The app is built in a copy, its node_modules kept there per yarn.lock.
const APP = join(OUT, "console-upload");
const ENGINES = join(OUT, "yarn-engines");
const EID = "eid-test";
// webpack 4's splitChunks names the chunk of `import(/* webpackChunkName: "ramcheck" */ …)` so.
const RAMCHECK_CHUNK = /^(vendors~)?ramcheck\.[0-9a-f]+\.async\.js$/;

let browser;
let cases;

/** Runs `command` with the console's toolchain first on PATH; quiet unless it fails. */
function run(cwd, command, args) {
  const env = { ...process.env, PATH: `${join(TOOLCHAIN, "node_modules", ".bin")}:${process.env.PATH}` };
  delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (/^(npm_|YARN_)/i.test(key)) delete env[key];
  try {
    return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
  } catch (e) {
    throw new Error(`${command} ${args.join(" ")} in ${cwd} failed:\n${e.stdout}${e.stderr}`);
  }
}

const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

before(async () => {
  cases = fixtures();
  const tarball = pack();
  const diagnostics = [];

  // Node 16.15.0 and yarn 1.22.22, as npm packages.
  installLocked(TOOLCHAIN, ["package-lock.json"], () =>
    execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: TOOLCHAIN, stdio: ["ignore", "ignore", "inherit"] }),
  );
  assert.equal(run(TOOLCHAIN, "node", ["--version"]).trim(), "v16.15.0");
  assert.equal(run(TOOLCHAIN, "yarn", ["--version"]).trim(), "1.22.22");

  // The package installs with yarn 1 on Node 16 with the engine check on.
  rmSync(ENGINES, { recursive: true, force: true });
  mkdirSync(ENGINES, { recursive: true });
  writeFileSync(join(ENGINES, "package.json"), JSON.stringify({ name: "engines", version: "1.0.0", private: true }));
  let started = Date.now();
  // Vendored as docs/console-integration.md says, until it is published.
  mkdirSync(join(ENGINES, "vendor"));
  cpSync(tarball, join(ENGINES, "vendor", basename(tarball)));
  run(ENGINES, "yarn", ["add", `file:vendor/${basename(tarball)}`, "--non-interactive", "--no-progress", "--cache-folder", join(ENGINES, ".yarn-cache")]);
  run(ENGINES, "yarn", ["check", "--verify-tree"]);
  diagnostics.push(`yarn add of the tarball (engine check on) ${seconds(started)}`);

  // The app: its modules with --ignore-engines (umi 3's own dependencies
  // declare node >= 18), once per yarn.lock; then ramcheck as yarn installed it.
  // The example's sources replace the copy's; src/.umi/.cache (umi's Babel
  // cache) and node_modules/.cache (Terser's) stay: 2 minutes cold, under 1 warm.
  mkdirSync(join(APP, "src"), { recursive: true });
  for (const name of ["config", "dist"]) rmSync(join(APP, name), { recursive: true, force: true });
  for (const name of readdirSync(join(APP, "src"))) if (!name.startsWith(".umi")) rmSync(join(APP, "src", name), { recursive: true });
  for (const name of ["package.json", "yarn.lock", "config", "src"]) {
    cpSync(join(EXAMPLE, name), join(APP, name), { recursive: true, filter: (from) => !/[\\/]\.umi/.test(from.slice(EXAMPLE.length)) });
  }
  started = Date.now();
  const installed = installLocked(APP, ["yarn.lock", "package.json"], () =>
    run(APP, "yarn", ["install", "--frozen-lockfile", "--ignore-engines", "--non-interactive", "--no-progress"]),
  );
  diagnostics.push(installed ? `yarn install of the app ${seconds(started)}` : "the app's modules: cached");
  rmSync(join(APP, "node_modules", "ramcheck"), { recursive: true, force: true });
  cpSync(join(ENGINES, "node_modules", "ramcheck"), join(APP, "node_modules", "ramcheck"), { recursive: true });

  started = Date.now();
  run(APP, "yarn", ["run", "--silent", "build"]);
  diagnostics.push(`umi build ${seconds(started)}`);
  for (const line of diagnostics) console.log(`# ${line}`);
  browser = await launchChromium();
});
after(() => browser && browser.close());

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/**
 * The console's routes the page uses, the upload endpoint and the built app
 * under /static/dists/ (index.html for every other path). `region` is the
 * import region as GET /console/enterprise/{eid}/regions gives it; `csp` a
 * Content-Security-Policy to send (the console sends none); `failChunk`
 * answers the ramcheck chunk with 404.
 */
function serveConsole({ region, version = "v6.9.2-release", csp, failChunk = false }) {
  const uploads = [];
  const imports = [];
  const dist = join(APP, "dist");
  const send = (res, status, body, type = "application/json") => {
    const headers = { "Content-Type": type, "Cache-Control": "no-cache" };
    if (csp) headers["Content-Security-Policy"] = csp;
    res.writeHead(status, headers).end(typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      let m;
      if (path === "/favicon.ico") return res.writeHead(204).end();
      if (path === "/console/config/info") return send(res, 200, { data: { bean: { version: { value: version } } } });
      if (path === `/console/enterprise/${EID}/regions`) return send(res, 200, { data: { list: [region] } });
      if (path === `/console/enterprise/${EID}/app-models/import` && req.method === "POST") {
        const bean = { event_id: "ev1", upload_url: `/console/regions/${region.region_name}/websocket/app/upload/ev1`, region_name: "Region", status: "created" };
        return send(res, 200, { data: { bean } });
      }
      if (path === `/console/enterprise/${EID}/app-models/import/ev1/dir`) {
        return send(res, 200, { data: { bean: { packages: [...new Set(uploads.map((u) => u.name))] } } });
      }
      if (path === `/console/enterprise/${EID}/app-models/import/ev1` && req.method === "POST") {
        imports.push(JSON.parse(body.toString()));
        return send(res, 200, { data: { bean: {} } });
      }
      if ((m = /^\/console\/regions\/([^/]+)\/websocket\/app\/upload\/ev1$/.exec(path)) && req.method === "POST") {
        const text = body.toString("latin1");
        uploads.push({ region: m[1], field: /name="([^"]*)"; filename=/.exec(text)?.[1], name: /filename="([^"]*)"/.exec(text)?.[1], bytes: body.length });
        return send(res, 200, { msg: "success" });
      }
      if (path.startsWith("/static/dists/")) {
        const file = normalize(join(dist, path.slice("/static/dists/".length)));
        if (!file.startsWith(dist + sep) || !existsSync(file) || (failChunk && RAMCHECK_CHUNK.test(file.slice(dist.length + 1)))) {
          return send(res, 404, "not found\n", "text/plain");
        }
        return send(res, 200, readFileSync(file), TYPES[extname(file)] || "application/octet-stream");
      }
      return send(res, 200, readFileSync(join(dist, "index.html")), TYPES[".html"]);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}`, uploads, imports, close: () => server.close() })),
  );
}

/** Resolves once `condition()` holds; rejects after `ms`. */
async function until(condition, ms = 30_000) {
  for (const end = Date.now() + ms; !(await condition()); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${condition}`);
  }
}

const REGION_5_16 = { region_name: "rainbond-5", rbd_version: "v5.17.3-release", k8s_version: "v1.23.10", arch: ["amd64"] };
const REGION_6_9 = { region_name: "rainbond-6", rbd_version: "v6.9.2-release", k8s_version: "v1.30.4", arch: ["amd64"] };

/**
 * Opens the import page for `server` options in a fresh context (`locale`,
 * `init`: a script run before the page's own) and runs `body(page, server)`.
 * A page error or console error fails, unless it matches `expected`.
 */
async function withPage(options, body) {
  const { locale = "en-US", init, expected, ...serverOptions } = options;
  const server = await serveConsole(serverOptions);
  const context = await browser.newContext({ locale });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await page.goto(`${server.url}/enterprise/${EID}/shared/import`, { waitUntil: "networkidle" });
    await page.locator(".ant-upload:not(.ant-upload-disabled) input[type=file]").waitFor({ state: "attached" });
    await body(page, server);
    assert.deepEqual(
      errors.filter((e) => !(expected && expected.test(e))),
      [],
    );
  } finally {
    await context.close();
    server.close();
  }
}

const scripts = (page) =>
  page.evaluate(() => performance.getEntriesByType("resource").flatMap((r) => (r.name.endsWith(".js") ? [r.name.split("/").at(-1)] : [])));

const choose = (page, file) => page.setInputFiles("input[type=file]", file);

/** The verdict Tag beside the uploaded `name` in the Checkbox list. */
async function tag(page, name) {
  const span = page.locator(`.ramcheck-verdict[data-file="${name}"]`);
  await span.waitFor({ timeout: 30_000 });
  return { verdict: await span.getAttribute("data-verdict"), text: (await span.textContent()).trim() };
}

/**
 * The open Modal.error / Modal.confirm: its text; `button` ("ok" or "cancel")
 * closes it. `screenshot` names a picture of the page with it, in target/bundlers/.
 */
async function dialog(page, kind, button, screenshot) {
  const modal = page.locator(`.ant-modal-confirm-${kind}`);
  await modal.waitFor({ timeout: 60_000 });
  const text = await modal.textContent();
  if (screenshot) await page.waitForTimeout(400); // the fade-in
  if (screenshot) await page.screenshot({ path: join(OUT, `console-${screenshot}.png`) });
  await modal.locator(`.ant-modal-confirm-btns .ant-btn${button === "ok" ? "-primary" : ":not(.ant-btn-primary)"}`).click();
  await modal.waitFor({ state: "detached" });
  return text;
}

const checkedArch = (page) => page.locator(".import-arch .ant-radio-wrapper-checked input").getAttribute("value");
const base = (path) => path.split("/").at(-1);

test("umi 3 build: ramcheck is a chunk of its own, loaded with the first check", () => {
  const files = readdirSync(join(APP, "dist"));
  assert.ok(
    files.some((f) => RAMCHECK_CHUNK.test(f)),
    files.join(" "),
  );
  const umi = files.find((f) => /^umi\.[0-9a-f]+\.js$/.test(f));
  assert.ok(!readFileSync(join(APP, "dist", umi), "utf8").includes("validatePackage"), "ramcheck is not in the main bundle");
});

test("5.16 region: a valid package uploads with its Tag and arch; the seed case is stopped with its findings", () =>
  withPage({ region: REGION_5_16, version: "v5.17.3-release" }, async (page, server) => {
    assert.ok(!(await scripts(page)).some((s) => RAMCHECK_CHUNK.test(s)), "ramcheck loads with the first check, not with the page");
    assert.equal(await checkedArch(page), "");

    await choose(page, cases.valid);
    await until(() => server.uploads.length === 1);
    assert.deepEqual(await tag(page, base(cases.valid)), { verdict: "pass", text: "Passed" });
    assert.ok((await scripts(page)).some((s) => RAMCHECK_CHUNK.test(s)));
    assert.equal(server.uploads[0].field, "appTarFile");
    assert.equal(server.uploads[0].region, "rainbond-5");
    assert.equal(await checkedArch(page), "amd64", "the arch radio follows the package's images");
    assert.equal(await page.locator(".arch-warning").count(), 0);

    // rbd_version "v5.17.3-release" and no runtime: both runtimes of 5.16, the worse verdict.
    const [img001] = nativeReport(cases.seed).findings.filter((f) => f.code === "IMG001");
    await choose(page, cases.seed);
    const failed = await dialog(page, "error", "ok", "fail-en");
    for (const text of ["IMG001", img001.location, img001.message, img001.hint, "5.16/docker"]) assert.ok(failed.includes(text), text);
    assert.equal(server.uploads.length, 1, "the failing package is not sent");
    assert.equal(await page.locator(".ant-notification-notice").count(), 0);

    // The Checkbox list and 确认导入 send the files and the arch.
    await page.locator(".import-files .ant-checkbox-wrapper").first().click();
    await page.locator("button.ant-btn-primary").click();
    await until(() => server.imports.length === 1);
    assert.deepEqual(server.imports[0], { scope: "enterprise", event_id: "ev1", file_name: base(cases.valid), arch: "amd64" });
  }));

test("6.9 region: the seed case is not stopped (its plugin archive is skipped there)", (t) =>
  withPage({ region: REGION_6_9 }, async (page, server) => {
    await choose(page, cases.seed);
    // It may warn (what fails on 5.16 is a warning here): upload anyway.
    const asked = dialog(page, "confirm", "ok").catch(() => null);
    await Promise.race([until(() => server.uploads.length === 1, 60_000), asked]);
    await until(() => server.uploads.length === 1);
    const { verdict } = await tag(page, base(cases.seed));
    t.diagnostic(`seed case on v6.9.2-release: ${verdict}`);
    assert.ok(verdict === "pass" || verdict === "warn", verdict);
    assert.equal(await page.locator(".ant-modal-confirm-error").count(), 0);
  }));

test("an arm64-only region: the check stops an amd64-only package (the console would refuse to install it)", () =>
  withPage({ region: { ...REGION_6_9, arch: ["arm64"] } }, async (page, server) => {
    await choose(page, cases.valid);
    await page.locator(".ant-modal-confirm-error").waitFor({ timeout: 60_000 });
    // The core judged the arch itself: the target carries the region's node architectures.
    assert.match(await dialog(page, "error", "ok"), /MET007[\s\S]*amd64/);
    assert.equal(server.uploads.length, 0);
  }));

test("a warning asks: Cancel keeps the package back, Upload anyway sends it", (t) => {
  const padded = join(OUT, "console-padded", base(cases.valid));
  mkdirSync(join(padded, ".."), { recursive: true });
  writeFileSync(padded, Buffer.concat([readFileSync(cases.valid), Buffer.alloc(1024)]));
  return withPage({ region: REGION_6_9 }, async (page, server) => {
    await choose(page, padded);
    assert.match(await dialog(page, "confirm", "cancel"), /PKG004/);
    await choose(page, padded);
    const text = await dialog(page, "confirm", "ok");
    assert.match(text, /Upload anyway/);
    await until(() => server.uploads.length === 1);
    assert.equal((await tag(page, base(padded))).verdict, "warn");
    t.diagnostic("warn: asked twice, sent once");
  });
});

// The checker fails in every way it can; the upload always goes on.
const CRASH = `{
  const Real = window.Worker;
  window.Worker = function (url, options) {
    return new Real(URL.createObjectURL(new Blob(["self.onmessage = () => { throw new Error('injected crash'); };"])), options);
  };
}`;
const STALL = `{
  const Real = window.Worker;
  window.Worker = function (url, options) {
    return new Real(URL.createObjectURL(new Blob(["self.onmessage = () => {};"])), options);
  };
}`;

async function uploadsUnchecked(page, server, file, notified = true) {
  await choose(page, file);
  await until(() => server.uploads.length === 1);
  assert.equal((await tag(page, base(file))).verdict, "unchecked");
  if (notified) {
    const notice = page.locator(".ant-notification-notice");
    await notice.waitFor();
    assert.match(await notice.textContent(), /could not be checked/);
  }
}

test("a checker crash: notified, uploaded", () =>
  withPage({ region: REGION_5_16, init: CRASH, expected: /injected crash/ }, (page, server) => uploadsUnchecked(page, server, cases.seed)));

test("a stalled checker: the Upload is disabled while it runs; Skip check uploads", () =>
  withPage({ region: REGION_5_16, init: STALL }, async (page, server) => {
    await choose(page, cases.seed);
    const check = page.locator(".ramcheck-check");
    await check.waitFor();
    assert.equal(await check.getAttribute("data-file"), base(cases.seed));
    // rc-upload drops its click and drop handlers; the input itself stays enabled.
    assert.equal(await page.locator(".ant-upload-select.ant-upload-disabled").count(), 1, "no second file while a check runs");
    await page.waitForTimeout(500);
    assert.equal(server.uploads.length, 0);
    await page.locator(".ramcheck-skip").click();
    await until(() => server.uploads.length === 1);
    assert.equal((await tag(page, base(cases.seed))).verdict, "unchecked");
    assert.equal(await page.locator(".ant-notification-notice").count(), 0, "skipping is no failure");
    await check.waitFor({ state: "detached" });
  }));

test("the ramcheck chunk fails to load: notified, uploaded", () =>
  withPage({ region: REGION_5_16, failChunk: true, expected: /404|Loading chunk/ }, (page, server) => uploadsUnchecked(page, server, cases.seed)));

test("a proxy's CSP refuses wasm: notified, uploaded", () =>
  withPage(
    {
      region: REGION_5_16,
      csp: "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; worker-src blob:",
      expected: /WebAssembly|wasm-unsafe-eval|unsafe-eval/,
    },
    (page, server) => uploadsUnchecked(page, server, cases.seed),
  ));

test("zh-CN: the page's and the findings' texts in Chinese", () =>
  withPage({ region: REGION_5_16, locale: "zh-CN" }, async (page, server) => {
    const [img001] = nativeReport(cases.seed).findings.filter((f) => f.code === "IMG001");
    assert.match(await page.locator(".ant-card-head").textContent(), /离线导入应用模型/);
    await choose(page, cases.seed);
    const failed = await dialog(page, "error", "ok", "fail-zh");
    for (const text of ["无法导入", img001.message_zh, img001.hint_zh, "修正方法"]) assert.ok(failed.includes(text), text);
    await choose(page, cases.valid);
    await until(() => server.uploads.length === 1);
    assert.deepEqual(await tag(page, base(cases.valid)), { verdict: "pass", text: "检查通过" });
    await page.screenshot({ path: join(OUT, "console-list-zh.png") });
  }));

test("src/utils/ramcheck.js: the import target, the package's arch, a check that never rejects", async () => {
  // The module as Node can import it (the example's package is not ESM).
  const copy = join(OUT, "console-ramcheck-utils.mjs");
  cpSync(join(EXAMPLE, "src", "utils", "ramcheck.js"), copy);
  const { checkPackage, importTarget, normaliseArch, packageArch } = await import(`${copy}?${Date.now()}`);
  const clusters = [REGION_5_16, { ...REGION_6_9, arch: ["x86_64", "aarch64"] }];
  const info = { version: { value: "v6.9.1-release" } };
  assert.deepEqual(importTarget("/console/regions/rainbond-5/websocket/app/upload/ev1", clusters, info), { rainbond: "v5.17.3-release", arch: ["amd64"] });
  assert.deepEqual(importTarget("https://console.example/console/regions/rainbond-6/websocket/app/upload/ev1", clusters, info), {
    rainbond: "v6.9.2-release",
    arch: ["amd64", "arm64"],
  });
  // A region not in the list: the console's own version; nothing known: all.
  assert.deepEqual(importTarget("/console/regions/other/websocket/app/upload/ev1", clusters, info), { rainbond: "v6.9.1-release" });
  assert.equal(importTarget(undefined, [], null), "all");
  assert.equal(importTarget("/console/regions/x/websocket/", [{ region_name: "x", rbd_version: "" }], { version: {} }), "all");

  assert.deepEqual(["linux/x86_64", "linux/AMD64", "aarch64", "linux/arm64", "linux/s390x"].map(normaliseArch), ["amd64", "amd64", "arm64", "arm64", "s390x"]);
  const images = (...platforms) => ({ images: [{ images: platforms.map((platform) => ({ platform })) }, { images: [{}] }] });
  assert.equal(packageArch(images("linux/amd64", "linux/x86_64")), "amd64");
  assert.equal(packageArch(images("linux/amd64", "linux/arm64")), "");
  assert.equal(packageArch(images()), "");
  assert.equal(packageArch(undefined), "");

  // No check can run in Node (no Worker; ramcheck may not even load): it resolves, saying so.
  const result = await checkPackage(new Blob(["x"]), { locale: "zh-CN" });
  assert.equal(result.verdict, "unchecked");
  assert.ok(result.error);
  const controller = new AbortController();
  controller.abort();
  assert.equal((await checkPackage(new Blob(["x"]), { signal: controller.signal })).verdict, "unchecked");
});
