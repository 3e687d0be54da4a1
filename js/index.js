// ramcheck for browsers: checks a Rainbond application-model offline package
// before the upload, locally, in a Web Worker.
//
// Packaging (see README, "npm package"): the wasm is inlined as base64 and the
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
  },
  zh: {
    aborted: "检查已取消。",
    notBlob: "validatePackage 需要 File 或 Blob。",
    noName: "Blob 没有文件名：请传入 options.name（上传时的文件名，例如 app-1.0-ram.tar.gz）。",
    crashed: (detail) => `检查程序意外停止：${detail}`,
    unreadable: "无法读取它的回复",
    stalled: (seconds) => `检查程序没有响应：${seconds} 秒内没有任何进展。`,
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

/** A failure of the checker rather than of the package: `code` is "crashed" or "stalled". */
function checkerError(code, message) {
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
function runInWorker(request, { language, onProgress, signal, stallTimeout = STALL_TIMEOUT } = {}) {
  const text = messages(language);
  if (signal && signal.aborted) return Promise.reject(new DOMException(text.aborted, "AbortError"));
  return wasmModule().then(
    (module) =>
      new Promise((resolve, reject) => {
        if (signal && signal.aborted) {
          reject(new DOMException(text.aborted, "AbortError"));
          return;
        }
        const worker = spawnWorker();
        let watchdog;
        const settle = (fn, value) => {
          clearTimeout(watchdog);
          worker.terminate();
          if (signal) signal.removeEventListener("abort", onAbort);
          fn(value);
        };
        const onStall = () => settle(reject, checkerError("stalled", text.stalled(Math.round(stallTimeout / 1000))));
        const alive = () => {
          clearTimeout(watchdog);
          if (stallTimeout > 0) watchdog = setTimeout(onStall, stallTimeout);
        };
        const onAbort = () => settle(reject, new DOMException(text.aborted, "AbortError"));
        worker.onmessage = ({ data }) => {
          alive();
          if (data.progress !== undefined) {
            if (onProgress) onProgress(data.progress);
          } else if (data.crashed) {
            settle(reject, checkerError("crashed", text.crashed(data.error)));
          } else if (data.error !== undefined) {
            settle(reject, new Error(data.error));
          } else {
            settle(resolve, data.result);
          }
        };
        // A listener: Chromium does not call an `onmessageerror` property.
        worker.addEventListener("messageerror", () => settle(reject, checkerError("crashed", text.crashed(text.unreadable))));
        worker.onerror = (event) => {
          event.preventDefault();
          settle(reject, checkerError("crashed", text.crashed(event.message || "worker error")));
        };
        if (signal) signal.addEventListener("abort", onAbort, { once: true });
        alive();
        worker.postMessage(Object.assign({ id: 1, module }, request));
      }),
  );
}

/**
 * Checks one package and resolves with its report. Each call runs in its own
 * worker; aborting `signal` terminates it and rejects with an AbortError.
 */
export function validatePackage(file, options = {}) {
  const { deep = false, language = "en", onProgress, signal, stallTimeout } = options;
  const text = messages(language);
  if (typeof Blob === "undefined" || !(file instanceof Blob)) return Promise.reject(new TypeError(text.notBlob));
  const name = options.name || file.name;
  if (!name) return Promise.reject(new TypeError(text.noName));
  const started = performance.now();
  const report = (bytesRead) => {
    if (!onProgress) return;
    const seconds = (performance.now() - started) / 1000;
    onProgress({ bytesRead, total: file.size, mbPerSecond: seconds > 0 ? bytesRead / 1e6 / seconds : 0 });
  };
  return runInWorker({ op: "check", file, name, deep }, { language, signal, stallTimeout, onProgress: report }).then((result) => {
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

/** A report as plain text or Markdown, in `language` ("en" or "zh"). */
export function formatReport(report, style = "text", language = "en") {
  return runInWorker({ op: "format", report, style, language });
}
