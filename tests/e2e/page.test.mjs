// The page in Chromium: the verdicts, both languages, progress, cancel, the
// zip and over-4 GB paths, and no network request while a file is checked.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { checkFile, fixtures, openPage, OUT, start } from "./harness.mjs";

let env;
let cases;

before(async () => {
  cases = fixtures();
  env = await start();
});
after(() => env && env.close());

test("a valid package passes, with no network request during the check", async () => {
  const { page, context, errors } = await openPage(env);
  const requests = [];
  // The worker's blob: URL is in memory; anything else would leave the page.
  page.on("request", (r) => /^(blob|data):/.test(r.url()) || requests.push(r.url()));
  assert.equal(await checkFile(page, cases.valid), "pass");
  assert.deepEqual(requests, []);
  const text = await page.textContent("#report");
  assert.match(text, /The package will import/);
  assert.match(text, /crm/);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(OUT, "valid-light.png"), fullPage: true });
  await context.close();
});
