// ramcheck for browsers: checks a Rainbond application-model offline package
// before the upload, locally, in a Web Worker.
//
// Packaging (see js/README.md, "How it is packaged"): the wasm is inlined as base64 and the
// worker is a string turned into a Blob URL, so this module loads as-is in
// webpack 4 and 5, Vite and a plain <script type=module>: no import.meta, no
// .wasm import, no loader config. Keep this file ES2018 (webpack 4 parses it).
import WORKER_SOURCE from "./worker-source.js";
import WASM_BASE64 from "./wasm-base64.js";

const MESSAGES = {
  en: {
    aborted: "The check was cancelled.",
    notBlob: "validatePackage needs a File or Blob.",
    noName: "A Blob has no file name: pass options.name (the upload's name, e.g. app-1.0-ram.tar.gz).",
    crashed: (detail) => `The checker stopped unexpectedly: ${detail}`,
    unreadable: "its answer could not be read",
    stalled: (seconds) => `The checker stopped responding: no word from it for ${seconds} s.`,
    notWritable: "repairPackage needs a WritableStream (a FileSystemWritableFileStream from showSaveFilePicker).",
    unsupported: "This browser cannot write the repaired package (it needs the origin private file system with synchronous access handles): use `ramcheck fix` on the command line.",
    refused: "The package cannot be read to its end, so it cannot be repaired.",
  },
  zh: {
    aborted: "检查已取消。",
    notBlob: "validatePackage 需要 File 或 Blob。",
    noName: "Blob 没有文件名：请传入 options.name（上传时的文件名，例如 app-1.0-ram.tar.gz）。",
    crashed: (detail) => `检查程序意外停止：${detail}`,
    unreadable: "无法读取它的回复",
    stalled: (seconds) => `检查程序没有响应：${seconds} 秒内没有任何进展。`,
    notWritable: "repairPackage 需要 WritableStream（showSaveFilePicker 得到的 FileSystemWritableFileStream）。",
    unsupported: "此浏览器无法写出修复后的包（需要源私有文件系统的同步访问句柄）：请在命令行使用 `ramcheck fix`。",
    refused: "无法读完这个包，因此无法修复。",
  },
};

function messages(language) {
  return String(language || "").toLowerCase().startsWith("zh") ? MESSAGES.zh : MESSAGES.en;
}

let compiled;

