// The package's Web Worker. It runs after the wasm-bindgen glue, which
// defines `wasm_bindgen`; both are shipped as one string (see index.js).
// Every request carries the compiled module, so the worker needs no setup
// message and no network: {id, op, module, ...} in, {id, progress} and then
// {id, result} or {id, error, crashed, code} out. `crashed` marks a wasm trap
// (a Rust panic, memory exhausted): a bug or a limit of the checker, not an
// error of the request, and the instance is unusable after it.
"use strict";

/** Progress of a repair is posted at least this often, in bytes written. */
const WRITE_PROGRESS = 4 << 20;

/**
 * Pass 2 of a repair: the corrected package is written into the origin
 * private file system (OPFS) file `m.tmp` through a synchronous access
 * handle, so that wasm can stream into it with plain calls and memory stays
 * bounded. The asynchronous steps (opening the file) come before wasm runs.
 */
async function repair(m, id) {
  if (typeof FileSystemFileHandle === "undefined" || !("createSyncAccessHandle" in FileSystemFileHandle.prototype) || !navigator.storage) {
    const error = new Error("unsupported");
    error.code = "unsupported";
    throw error;
  }
  const root = await navigator.storage.getDirectory();
  const handle = await root.getFileHandle(m.tmp, { create: true });
  const access = await handle.createSyncAccessHandle();
  let read = 0;
  let written = 0;
  let posted = 0;
  const post = () => {
    posted = written;
    self.postMessage({ id, progress: { read, written } });
  };
  try {
    access.truncate(0);
    const repairs = wasm_bindgen.applyRepair(
      m.file,
      m.plan,
      (bytes) => {
        let at = 0;
        while (at < bytes.length) {
          const n = access.write(at === 0 ? bytes : bytes.subarray(at), { at: written });
          if (!(n > 0)) throw new Error("the temporary file cannot be written (is the disk full?)");
          written += n;
          at += n;
        }
        if (written - posted >= WRITE_PROGRESS) post();
      },
      (bytesRead) => {
        read = bytesRead;
        post();
      },
    );
    access.flush();
    post();
    return { repairs, written };
  } finally {
    access.close();
  }
}

const operations = {
  check: (m, id) => wasm_bindgen.checkBlob(m.file, m.name, m.deep, (bytesRead) => self.postMessage({ id, progress: bytesRead })),
  plan: (m, id) => wasm_bindgen.planRepair(m.file, m.name, m.outputName, (bytesRead) => self.postMessage({ id, progress: bytesRead })),
  repair,
  supported: () => typeof FileSystemFileHandle !== "undefined" && "createSyncAccessHandle" in FileSystemFileHandle.prototype && !!navigator.storage,
  rules: () => wasm_bindgen.listRules(),
  explain: (m) => wasm_bindgen.explainRule(m.code, m.language),
  format: (m) => wasm_bindgen.formatReport(m.report, m.style, m.language),
};

let ready = false;

self.onmessage = (event) => {
  const m = event.data;
  const fail = (e) =>
    self.postMessage({ id: m.id, error: String((e && e.message) || e), crashed: e instanceof WebAssembly.RuntimeError, code: e && e.code });
  try {
    if (!ready) {
      wasm_bindgen.initSync({ module: m.module });
      ready = true;
    }
    const result = operations[m.op](m, m.id);
    if (result && typeof result.then === "function") {
      result.then((value) => self.postMessage({ id: m.id, result: value }), fail);
    } else {
      self.postMessage({ id: m.id, result });
    }
  } catch (e) {
    fail(e);
  }
};
