#!/usr/bin/env node
// The inflaters the gzip layer could use — zlib-rs (through flate2),
// miniz_oxide and fdeflate (vendor/fdeflate, the one it uses) — on the same
// deflate stream (the first gzip member of FILE), natively and in wasm in a
// Chromium worker; inflating only, into a reused 1 MiB buffer, reads
// excluded; medians of N runs.
//   node bench/inflaters.mjs [--runs N] [FILE]
// Default file: the benchmark's main package (bench/run makes it).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { ROOT } from "../tools/build.mjs";
import { openPage, start } from "../tests/e2e/harness.mjs";
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
const wasm = readFileSync(join(targetDir, "wasm32-unknown-unknown", "release", "inflaters.wasm")).toString("base64");

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
const inWasm = names.map(() => []);
const env = await start();
try {
  const { page, context } = await openPage(env);
  await giveFile(page, file);
  for (let i = 0; i < runs; i++) {
    for (const [which] of names.entries()) inWasm[which].push((await inWorker(page, WORKER, { wasm, which })).seconds);
  }
  await context.close();
} finally {
  await env.close();
}

const out = native.get(names[0]).bytes;
console.log(`${file}: ${(out / 1e6).toFixed(0)} MB inflated; median of ${runs}; load ${loadAverage()}`);
console.log(`${"inflater".padEnd(20)}${pad("native s", 10)}${pad("MB/s", 7)}${pad("wasm s", 9)}${pad("MB/s", 7)}${pad("wasm/native", 13)}`);
for (const [which, name] of names.entries()) {
  const n = median(native.get(name).times);
  const w = median(inWasm[which]);
  console.log(
    `${name.padEnd(20)}${pad(n.toFixed(2), 10)}${pad((out / 1e6 / n).toFixed(0), 7)}${pad(w.toFixed(2), 9)}${pad((out / 1e6 / w).toFixed(0), 7)}${pad((w / n).toFixed(2) + "x", 13)}`,
  );
}
