#!/usr/bin/env node
// Ways for a browser worker to read (and inflate) a package, timed in
// Chromium on one file, next to the check itself and the native CLI:
//   FileReaderSync on slices of 1, 8 and 16 MiB (what the one-worker check
//   does, with 8 MiB), File.stream() with its own chunks and into a reused
//   1 MiB buffer (BYOB, what the two-worker check's inflater does), the
//   browser's DecompressionStream('gzip') alone and with each chunk copied
//   into a 1 MiB buffer (as it would be into wasm memory for the tar walk).
//   node bench/strategies.mjs [--runs N] [FILE]
// Default file: the benchmark's main package (bench/run makes it). Needs
// `npm run build` and `cargo build --release` first.
import { statSync } from "node:fs";

import { openPage, start } from "../tests/e2e/harness.mjs";
import { benchArgs, benchPackage, giveFile, inWorker, machineLoad, median, nativeSeconds, pad, warm } from "./common.mjs";

const { runs, files } = benchArgs();
const file = files[0] || benchPackage("main");
warm(file);

/** Runs in a worker of the page: one strategy over `file`, returning the bytes it saw. */
const WORKER = `
const MiB = 1 << 20;
const strategies = {
  async fileReaderSync(file, mib) {
    const reader = new FileReaderSync();
    let n = 0;
    for (let at = 0; at < file.size; at += mib * MiB) n += reader.readAsArrayBuffer(file.slice(at, at + mib * MiB)).byteLength;
    return n;
  },
  async stream(file) {
    const reader = file.stream().getReader();
    let n = 0;
    for (let r; !(r = await reader.read()).done; ) n += r.value.length;
    return n;
  },
  async streamByob(file) {
    const reader = file.stream().getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(MiB);
    let n = 0;
    for (let r; !(r = await reader.read(new Uint8Array(buffer))).done; buffer = r.value.buffer) n += r.value.length;
    return n;
  },
  async decompressionStream(file, copy) {
    const reader = file.stream().pipeThrough(new DecompressionStream("gzip")).getReader();
    const into = new Uint8Array(MiB);
    let n = 0;
    for (let r; !(r = await reader.read()).done; ) {
      n += r.value.length;
      if (copy) for (let at = 0; at < r.value.length; at += MiB) into.set(r.value.subarray(at, at + MiB));
    }
    return n;
  },
};
self.onmessage = async ({ data }) => {
  try {
    const t = performance.now();
    const bytes = await strategies[data.strategy](data.file, data.arg);
    self.postMessage({ seconds: (performance.now() - t) / 1000, bytes });
  } catch (e) {
    self.postMessage({ error: String(e) });
  }
};`;

const CASES = [
  ["FileReaderSync, 1 MiB slices", "fileReaderSync", 1],
  ["FileReaderSync, 8 MiB slices", "fileReaderSync", 8],
  ["FileReaderSync, 16 MiB slices", "fileReaderSync", 16],
  ["File.stream(), its chunks", "stream"],
  ["File.stream(), BYOB into 1 MiB", "streamByob"],
  ["DecompressionStream (inflate only)", "decompressionStream", false],
  ["DecompressionStream + copy to 1 MiB", "decompressionStream", true],
];

const env = await start();
const rows = [];
try {
  const { page, context } = await openPage(env);
  await giveFile(page, file);
  const check = (parallel) =>
    page.evaluate(async (parallel) => {
      const { validatePackage } = await import("./ramcheck/index.js");
      const t = performance.now();
      const report = await validatePackage(document.getElementById("bench-file").files[0], { parallel });
      return { seconds: (performance.now() - t) / 1000, bytes: report.summary.uncompressed_bytes };
    }, parallel);
  const all = [
    ...CASES.map(([label, strategy, arg]) => [label, () => inWorker(page, WORKER, { strategy, arg })]),
    ["ramcheck check, 1 worker", () => check(false)],
    ["ramcheck check, 2 workers", () => check(true)],
    [
      "native ramcheck (CLI)",
      () => ({ seconds: nativeSeconds(file), bytes: 0 }),
    ],
  ];
  for (const [label, run] of all) {
    const times = [];
    let bytes;
    for (let i = 0; i < runs; i++) ({ seconds: times[i], bytes } = await run());
    rows.push({ label, seconds: median(times), bytes });
  }
  await context.close();
} finally {
  await env.close();
}

const size = statSync(file).size;
const native = rows.at(-1).seconds;
console.log(`${file}: ${(size / 1e6).toFixed(0)} MB; median of ${runs}; ${machineLoad()}`);
console.log(`${"strategy".padEnd(38)}${pad("s", 7)}${pad("MB/s in", 9)}${pad("MB out", 8)}${pad("vs native check", 17)}`);
for (const r of rows) {
  const out = r.bytes ? (r.bytes / 1e6).toFixed(0) : "";
  console.log(
    `${r.label.padEnd(38)}${pad(r.seconds.toFixed(2), 7)}${pad((size / 1e6 / r.seconds).toFixed(0), 9)}${pad(out, 8)}${pad((r.seconds / native).toFixed(2) + "x", 17)}`,
  );
}
