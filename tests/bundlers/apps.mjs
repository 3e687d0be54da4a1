// The bundler tests' apps: the packed npm package, installing it into an
// app (its other modules installed once per package-lock.json), building
// the app, and serving it on 127.0.0.1 with the CSP an embedding needs.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { ROOT } from "../../tools/build.mjs";
import { sendFile } from "../../tools/serve.mjs";

export const OUT = join(ROOT, "target", "bundlers");

const npm = (cwd, ...args) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

/** `npm pack` of the repository (pkg/ must be built); returns the tarball's path. */
export function pack() {
  mkdirSync(OUT, { recursive: true });
  const [{ filename }] = JSON.parse(npm(ROOT, "pack", "--json", "--pack-destination", OUT));
  return join(OUT, filename);
}

/**
 * Installs `dir`'s locked modules (`npm ci`, skipped while package-lock.json
 * is the one installed), then `tarball` as ramcheck, as a user installs it.
 */
export function install(dir, tarball) {
  installLocked(dir, ["package-lock.json"], () => npm(dir, "ci"));
  npm(dir, "install", "--no-save", tarball);
}

/**
 * Runs `installer()` unless `dir/node_modules` was installed from the same
 * `lockfiles` (their sha256 is kept beside the modules); true when it ran.
 */
export function installLocked(dir, lockfiles, installer) {
  const stamp = join(dir, "node_modules", ".ramcheck-lock-sha256");
  const hash = createHash("sha256");
  for (const file of lockfiles) hash.update(readFileSync(join(dir, file)));
  const lock = hash.digest("hex");
  let installed;
  try {
    installed = readFileSync(stamp, "utf8");
  } catch {
    installed = "";
  }
  if (installed === lock) return false;
  installer();
  writeFileSync(stamp, lock);
  return true;
}

/** `npm run build` in `dir`; quiet unless it fails. */
export function build(dir) {
  const run = spawnSync("npm", ["run", "--silent", "build"], { cwd: dir, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`npm run build in ${dir} failed:\n${run.stdout}${run.stderr}`);
}

/** Gzipped bytes of the .js files under `dir`, as a server would send them. */
export function gzippedJs(dir) {
  let sum = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".js")) sum += gzipSync(readFileSync(join(entry.parentPath, entry.name))).length;
  }
  return sum;
}

// What an app that embeds ramcheck must allow: compiling the wasm and
// starting a worker from a blob: URL. Styles inline for antd's style-loader.
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src blob:; style-src 'self' 'unsafe-inline'";

/**
 * Serves `root` on 127.0.0.1 and takes uploads at POST /upload: resolves
 * with `{url, uploads, close}`, `uploads` the multipart file names received.
 */
export function serveApp(root) {
  const uploads = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    // Chromium asks for one; a 404 would be a console error.
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (req.method === "POST" && path === "/upload") {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("latin1");
        uploads.push({ name: /filename="([^"]*)"/.exec(body)?.[1], bytes: body.length });
        res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
      });
      return;
    }
    sendFile(root, path, req, res, CSP);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}/`, uploads, close: () => server.close() }),
    );
  });
}
