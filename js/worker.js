// The package's Web Worker. It runs after the wasm-bindgen glue, which
// defines `wasm_bindgen`; both are shipped as one string (see index.js).
// Every request carries the compiled module, so the worker needs no setup
// message and no network: {id, op, module, ...} in, {id, progress} and then
// {id, result} or {id, error, crashed, code} out; a check's bytes come and go
// as {via, data} (`pageChannel`). `crashed` marks a wasm trap
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
 * ride out the stretches where the walk is slower (many small files) and the
 * trips through the page, few enough to bound the workers' memory (32 MiB).
 * With 16 the inflater waited 0.3-0.9 s per check for buffers to come back,
 * with 48 under 0.1 s. The buffers go back and forth (transferred, never
 * copied by postMessage) and are reused.
 */
const IN_FLIGHT = 32;

/** A promise and the function that settles it. */
function signal() {
  let wake;
  const promise = new Promise((resolve) => {
    wake = resolve;
  });
  return { promise, wake };
}

/**
 * The items of the batches (arrays) `port` receives, in order: `ready()`
 * says whether one is there, `take()` takes it, `next()` resolves with it
 * once it is there.
 */
function inbox(port) {
  const queue = [];
  let arrived = signal();
  port.onmessage = ({ data }) => {
    queue.push(...data);
    arrived.wake();
  };
  return {
    ready: () => queue.length > 0,
    take: () => queue.shift(),
    async next() {
      while (queue.length === 0) {
        arrived = signal();
        await arrived.promise;
      }
      return queue.shift();
    },
  };
}

/** Channels to the page over this worker's own messages, by name (`pageChannel`). */
const channels = {};

/**
 * A MessagePort-like channel over this worker's own messages: `{via, data}`
 * both ways; the page answers it ("reads") or hands it to the other worker
 * of the pipeline ("pipe"), see `runInWorkers` in index.js.
 */
function pageChannel(via) {
  const channel = { onmessage: null, postMessage: (data, transfer) => self.postMessage({ via, data }, transfer) };
  channels[via] = channel;
  return channel;
}

/**
 * The page's answers to reads of the file over `port` (see `serveRead` in
 * index.js): `{id, offset, len}` out, `{id, bytes}` (an ArrayBuffer) or
 * `{id, error}` back. Returns `fetch(offset, len)`, a promise of the bytes.
 */
function pageFetch(port) {
  const waiting = new Map();
  let next = 0;
  port.onmessage = ({ data }) => {
    const settle = waiting.get(data.id);
    waiting.delete(data.id);
    if (settle) settle(data);
  };
  return (offset, len) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, (answer) => (answer.bytes ? resolve(answer.bytes) : reject(new Error(answer.error))));
      port.postMessage({ id, offset, len });
    });
}

/**
 * The job's reads of a file of `size` bytes (`suspendingReadAt`, see
 * wasm/src/jobs.rs), made by the page: the block after each read is asked
 * for ahead, so that the page reads it while wasm works on this one; a read
 * of bytes already there returns at once. Asynchronous reads with one ahead
 * took 5-10% off a check in Chromium and Firefox against `FileReaderSync`,
 * which stops the worker for every read; a `File.stream()` would also read
 * ahead, but WebKit's holds the whole file in memory.
 */
function readsPipe(size, beforeWait = () => {}) {
  const fetch = pageFetch(pageChannel("reads"));
  let ahead = null;
  const start = (offset, len) => {
    const read = { offset, len, bytes: null, failed: false };
    read.settled = fetch(offset, len).then(
      (bytes) => (read.bytes = bytes),
      () => (read.failed = true),
    );
    return read;
  };
  const copy = (ptr, read) => {
    if (!read.bytes) return -1;
    new Uint8Array(wasmExports.memory.buffer, ptr, read.bytes.byteLength).set(new Uint8Array(read.bytes));
    return read.bytes.byteLength;
  };
  return {
    suspendingReadAt(ptr, offset, len) {
      const read = ahead && ahead.offset === offset && ahead.len === len ? ahead : start(offset, len);
      const end = offset + len;
      ahead = end < size ? start(end, Math.min(len, size - end)) : null;
      if (read.bytes || read.failed) return copy(ptr, read);
      beforeWait();
      return read.settled.then(() => copy(ptr, read));
    },
  };
}

/**
 * Fills, and their buffers back, go in batches of this many: every message
 * costs the page's thread, which carries it, and both workers, whatever its
 * size. A batch also goes as it is whenever its sender is about to wait, so
 * that neither worker waits for what the other holds. With batches of 4,
 * a check of the 745 MB package took 1 s less CPU in Chromium and 0.5 s
 * less in WebKit than with a message per fill (the same in Firefox).
 */
const BATCH = 4;

/**
 * The inflater's side of the pipe (see wasm/src/jobs.rs): `imports` for the
 * job, and `flush`, which sends the fills held back for a batch.
 */
