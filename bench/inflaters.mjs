#!/usr/bin/env node
// The inflaters the gzip layer could use — zlib-rs (through flate2),
// miniz_oxide and fdeflate (vendor/fdeflate, the one it uses) — on the same
// deflate stream (the first gzip member of FILE), natively and in wasm in a
// worker of each engine ($RAMCHECK_ENGINES, default all three); inflating
// only, into a reused 1 MiB buffer, reads excluded; medians of N runs. The
// wasm column of an engine is the least its check on the page can take.
//   node bench/inflaters.mjs [--runs N] [FILE]
// Default file: the benchmark's main package (bench/run makes it).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { ROOT, wasmOpt } from "../tools/build.mjs";
import { engines, openPage, start } from "../tests/e2e/harness.mjs";
import { benchArgs, benchPackage, giveFile, inWorker, loadAverage, median, pad } from "./common.mjs";

const { runs, files } = benchArgs();
const file = files[0] || benchPackage("main");

const manifest = join(ROOT, "bench", "inflaters", "Cargo.toml");
const targetDir = join(ROOT, "target", "inflaters");
const cargo = (...extra) =>
  execFileSync("cargo", ["build", "--release", "--quiet", "--manifest-path", manifest, ...extra], {
    stdio: "inherit",
    env: { ...process.env, CARGO_TARGET_DIR: targetDir },
  });
cargo("--bin", "native");
cargo("--lib", "--target", "wasm32-unknown-unknown");
// binaryen's -O2 as the product's build runs it (tools/build.mjs): it takes
// 9-13% off fdeflate in Firefox and Chromium, so without it this table
// would not be the page's inflater.
const optimized = join(targetDir, "inflaters.wasm");
wasmOpt(["-O2", join(targetDir, "wasm32-unknown-unknown", "release", "inflaters.wasm"), "-o", optimized]);
const wasm = readFileSync(optimized).toString("base64");

/** Runs in a worker: inflater `which` over the file, fed in 1 MiB pieces read 16 MiB at a time. */
const WORKER = `
self.onmessage = async ({ data }) => {
  const bytes = Uint8Array.from(atob(data.wasm), (c) => c.charCodeAt(0));
  const { exports: e } = (await WebAssembly.instantiate(bytes, {})).instance;
  const PIECE = 1 << 20, READ = 16 * PIECE, reader = new FileReaderSync();
  const ptr = e.buffer(PIECE);
  e.start(data.which);
  let seconds = 0, inflated = 0;
  for (let at = 0; at < data.file.size; at += READ) {
    const read = new Uint8Array(reader.readAsArrayBuffer(data.file.slice(at, at + READ)));
    const started = performance.now();
    for (let from = 0; from < read.length; from += PIECE) {
      let piece = read.subarray(from, from + PIECE);
      new Uint8Array(e.memory.buffer, ptr, piece.length).set(piece);
      const skip = at + from === 0 ? e.header_len(ptr, piece.length) : 0;
      inflated = e.feed(ptr + skip, piece.length - skip);
    }
    seconds += (performance.now() - started) / 1000;
  }
  self.postMessage({ seconds, inflated });
};`;

const native = new Map();
for (let i = 0; i < runs; i++) {
  const out = execFileSync(join(targetDir, "release", "native"), [file], { encoding: "utf8" });
  for (const line of out.trim().split("\n")) {
    const [name, seconds, bytes] = line.split("\t");
    native.set(name, { times: [...(native.get(name)?.times || []), Number(seconds)], bytes: Number(bytes) });
  }
}
const names = [...native.keys()];
/** Engine name -> per inflater, its wasm times. */
const inWasm = new Map();
for (const engine of engines()) {
  const times = names.map(() => []);
  const env = await start(engine);
  try {
    const { page, context } = await openPage(env);
    await giveFile(page, file);
    for (let i = 0; i < runs; i++) {
      for (const [which] of names.entries()) times[which].push((await inWorker(page, WORKER, { wasm, which })).seconds);
    }
    await context.close();
  } finally {
    await env.close();
  }
  inWasm.set(engine.name, times);
}

const out = native.get(names[0]).bytes;
console.log(`${file}: ${(out / 1e6).toFixed(0)} MB inflated; median of ${runs}; load ${loadAverage()}`);
const columns = [...inWasm.keys()];
console.log(`${"inflater".padEnd(20)}${pad("native s", 10)}${pad("MB/s", 7)}${columns.map((e) => pad(`${e} s (× native)`, 24)).join("")}`);
for (const [which, name] of names.entries()) {
  const n = median(native.get(name).times);
  const cells = columns.map((e) => {
    const w = median(inWasm.get(e)[which]);
    return pad(`${w.toFixed(2)} (${(w / n).toFixed(2)}×)`, 24);
  });
  console.log(`${name.padEnd(20)}${pad(n.toFixed(2), 10)}${pad((out / 1e6 / n).toFixed(0), 7)}${cells.join("")}`);
}
