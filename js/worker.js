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
/**
 * Whether this worker can write the origin private file system through
 * synchronous access handles: the one test of it (`supported` and `repair`).
 */
function syncAccessHandles() {
  return typeof FileSystemFileHandle !== "undefined" && "createSyncAccessHandle" in FileSystemFileHandle.prototype && !!navigator.storage;
}

async function repair(m, id) {
  if (!syncAccessHandles()) {
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

/** Size of one fill of inflated bytes: `gzip::CHUNK` in the Rust core. */
const CHUNK = 1 << 20;
/**
 * Fills on their way from the inflater to the checker, at most: enough to
 * ride out the stretches where the walk is slower (many small files), few
 * enough to bound the workers' memory (16 MiB; 32 measured no faster within
 * the benchmark's noise). The buffers go back and forth (transferred, never
 * copied by postMessage) and are reused.
 */
const IN_FLIGHT = 16;

/** A promise and the function that settles it. */
function signal() {
  let wake;
  const promise = new Promise((resolve) => {
    wake = resolve;
  });
  return { promise, wake };
}

/**
 * The file as a stream, read ahead: `read(cap)` resolves with its next piece
 * (at most `cap` bytes; empty at the end). One read is always under way, so
 * the browser reads the next piece while wasm inflates this one. A byte
 * stream is read into two reused buffers (BYOB); otherwise its own chunks
 * are cut to size.
 */
function pieces(file) {
  const stream = file.stream();
  let reader;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    reader = stream.getReader();
  }
  const byob = reader instanceof ReadableStreamBYOBReader;
  // BYOB: two buffers take turns, one being read into while `rest` views the other.
  const start = (buffer) => (byob ? reader.read(new Uint8Array(buffer || new ArrayBuffer(CHUNK))) : reader.read());
  let next = start();
  let rest = new Uint8Array(0);
  return async (cap) => {
    while (rest.length === 0) {
      const { done, value } = await next;
      if (done) return rest;
      next = start(rest.buffer.byteLength ? rest.buffer : null);
      rest = value;
    }
    const piece = rest.subarray(0, cap);
    rest = rest.subarray(piece.length);
    return piece;
  };
}

/** The inflater's side of the pipe (see wasm/src/pipeline.rs). */
function inflaterPipe(port, file) {
  const free = [];
  let inFlight = 0;
  let returned = signal();
  port.onmessage = ({ data }) => {
    free.push(data);
    inFlight -= 1;
    returned.wake();
  };
  const read = pieces(file);
  return {
    /** Copies the next piece of the file (at most `cap` bytes) to `ptr`; 0 at the end, -1 on failure. */
    async suspendingRead(ptr, cap) {
      try {
        const piece = await read(cap);
        new Uint8Array(wasmExports.memory.buffer, ptr, piece.length).set(piece);
        return piece.length;
      } catch {
        return -1;
      }
    },
    async suspendingEmit(ptr, fill) {
      while (inFlight >= IN_FLIGHT) {
        returned = signal();
        await returned.promise;
      }
      const buffer = free.pop() || new ArrayBuffer(CHUNK);
      new Uint8Array(buffer, 0, fill.len).set(new Uint8Array(wasmExports.memory.buffer, ptr, fill.len));
      inFlight += 1;
      port.postMessage({ buffer, fill }, [buffer]);
      return 0;
    },
  };
}

/** The checker's side of the pipe. */
function checkerPipe(port) {
  const queue = [];
  let arrived = signal();
  let last;
  port.onmessage = ({ data }) => {
    queue.push(data);
    arrived.wake();
  };
  return {
    async suspendingPull(ptr) {
      while (queue.length === 0) {
        arrived = signal();
        await arrived.promise;
      }
      const { buffer, fill } = queue.shift();
      new Uint8Array(wasmExports.memory.buffer, ptr, fill.len).set(new Uint8Array(buffer, 0, fill.len));
      port.postMessage(buffer, [buffer]);
      last = fill;
      return 0;
    },
    lastFill: () => last,
  };
}

/** Runs the job `prepare` sets up, with `pipe` as the JavaScript it may wait on. */
async function runJob(pipe, prepare) {
  self.ramcheckPipe = pipe;
  prepare();
  await WebAssembly.promising(wasmExports.ramcheck_run_job)();
  return wasm_bindgen.takeResult();
}

/** Posts the bytes read so far as progress of request `id`. */
const progressOf = (id) => (bytesRead) => self.postMessage({ id, progress: bytesRead });

/** Throws a TypeError with code "target" when `target` names no Rainbond line. */
function parseTarget(target) {
  try {
    return wasm_bindgen.parseTarget(target);
  } catch (e) {
    e.code = "target";
    throw e;
  }
}

const operations = {
  check: (m, id) => {
    parseTarget(m.target);
    const report = m.port
      ? runJob(checkerPipe(m.port), () => wasm_bindgen.prepareCheck(m.file, m.name, m.deep))
      : wasm_bindgen.checkBlob(m.file, m.name, m.deep, progressOf(id));
    return Promise.resolve(report).then((r) => wasm_bindgen.retargetReport(r, m.target));
  },
  retarget: (m) => {
    parseTarget(m.target);
    return wasm_bindgen.retargetReport(m.report, m.target);
  },
  inflate: (m, id) => runJob(inflaterPipe(m.port, m.file), () => wasm_bindgen.prepareInflate(m.file.size, progressOf(id))),
  plan: (m, id) => {
    parseTarget(m.target);
    return wasm_bindgen.planRepair(m.file, m.name, m.outputName, m.target, progressOf(id));
  },
  repair,
  // The directory itself may be refused (a page opened from a file, private browsing).
  supported: () => syncAccessHandles() && navigator.storage.getDirectory().then(() => true, () => false),
  rules: () => wasm_bindgen.listRules(),
  explain: (m) => wasm_bindgen.explainRule(m.code, m.language),
  format: (m) => wasm_bindgen.formatReport(m.report, m.style, m.language),
};

/** The wasm instance's own exports (memory, `ramcheck_run_job`), once instantiated. */
let wasmExports;

/**
 * Instantiates the module. With JS Promise Integration, the imports named
 * `suspending…` are wrapped so that a promise they return suspends the wasm
 * caller instead of reaching it; without it they are never called.
 */
function instantiate(module) {
  const Instance = WebAssembly.Instance;
  if (typeof WebAssembly.Suspending === "function") {
    WebAssembly.Instance = function (mod, imports) {
      for (const functions of Object.values(imports)) {
        for (const name of Object.keys(functions)) {
          if (name.startsWith("__wbg_suspending")) functions[name] = new WebAssembly.Suspending(functions[name]);
        }
      }
      return new Instance(mod, imports);
    };
  }
  try {
    wasmExports = wasm_bindgen.initSync({ module });
  } finally {
    WebAssembly.Instance = Instance;
  }
}

self.onmessage = (event) => {
  const m = event.data;
  const fail = (e) =>
    self.postMessage({ id: m.id, error: String((e && e.message) || e), crashed: e instanceof WebAssembly.RuntimeError, code: e && e.code });
  try {
    if (!wasmExports) instantiate(m.module);
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
