// The built npm package (pkg/) loads in every bundler without loader config:
// webpack 4 parses modules with acorn 6 (ES2018 at most, no import.meta), and
// nothing may ask a bundler to resolve a .wasm file, a worker URL or a bare
// import. The browser tests (tests/e2e/) run the same files in Chromium.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Script } from "node:vm";

import { parse } from "acorn";

import { ROOT } from "../../tools/build.mjs";

const PKG = join(ROOT, "pkg");
const MODULES = ["index.js", "worker-source.js", "wasm-base64.js"];

/** Every AST node below `node`. */
function* nodes(node) {
  if (!node || typeof node.type !== "string") return;
  yield node;
  for (const value of Object.values(node)) {
    for (const child of Array.isArray(value) ? value : [value]) if (child && typeof child === "object") yield* nodes(child);
  }
}

test("the package's modules parse as webpack 4 parses them", () => {
  for (const file of MODULES) {
    const ast = parse(readFileSync(join(PKG, file), "utf8"), { ecmaVersion: 2018, sourceType: "module" });
    for (const node of nodes(ast)) {
      assert.notEqual(node.type, "MetaProperty", `${file}: import.meta`);
      if (node.type === "ImportDeclaration") assert.match(node.source.value, /^\.\/[\w-]+\.js$/, `${file}: import of ${node.source.value}`);
      if (node.type === "NewExpression" && node.callee.name === "URL") assert.fail(`${file}: new URL(...) makes bundlers resolve assets`);
    }
  }
});

// The worker's code is a string to bundlers; only browsers parse it, and
// the wasm-bindgen glue in it uses optional chaining (ES2020: Chrome 80,
// Firefox 74, Safari 13.1).
test("the worker source is one classic script in ES2020", () => {
  const module = parse(readFileSync(join(PKG, "worker-source.js"), "utf8"), { ecmaVersion: 2018, sourceType: "module" });
  const exported = module.body.find((n) => n.type === "ExportDefaultDeclaration").declaration;
  assert.equal(exported.type, "Literal");
  // acorn 6 stops at ES2018; V8 compiles (without running) what browsers run.
  new Script(exported.value, { filename: "worker-source.js" });
});