/** The wasm, compiled once per page and shared by every worker. */
function wasmModule() {
  if (!compiled) {
    const text = atob(WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    compiled = WebAssembly.compile(bytes);
    compiled.catch(() => {
      compiled = undefined;
    });
  }
  return compiled;
}

/**
 * An Error with a `code`: a failure of the checker rather than of the package
 * ("crashed", "stalled"), or of a repair request ("unsupported", "refused").
 */
function codedError(code, message) {
  const error = new Error(message);
  error.code = code;
  return error;
}

/**
 * Without word from a worker for this long (ms), it is taken for dead. A
 * check reports progress every 4 MiB it reads; the slowest step, inflating
 * and hashing gigabytes of zeros that compress 1000:1, takes seconds.
 */
const STALL_TIMEOUT = 60000;

let workerUrl;

function spawnWorker() {
  if (!workerUrl) workerUrl = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  return new Worker(workerUrl);
}

/**
 * Sends one request to a new worker and settles with its answer; the worker
 * ends with the request. `onProgress(bytesRead)` sees progress messages. A
 * worker that fails (an uncaught error, a wasm trap, an answer that cannot be
 * read) or that says nothing for `stallTimeout` ms, as a worker that closed
 * itself or hangs, rejects with a checker error.
 */
function runInWorker(request, options) {
  return runInWorkers([request], options);
}

/**
 * [`runInWorker`] for requests that work together, one worker each (the
 * pipeline of a check): settles with the last request's answer, or with the
 * first failure of any; word from any of them counts against a stall.
 *
 * The page carries the bytes of a check (`via` messages, see `pageChannel`
 * in worker.js): it answers a worker's reads of the request's `file`
 * (`serveRead`), and hands each batch of fills of the pipeline from one of
 * its two workers to the other. Every worker can then keep computing while
 * its next bytes come: a worker reading a File itself takes them in only
 * while it waits (0.5-0.9 s of waiting per check in Chromium and WebKit
 * against 0.2 s), and a MessageChannel between two workers costs Firefox a
 * copy through another process for every message (a check on two workers took
 * 13.9 s against 6 s).
 */
function runInWorkers(requests, { language, onProgress, signal, stallTimeout = STALL_TIMEOUT } = {}) {
  const text = messages(language);
  if (signal && signal.aborted) return Promise.reject(new DOMException(text.aborted, "AbortError"));
  return wasmModule().then(
    (module) =>
      new Promise((resolve, reject) => {
        if (signal && signal.aborted) {
          reject(new DOMException(text.aborted, "AbortError"));
          return;
        }
        const workers = requests.map(() => spawnWorker());
        // The time of the last word from a worker, and a timer that looks at
        // it: a check brings thousands of messages, and re-arming a timer
        // for each would load the page's thread, which carries them.
        let lastWord = performance.now();
        let watchdog;
        const settle = (fn, value) => {
          clearTimeout(watchdog);
          for (const worker of workers) worker.terminate();
          if (signal) signal.removeEventListener("abort", onAbort);
          fn(value);
        };
        const watch = () => {
          const quiet = performance.now() - lastWord;
          if (quiet < stallTimeout) watchdog = setTimeout(watch, stallTimeout - quiet);
          else settle(reject, codedError("stalled", text.stalled(Math.round(stallTimeout / 1000))));
        };
        const onAbort = () => settle(reject, new DOMException(text.aborted, "AbortError"));
        workers.forEach((worker, i) => {
          const answers = i === workers.length - 1;
          worker.onmessage = ({ data }) => {
            lastWord = performance.now();
            if (data.via === "reads") {
              serveRead(requests[i].file, data.data, (answer, transfer) => worker.postMessage({ via: "reads", data: answer }, transfer));
            } else if (data.via === "pipe") {
              // Fills ([{buffer, fill}]) one way, their buffers back the other.
              workers[1 - i].postMessage(data, data.data.map((f) => f.buffer || f));
            } else if (data.progress !== undefined) {
              if (onProgress) onProgress(data.progress);
            } else if (data.crashed) {
              settle(reject, codedError("crashed", text.crashed(data.error)));
            } else if (data.error !== undefined) {
              const error = data.code === "target" ? new TypeError(data.error) : new Error(data.error);
              if (data.code) error.code = data.code;
              settle(reject, error);
            } else if (answers) {
              settle(resolve, data.result);
            }
          };
          // A listener: Chromium does not call an `onmessageerror` property.
          worker.addEventListener("messageerror", () => settle(reject, codedError("crashed", text.crashed(text.unreadable))));
          worker.onerror = (event) => {
            event.preventDefault();
            settle(reject, codedError("crashed", text.crashed(event.message || "worker error")));
          };
        });
        if (signal) signal.addEventListener("abort", onAbort, { once: true });
        if (stallTimeout > 0) watchdog = setTimeout(watch, stallTimeout);
        requests.forEach((request, i) => workers[i].postMessage(Object.assign({ id: 1, module }, request)));
      }),
  );
}

/** Bytes of a package's head the checker of the two-worker pipeline gets: one tar block. */
const HEAD = 512;

/**
 * The head of `file` when it is checked on two workers, else null: a gzip
 * package, unless `parallel` is false. The checker of the pipeline reads
 * nothing else of the file itself.
 */
function pipelineHead(file, parallel) {
  if (parallel === false) return Promise.resolve(null);
  return file
    .slice(0, HEAD)
    .arrayBuffer()
    .then((head) => {
      const bytes = new Uint8Array(head);
      return bytes[0] === 0x1f && bytes[1] === 0x8b ? bytes : null;
    }, () => null); // unreadable: the one-worker check reports why
}

/**
 * Answers a worker's read of `file`: `{id, offset, len}` in, `answer({id,
 * bytes}, [bytes])` (an ArrayBuffer, to transfer) or `answer({id, error})`.
 * The page reads for its workers also where they may not read a File
 * themselves (WebKit, on a page opened from a file).
 */
function serveRead(file, { id, offset, len }, answer) {
  file
    .slice(offset, offset + len)
    .arrayBuffer()
    .then(
      (bytes) => answer({ id, bytes }, [bytes]),
      (e) => answer({ id, error: String((e && e.message) || e) }),
    );
}

/**
 * Checks one package and resolves with its report. Each call runs in its own
 * worker (a gzip package in two, unless `parallel` is false);
 * aborting `signal` terminates them and rejects with an AbortError.
 */
export function validatePackage(file, options = {}) {
  const { deep = false, language = "en", onProgress, signal, stallTimeout, parallel, target = "all" } = options;
  const bad = checkArguments(file, options, messages(language));
  if (bad) return Promise.reject(bad);
  const name = options.name || file.name;
  const started = performance.now();
  const report = (bytesRead) => {
    if (!onProgress) return;
    const seconds = (performance.now() - started) / 1000;
    onProgress({ bytesRead, total: file.size, mbPerSecond: seconds > 0 ? bytesRead / 1e6 / seconds : 0 });
  };
  const check = { op: "check", file, name, deep, target };
  return pipelineHead(file, parallel)
    .then((head) => runInWorkers(head ? [{ op: "inflate", file }, Object.assign(check, { head })] : [check], { language, signal, stallTimeout, onProgress: report }))
    .then((result) => {
      report(result.stats.bytes_read);
      return result;
    });
}

/** Every rule of the catalog, with its texts in English and Chinese. */
export function listRules() {
  return runInWorker({ op: "rules" });
}

/** A rule's long explanation (as `ramcheck --explain` prints it), or null. */
export function explainRule(code, language = "en") {
  return runInWorker({ op: "explain", code: String(code), language }).then((text) => (text === undefined ? null : text));
}

/**
 * The report for another target (a string such as "6.9/containerd" or
 * `{rainbond, runtime, arch}`): severities and verdict change, the file is
 * not read again. Rejects with a TypeError for a target that names no line.
 */
export function retargetReport(report, target) {
  return runInWorker({ op: "retarget", report, target });
}

/** A report as plain text or Markdown, in `language` ("en" or "zh"). */
export function formatReport(report, style = "text", language = "en") {
  return runInWorker({ op: "format", report, style, language });
}

function checkArguments(file, options, text) {
  if (typeof Blob === "undefined" || !(file instanceof Blob)) return new TypeError(text.notBlob);
  if (!(options.name || file.name)) return new TypeError(text.noName);
  return null;
}

/**
 * Pass 1 of a repair: checks the package and says what a repair would do.
 * Resolves with `{report, plan}`; `plan.repairs` lists the repairs (each
 * with its rule code), `plan.unrepaired` the errors no repair answers and
 * why, `plan.output_name` the name proposed for the corrected package (or
 * `options.outputName`).
 */
export function planRepair(file, options = {}) {
  const { language = "en", onProgress, signal, stallTimeout, outputName, target = "all" } = options;
  const text = messages(language);
  const bad = checkArguments(file, options, text);
  if (bad) return Promise.reject(bad);
  const name = options.name || file.name;
  const report = (bytesRead) => onProgress && onProgress({ phase: "check", bytesRead, total: file.size, bytesWritten: 0 });
  return runInWorker({ op: "plan", file, name, outputName: outputName || undefined, target }, { language, signal, stallTimeout, onProgress: report }).then((result) => {
    report(result.report.stats.bytes_read);
    return result;
  });
}

/**
 * Whether this browser can run `repairPackage`: the origin private file
 * system with synchronous access handles in a dedicated worker.
 */
export function repairSupported() {
  if (typeof navigator === "undefined" || !navigator.storage || typeof navigator.storage.getDirectory !== "function") return Promise.resolve(false);
  return runInWorker({ op: "supported" }).catch(() => false);
}

let temporary = 0;

async function removeTemporary(root, name) {
  // The worker's access handle is released when it ends; until then the
  // removal may fail with NoModificationAllowedError, so try a few times.
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await root.removeEntry(name);
      return;
    } catch (e) {
      if (e && e.name === "NotFoundError") return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Repairs one package into a file of the origin private file system: checks
 * and plans it (pass 1), streams the corrected package into a new OPFS file
 * (pass 2, in a worker, memory bounded) and checks that file again. Resolves
 * with `{output, remove, repairs, notRepairable, report, plan}`: `output` is
 * the OPFS `File` (read from disk, not held in memory; save it with a
 * download of `URL.createObjectURL(output)`), and `remove()` deletes it, which
 * the caller must do once it is saved. On failure or abort nothing is left.
 */
export async function repairToFile(file, options = {}) {
  const { language = "en", onProgress, signal, stallTimeout } = options;
  const text = messages(language);
  const bad = checkArguments(file, options, text);
  if (bad) throw bad;
  if (!(await repairSupported())) throw codedError("unsupported", text.unsupported);
  const progress = (phase, bytesRead, total, bytesWritten) => onProgress && onProgress({ phase, bytesRead, total, bytesWritten });
  const { plan } = await planRepair(file, { ...options, onProgress: (p) => progress("check", p.bytesRead, file.size, 0) });
  if (plan.mode.kind === "refused") throw codedError("refused", text.refused);
  const root = await navigator.storage.getDirectory();
  const tmp = `ramcheck-repair-${Date.now()}-${temporary++}-${Math.random().toString(36).slice(2)}.tar.gz`;
  try {
    const written = await runInWorker(
      { op: "repair", file, plan, tmp },
      {
        language,
        signal,
        stallTimeout,
        onProgress: (p) => progress("write", p.read, file.size, p.written),
      },
    );
    const output = await (await root.getFileHandle(tmp)).getFile();
    const report = await validatePackage(output, {
      name: plan.output_name,
      language,
      signal,
      stallTimeout,
      onProgress: (p) => progress("recheck", p.bytesRead, output.size, written.written),
    });
    return { output, remove: () => removeTemporary(root, tmp), written: written.written, repairs: written.repairs, notRepairable: plan.unrepaired, report, plan };
  } catch (e) {
    await removeTemporary(root, tmp);
    throw e;
  }
}

/**
 * Repairs one package as `repairToFile` does, then copies the corrected
 * package into `writable` (a FileSystemWritableFileStream from
 * `showSaveFilePicker`, or any WritableStream, closed at the end) and removes
 * the temporary file. Resolves with `{repairs, notRepairable, report, plan}`,
 * `report` being the check of the corrected package. Aborting `signal` ends
 * the work, aborts `writable` and removes the temporary file.
 */
export async function repairPackage(file, writable, options = {}) {
  const { language = "en", onProgress, signal } = options;
  const text = messages(language);
  const bad = checkArguments(file, options, text);
  if (bad) throw bad;
  if (!writable || typeof writable.getWriter !== "function") throw new TypeError(text.notWritable);
  let repaired;
  try {
    repaired = await repairToFile(file, options);
    const { output, written } = repaired;
    const progress = (bytesRead) => onProgress && onProgress({ phase: "save", bytesRead, total: output.size, bytesWritten: written });
    progress(0);
    const piped = output.stream().pipeTo(writable, signal ? { signal } : {});
    if (signal) {
      // An abort waits for the write in flight; a destination that never
      // finishes one must not hold the cancel.
      piped.catch(() => {});
      await Promise.race([
        piped,
        new Promise((_, reject) => {
          const abort = () => reject(new DOMException(text.aborted, "AbortError"));
          if (signal.aborted) abort();
          else signal.addEventListener("abort", abort, { once: true });
        }),
      ]);
    } else {
      await piped;
    }
    progress(output.size);
    const { repairs, notRepairable, report, plan } = repaired;
    return { repairs, notRepairable, report, plan };
  } catch (e) {
    if (!writable.locked) await writable.abort(e).catch(() => {});
    if (signal && signal.aborted && !(e && e.name === "AbortError")) throw new DOMException(text.aborted, "AbortError");
    throw e;
  } finally {
    if (repaired) await repaired.remove();
  }
}
