// What `npm pack` ships: the built modules, their types, the package's
// reference (js/README.md, as pkg/README.md), the repository's README and the
// license, nothing else (no sources, tests or build tools), within a budget.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import { ROOT } from "../../tools/build.mjs";

test("npm pack ships pkg/, package.json, the READMEs and LICENSE only", () => {
  const [{ files, size }] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: ROOT, encoding: "utf8" }));
  assert.deepEqual(files.map((f) => f.path).sort(), [
    "LICENSE",
    "README.md",
    "package.json",
    "pkg/README.md",
    "pkg/index.d.ts",
    "pkg/index.js",
    "pkg/wasm-base64.js",
    "pkg/worker-source.js",
  ]);
  // 625 KiB today, almost all of it the wasm; js/README.md states the sizes.
  assert.ok(size < 640 * 1024, `the tarball is ${size} bytes`);
});