function inflaterPipe(port) {
  const free = [];
  let inFlight = 0;
  let returned = signal();
  let batch = [];
  port.onmessage = ({ data }) => {
    free.push(...data);
    inFlight -= data.length;
    returned.wake();
  };
  const flush = () => {
    if (batch.length === 0) return;
    port.postMessage(batch, batch.map((f) => f.buffer));
    batch = [];
  };
  const send = (ptr, fill) => {
    const buffer = free.pop() || new ArrayBuffer(CHUNK);
    new Uint8Array(buffer, 0, fill.len).set(new Uint8Array(wasmExports.memory.buffer, ptr, fill.len));
    inFlight += 1;
    batch.push({ buffer, fill });
    if (batch.length >= BATCH || fill.last) flush();
    return 0;
  };
  const room = async () => {
    flush();
    while (inFlight >= IN_FLIGHT) {
      returned = signal();
      await returned.promise;
    }
  };
  return {
    imports: { suspendingEmit: (ptr, fill) => (inFlight < IN_FLIGHT ? send(ptr, fill) : room().then(() => send(ptr, fill))) },
    flush,
  };
}

/** The checker's side of the pipe. */
function checkerPipe(port) {
  const fills = inbox(port);
  let used = [];
  let last;
  const giveBack = () => {
    if (used.length === 0) return;
    port.postMessage(used, used);
    used = [];
  };
  const copy = ({ buffer, fill }, ptr) => {
    new Uint8Array(wasmExports.memory.buffer, ptr, fill.len).set(new Uint8Array(buffer, 0, fill.len));
    used.push(buffer);
    if (used.length >= BATCH) giveBack();
    last = fill;
    return 0;
  };
  return {
    suspendingPull: (ptr) => {
      if (fills.ready()) return copy(fills.take(), ptr);
      giveBack();
      return fills.next().then((m) => copy(m, ptr));
    },
    lastFill: () => last,
  };
}

/** Binaryen Asyncify's states (`asyncify_get_state`). */
const UNWINDING = 1;
const REWINDING = 2;
/** Bytes the stack may be unwound into: `UNWIND_ROOM` in wasm/src/jobs.rs. */
const UNWIND_ROOM = 1 << 20;

/** Where the job's stack is unwound to while it waits (an address in wasm memory). */
let unwindBuffer = 0;
/** The promise the unwound job waits on, and then what it settled with. */
let awaited;
let answer;

/**
 * An import that may make the job wait: `fn` returns its answer, or a
 * promise of it; then the wasm stack is unwound into memory, and `runJob`
 * rewinds it once the promise settles, when this returns the answer.
 */
function suspending(fn) {
  return (...args) => {
    if (wasmExports.asyncify_get_state() === REWINDING) {
      wasmExports.asyncify_stop_rewind();
      return answer;
    }
    const value = fn(...args);
    if (!(value instanceof Promise)) return value;
    awaited = value;
    const bounds = new Int32Array(wasmExports.memory.buffer, unwindBuffer, 2);
    bounds[0] = unwindBuffer + 8;
    bounds[1] = unwindBuffer + 8 + UNWIND_ROOM;
    wasmExports.asyncify_start_unwind(unwindBuffer);
    return 0;
  };
}

/** Runs the job `prepare` sets up, with `pipe` as the JavaScript it calls, to its end. */
async function runJob(pipe, prepare) {
  self.ramcheckPipe = {};
  for (const [name, fn] of Object.entries(pipe)) self.ramcheckPipe[name] = name.startsWith("suspending") ? suspending(fn) : fn;
  prepare();
  unwindBuffer = wasmExports.ramcheck_unwind_buffer();
  wasmExports.ramcheck_run_job();
  while (wasmExports.asyncify_get_state() === UNWINDING) {
    wasmExports.asyncify_stop_unwind();
    answer = await awaited;
    wasmExports.asyncify_start_rewind(unwindBuffer);
    wasmExports.ramcheck_run_job();
  }
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
    const report = m.head
      ? runJob(checkerPipe(pageChannel("pipe")), () => wasm_bindgen.prepareCheckFills(m.file.size, m.head, m.name, m.deep))
      : runJob(readsPipe(m.file.size), () =>
          wasm_bindgen.prepareCheck(m.file.size, m.name, m.deep, progressOf(id)),
        );
    return report.then((r) => wasm_bindgen.retargetReport(r, m.target));
  },
  retarget: (m) => {
    parseTarget(m.target);
    return wasm_bindgen.retargetReport(m.report, m.target);
  },
  inflate: (m, id) => {
    const pipe = inflaterPipe(pageChannel("pipe"));
    return runJob(Object.assign(pipe.imports, readsPipe(m.file.size, pipe.flush)), () => wasm_bindgen.prepareInflate(m.file.size, progressOf(id)));
  },
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

/** The wasm instance's own exports (memory, `ramcheck_run_job`, Asyncify's), once instantiated. */
let wasmExports;

self.onmessage = (event) => {
  const m = event.data;
  if (m.via) {
    const channel = channels[m.via];
    if (channel && channel.onmessage) channel.onmessage({ data: m.data });
    return;
  }
  const fail = (e) =>
    self.postMessage({ id: m.id, error: String((e && e.message) || e), crashed: e instanceof WebAssembly.RuntimeError, code: e && e.code });
  try {
    if (!wasmExports) wasmExports = wasm_bindgen.initSync({ module: m.module });
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
