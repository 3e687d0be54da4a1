// `npm start`: builds dist/ if a source is newer, then serves it on
// 127.0.0.1 (PORT, default 8080) with the page's Content-Security-Policy.
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

import { build, isStale, ROOT } from "./build.mjs";

// The same policy as the page's meta tag, plus what only a header can say.
export const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src blob:; style-src 'self'; " +
  "img-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".ts": "text/plain; charset=utf-8",
};

/**
 * Answers a GET or HEAD for `path` with the file under `root` (404 outside
 * it or when missing), sent with the Content-Security-Policy `csp`.
 */
export function sendFile(root, path, req, res, csp) {
  const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
  let size;
  try {
    if (!file.startsWith(root + sep)) throw new Error("outside the root");
    size = statSync(file).size;
  } catch {
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
    return;
  }
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] || "application/octet-stream",
    "Content-Length": size,
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
}

/** Serves `root` on 127.0.0.1:`port` (0 picks a free port); resolves with the server and its URL. */
export function serve(root, port) {
  const server = createServer((req, res) => sendFile(root, decodeURIComponent(new URL(req.url, "http://localhost").pathname), req, res, CSP));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${server.address().port}/` }));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (isStale()) build();
  const { url } = await serve(join(ROOT, "dist"), Number(process.env.PORT || 8080));
  console.log(`ramcheck page: ${url}  (Ctrl-C stops it)`);
}
