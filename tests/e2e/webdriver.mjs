// A small W3C WebDriver client over fetch, for WebKitGTK's WebKitWebDriver
// (Safari's engine, Debian `webkit2gtk-driver`), run under `xvfb-run`. The
// classic protocol needs a dozen endpoints here: no npm client (selenium,
// webdriverio) would save more code than it brings.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** WebKitWebDriver on a display of its own (`xvfb-run -a`); `close()` ends both. */
export async function startWebKitDriver() {
  const port = await freePort();
  // Its own process group, so that close() ends xvfb-run, Xvfb and the driver together.
  const child = spawn("xvfb-run", ["-a", "-s", "-screen 0 1600x1200x24", "WebKitWebDriver", `--port=${port}`], {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  // The last of what the driver and the browser said, for the error when a session does not start.
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const status = await (await fetch(`${url}/status`)).json();
      if (status.value) break;
    } catch {
      // not listening yet
    }
    if (i > 100 || child.exitCode !== null) throw new Error(`WebKitWebDriver did not start: ${stderr}`);
    await sleep(100);
  }
  const close = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  // Not left behind by a test process that ends early.
  process.on("exit", close);
  return { url, close, said: () => stderr };
}

/** The error a WebDriver command answered with. */
class WebDriverError extends Error {
  constructor(command, value) {
    super(`${command}: ${value.error}: ${value.message}`);
    this.error = value.error;
  }
}

/**
 * How long a new session may take: MiniBrowser starts in 0.3-0.7 s here.
 * Once in CI (2026-12-02) the driver never answered at all, and undici gave
 * up only after its own 300 s.
 */
const NEW_SESSION_MS = 30_000;

/** A new session the driver did not answer in time. */
export class NoSession extends Error {}

/** One WebDriver session (one MiniBrowser): `cmd(method, path, body)` for its commands. */
export class Session {
  static async create(driverUrl) {
    const body = {
      capabilities: {
        alwaysMatch: {
          browserName: "MiniBrowser",
          "webkitgtk:browserOptions": { binary: "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser", args: ["--automation"] },
          unhandledPromptBehavior: "dismiss and notify",
        },
      },
    };
    let response;
    try {
      const signal = AbortSignal.timeout(NEW_SESSION_MS);
      response = await (await fetch(`${driverUrl}/session`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" }, signal })).json();
    } catch (e) {
      if (e.name === "TimeoutError") throw new NoSession(`new session: no answer in ${NEW_SESSION_MS / 1000} s`);
      throw e;
    }
    if (response.value.error) throw new WebDriverError("new session", response.value);
    const session = new Session(driverUrl, response.value.sessionId);
    await session.cmd("POST", "/timeouts", { script: 600_000, pageLoad: 60_000 });
    return session;
  }

  constructor(driverUrl, id) {
    this.base = `${driverUrl}/session/${id}`;
  }

  async cmd(method, path, body) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { "content-type": "application/json" },
    });
    const { value } = await response.json();
    if (value && value.error) throw new WebDriverError(`${method} ${path}`, value);
    return value;
  }

  /**
   * Runs `source` in the page, awaiting a promise it gives: the source of a
   * function called with `arg` (`isFunction`), or of an expression. Resolves
   * with the value as JSON (undefined stays undefined), or rejects with the
   * page's error.
   */
  async evaluate(source, arg, isFunction) {
    const call = isFunction ? `(${source})(arguments[0])` : `(${source})`;
    const script =
      "const done = arguments[arguments.length - 1];" +
      `Promise.resolve().then(() => ${call})` +
      ".then((v) => done({ ok: v === undefined ? null : v, undefined: v === undefined }), (e) => done({ thrown: String(e) + ' ' + String((e && e.stack) || '') }));";
    const result = await this.cmd("POST", "/execute/async", { script, args: [arg === undefined ? null : arg] });
    if (result.thrown !== undefined) throw new Error(`in the page: ${result.thrown}`);
    return result.undefined ? undefined : result.ok;
  }

  close() {
    return this.cmd("DELETE", "").catch(() => {});
  }
}
