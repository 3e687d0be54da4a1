// The package's Web Worker. It runs after the wasm-bindgen glue, which
// defines `wasm_bindgen`; both are shipped as one string (see index.js).
// Every request carries the compiled module, so the worker needs no setup
// message and no network: {id, op, module, ...} in, {id, progress} and then
// {id, result} or {id, error, crashed} out. `crashed` marks a wasm trap (a
// Rust panic, memory exhausted): a bug or a limit of the checker, not an
// error of the request, and the instance is unusable after it.
"use strict";

const operations = {
  check: (m, id) => wasm_bindgen.checkBlob(m.file, m.name, m.deep, (bytesRead) => self.postMessage({ id, progress: bytesRead })),
  rules: () => wasm_bindgen.listRules(),
  explain: (m) => wasm_bindgen.explainRule(m.code, m.language),
  format: (m) => wasm_bindgen.formatReport(m.report, m.style, m.language),
};

let ready = false;

self.onmessage = (event) => {
  const m = event.data;
  try {
    if (!ready) {
      wasm_bindgen.initSync({ module: m.module });
      ready = true;
    }
    self.postMessage({ id: m.id, result: operations[m.op](m, m.id) });
  } catch (e) {
    self.postMessage({ id: m.id, error: String((e && e.message) || e), crashed: e instanceof WebAssembly.RuntimeError });
  }
};
