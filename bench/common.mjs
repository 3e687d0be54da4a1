// What the browser benchmarks share: their arguments, the packages,
// the native CLI's time, medians and table cells, and a file given to a
// page for its workers.
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";

import { ROOT } from "../tools/build.mjs";

/** `[--runs N] FILE...` (3 runs by default). */
export function benchArgs(argv = process.argv.slice(2)) {
  const args = [...argv];
  const at = args.indexOf("--runs");
  const runs = at >= 0 ? Number(args.splice(at, 2)[1]) : 3;
  return { runs, files: args };
}

/** The package of `bench/out/NAME` (bench/run makes them), if it is there. */
export function benchPackage(name) {
  const dir = join(ROOT, "bench", "out", name);
  const file = existsSync(dir) && readdirSync(dir).find((f) => f.endsWith(".tar.gz"));
  return file ? join(dir, file) : undefined;
}

/**
 * Reads `file` once, so that no timed run reads it from disk. This
 * machine's kernel pages out file pages it sees idle for a minute (DAMON):
 * a native check of the main package run cold took 9.4 s, 4.2 s of it CPU.
 */
export function warm(file) {
  const buffer = Buffer.alloc(8 << 20);
  const fd = openSync(file, "r");
  try {
    while (readSync(fd, buffer) > 0);
  } finally {
    closeSync(fd);
  }
}

export const seconds = (since) => Number(process.hrtime.bigint() - since) / 1e9;

/** Wall time of the native CLI's check of `file` (`cargo build --release` first). */
export function nativeSeconds(file) {
  const started = process.hrtime.bigint();
  try {
    execFileSync(join(ROOT, "target", "release", "ramcheck"), ["--format", "json", file], { stdio: "ignore" });
  } catch {
    // exit status 1: a package with errors is still a complete check
  }
  return seconds(started);
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const pad = (s, n) => String(s).padStart(n);
/** CPU seconds the hypervisor has taken from this VM's cores (steal, /proc/stat in USER_HZ). */
const stolen = () => Number(readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/)[8]) / 100;
const stolenAtStart = stolen();
/**
 * The machine's load for a table's caption: the load average, and the CPU
 * the hypervisor took while the benchmark ran (which would slow the page's two
 * workers more than the CLI's one thread).
 */
export const machineLoad = () => `load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]}, ${(stolen() - stolenAtStart).toFixed(1)} s stolen`;

/**
 * Gives `file` to `page` through an input of the benchmark's own (the
 * page's would start a check); `fileOf()` in page code finds it again.
 */
export async function giveFile(page, file) {
  await page.evaluate(() => {
    document.getElementById("bench-file")?.remove();
    document.body.append(Object.assign(document.createElement("input"), { type: "file", id: "bench-file" }));
  });
  await page.setInputFiles("#bench-file", file);
}

/** Runs `source` in a new worker of `page` with `message` and the given file; resolves with its one answer. */
export function inWorker(page, source, message) {
  return page.evaluate(
    ({ source, message }) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
        worker.onmessage = ({ data }) => (worker.terminate(), data.error ? reject(new Error(data.error)) : resolve(data));
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage({ ...message, file: document.getElementById("bench-file").files[0] });
      }),
    { source, message },
  );
}
