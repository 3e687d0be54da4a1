#!/usr/bin/env node
// The inflaters the gzip layer could use — zlib-rs (through flate2),
// miniz_oxide and fdeflate (vendor/fdeflate, the one it uses) — on the same
// deflate stream (the first gzip member of FILE), natively and in wasm in a
// worker of each engine ($RAMCHECK_ENGINES, default all three); inflating
// only, into a reused 1 MiB buffer, reads excluded; medians of N runs, each
// engine's alternating with native ones. The wasm time of an engine is the
// least its check on the page can take.
//   node bench/inflaters.mjs [--runs N] [FILE]
// Default file: the benchmark's main package (bench/run makes it).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { ROOT, wasmOpt } from "../tools/build.mjs";
import { engines, openPage, start } from "../tests/e2e/harness.mjs";
import { benchArgs, benchPackage, giveFile, inWorker, machineLoad, median, pad, warm } from "./common.mjs";

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

/** One native run of every inflater: name -> {seconds, bytes}. */
function nativeRun() {
  const out = execFileSync(join(targetDir, "release", "native"), [file], { encoding: "utf8" });
  return new Map(
    out
      .trim()
      .split("\n")
      .map((line) => line.split("\t"))
      .map(([name, seconds, bytes]) => [name, { seconds: Number(seconds), bytes: Number(bytes) }]),
  );
}

// The VM's speed drifts by 20-30% within minutes, so each engine's runs
// alternate with native ones, and its ratios are to those.
warm(file);
const first = nativeRun();
const names = [...first.keys()];
/** Engine name -> per inflater, its wasm and its native times. */
const timed = new Map();
for (const engine of engines()) {
  const times = names.map(() => ({ wasm: [], native: [] }));
  const env = await start(engine);
  try {
    const { page, context } = await openPage(env);
    await giveFile(page, file);
    for (let i = 0; i < runs; i++) {
      const native = nativeRun();
      for (const [which, name] of names.entries()) {
        times[which].native.push(native.get(name).seconds);
        times[which].wasm.push((await inWorker(page, WORKER, { wasm, which })).seconds);
      }
    }
    await context.close();
  } finally {
    await env.close();
  }
  timed.set(engine.name, times);
}

const out = first.get(names[0]).bytes;
console.log(`${file}: ${(out / 1e6).toFixed(0)} MB inflated; median of ${runs}, native and wasm alternating; ${machineLoad()}`);
const columns = [...timed.keys()];
console.log(`${"inflater".padEnd(20)}${columns.map((e) => pad(`${e}: native s, wasm s (×)`, 34)).join("")}`);
for (const [which, name] of names.entries()) {
  const cells = columns.map((e) => {
    const { wasm, native } = timed.get(e)[which];
    const [w, n] = [median(wasm), median(native)];
    return pad(`${n.toFixed(2)}, ${w.toFixed(2)} (${(w / n).toFixed(2)}×)`, 34);
  });
  console.log(`${name.padEnd(20)}${cells.join("")}`);
}
