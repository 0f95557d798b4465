// Shared set-up for the browser tests: the real mesh-portal binary on a free loopback port with a
// fresh SQLite database, and Debian's Chromium driven by playwright-core. Pages may only reach the
// server under test: every other request is blocked (the pages ask for none).
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..", "..");
export const binary = process.env.MESH_PORTAL_BIN ?? join(root, "target", "release", "mesh-portal");
export const screenshots = join(root, "target", "screenshots");

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/**
 * A real SMTP server process (`aiosmtpd` from the test venv that `make test-tools` installs) on a
 * free loopback port (or `port`), keeping what it receives in a Maildir: { url, messages(),
 * waitFor(), stop() }.
 */
export async function startSmtp({ port: chosen } = {}) {
  const python = process.env.MESH_PORTAL_TEST_PYTHON ?? join(root, "target", "test-venv", "bin", "python");
  const port = chosen ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "mesh-portal-smtp-"));
  const maildir = join(dir, "maildir");
  const child = spawn(python, ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir], {
    stdio: "ignore",
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const listening = await new Promise((ok) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        ok(true);
      });
      socket.on("error", () => ok(false));
    });
    if (listening) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`aiosmtpd did not listen on ${port}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** Every message received so far, decoded to text (quoted-printable and base64 undone). */
    messages() {
      const inbox = join(maildir, "new");
      if (!existsSync(inbox)) return [];
      return readdirSync(inbox).map((f) => decodeMessage(readFileSync(join(inbox, f), "utf8")));
    },
    /** Waits (20 s, or `timeout` ms, at most) for a message that `matches`, and returns it. */
    async waitFor(matches, timeout = 20_000) {
      const until = Date.now() + timeout;
      for (;;) {
        const found = this.messages().find(matches);
        if (found) return found;
        if (Date.now() > until) throw new Error("the expected email did not arrive");
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop() {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A raw email with its parts' transfer encodings undone, so a test can read what it says. */
function decodeMessage(raw) {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  return parts
    .map((part) => {
      const split = part.search(/\r?\n\r?\n/);
      if (split < 0) return part;
      const headers = part.slice(0, split);
      const body = part.slice(split).trim();
      if (/Content-Transfer-Encoding:\s*base64/i.test(headers)) {
        return `${headers}\n\n${Buffer.from(body.replace(/\s/g, ""), "base64").toString("utf8")}`;
      }
      if (/Content-Transfer-Encoding:\s*quoted-printable/i.test(headers)) {
        const text = body
          .replace(/=\r?\n/g, "")
          .replace(/(=[0-9A-F]{2})+/g, (run) => Buffer.from(run.replace(/=/g, ""), "hex").toString("utf8"));
        return `${headers}\n\n${text}`;
      }
      return part;
    })
    .join("\n");
}

/** Runs the binary to completion with extra environment; resolves to { code, stdout, stderr }. */
export function runBinary(args, env = {}) {
  return new Promise((ok) => {
    const child = spawn(binary, args, { env: { ...process.env, ...env }, cwd: tmpdir() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

/**
 * Starts the server; resolves to { url, logs(), crash(), stop() } once /health answers. `env`
 * adds variables; with `MESH_PORTAL_LOG` among them, the log is kept for `logs()` instead of
 * shown. `dataDir` starts it on the data (database, key, mail) of an earlier one; `port` takes a
 * port chosen beforehand (for an identity provider that must know the address first).
 */
export async function startServer(env = {}, { dataDir = mkdtempSync(join(tmpdir(), "mesh-portal-e2e-")), port: chosen } = {}) {
  const port = chosen ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  // Run from another folder, so the binary must find its site assets on its own.
  const serverEnv = {
    MESH_PORTAL_LISTEN_ADDR: `127.0.0.1:${port}`,
    MESH_PORTAL_DATA_DIR: join(dataDir, "data"),
    MESH_PORTAL_SEED_DIR: join(root, "seed-data"),
    MESH_PORTAL_LOG: "warn",
    ...env,
  };
  const keepLog = "MESH_PORTAL_LOG" in env;
  const child = spawn(binary, ["serve"], {
    cwd: dataDir,
    env: { ...process.env, ...serverEnv },
    stdio: ["ignore", keepLog ? "pipe" : "inherit", keepLog ? "pipe" : "inherit"],
  });
  let log = "";
  if (keepLog) {
    child.stdout.on("data", (d) => (log += d));
    child.stderr.on("data", (d) => (log += d));
  }
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`mesh-portal did not become healthy at ${url}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    /** What the server has logged so far (when started with its own `MESH_PORTAL_LOG`). */
    logs() {
      return log;
    },
    /** The emails the server has written as .eml files so far. */
    emails() {
      const dir = join(dataDir, "data", "mail");
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith(".eml"))
        .map((f) => readFileSync(join(dir, f), "utf8"));
    },
    /** Runs a command of the binary against this server's database. */
    command(args) {
      return runBinary(args, serverEnv);
    },
    dataDir,
    /** Kills the process outright (SIGKILL), as a crash would, and keeps its data. */
    async crash() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with its calls home switched off. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Pages opened with JavaScript switched off, and the server each may reach. */
const staticPages = new WeakMap();
/** The uncaught script errors of each page opened by `newPage`. */
const scriptErrors = new WeakMap();

/** A new page that can only reach `serverUrl`. */
export async function newPage(browser, serverUrl, options = {}) {
  const context = await browser.newContext(options);
  await context.route("**/*", (route) =>
    route.request().url().startsWith(serverUrl) ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  scriptErrors.set(page, errors);
  if (options.javaScriptEnabled === false) staticPages.set(page, { browser, serverUrl });
  return page;
}

/** Waits until the Leptos bundle has taken over the page. */
export async function waitForHydration(page) {
  await page.waitForSelector("body[data-hydrated]", { timeout: 30_000 });
}

/**
 * The serious and critical accessibility violations axe-core finds on the page. axe-core needs
 * script timers, which never fire in a page with JavaScript switched off; such a page is checked
 * as a copy: its HTML, served at its own address to a page with JavaScript on, where the site's
 * scripts are blocked so that nothing but axe-core runs and the markup stays as the server sent it.
 */
export async function seriousViolations(page) {
  const target = staticPages.get(page);
  if (!target) return violationsOf(page);
  const html = await page.content();
  const url = page.url();
  const context = await target.browser.newContext();
  await context.route("**/*", (route) => {
    const request = route.request();
    if (request.url() === url && request.resourceType() === "document") {
      return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html });
    }
    const script = ["script", "fetch", "xhr"].includes(request.resourceType()) || /\.wasm(\?|$)/.test(request.url());
    return request.url().startsWith(target.serverUrl) && !script ? route.continue() : route.abort();
  });
  try {
    const copy = await context.newPage();
    await copy.goto(url);
    return await violationsOf(copy);
  } finally {
    await context.close();
  }
}

async function violationsOf(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/**
 * Checks the page for serious and critical axe-core violations and saves a screenshot named
 * `name`; returns the violations, and any uncaught script error since the last check (an empty
 * list when there are none).
 */
export async function checkPage(page, name) {
  const violations = await seriousViolations(page);
  await screenshot(page, name);
  const errors = scriptErrors.get(page) ?? [];
  return [...violations, ...errors.splice(0).map((message) => `script error on ${name}: ${message}`)];
}

/** Saves a full-page screenshot under target/screenshots/ for review. */
export async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/**
 * A person going through pages in one tab, with JavaScript on or off: `check(step)` runs
 * [`checkPage`] and keeps what it finds in `problems` (screenshots named `<name>-<js|no-js>-<step>`),
 * `ready()` waits for hydration when JavaScript is on, and `go(button, url, heading)` presses a
 * button and waits for the next page's URL and heading.
 */
export async function journey(env, name, javaScriptEnabled) {
  const page = await newPage(env.browser, env.server.url, { javaScriptEnabled });
  const mode = javaScriptEnabled ? "js" : "no-js";
  const problems = [];
  return {
    page,
    mode,
    problems,
    check: async (step) => problems.push(...(await checkPage(page, `${name}-${mode}-${step}`))),
    ready: async () => {
      if (javaScriptEnabled) await waitForHydration(page);
    },
    go: async (button, url, heading) => {
      await page.getByRole("button", { name: button, exact: true }).click();
      await page.waitForURL(url);
      await page.getByRole("heading", { level: 1, name: heading }).waitFor();
    },
  };
}

/**
 * Registers before/after hooks that start a server (with `serverEnv` added to its variables, or
 * what the function `serverEnv(env)` resolves to, which may start more, such as `env.smtp`) and a
 * browser for the tests of one file, and returns the object that holds them (`.server`,
 * `.browser`) once the hooks have run.
 */
export function serverAndBrowser(setup = async () => {}, serverEnv = {}) {
  const env = {};
  // One hook does it all: Node 20 does not wait for one top-level `before` before the next.
  before(async () => {
    env.server = await startServer(typeof serverEnv === "function" ? await serverEnv(env) : serverEnv);
    env.browser = await launchBrowser();
    await setup(env.server);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
    env.smtp?.stop();
  });
  return env;
}

/**
 * One test per page: each page, once hydrated, has no serious or critical axe-core violation;
 * a screenshot of each is saved under target/screenshots/ as `<name>.png`.
 */
export function testAccessibility(env, pages) {
  for (const [name, path] of pages) {
    test(`${path.slice(0, 60)} has no serious or critical axe-core violation`, async () => {
      const page = await newPage(env.browser, env.server.url);
      await page.goto(`${env.server.url}${path}`);
      await waitForHydration(page);

      const violations = await seriousViolations(page);
      await screenshot(page, name);

      assert.deepEqual(violations, []);
      await page.context().close();
    });
  }
}

/** A file of `size` bytes (all `fill`) named `name` in a new temporary folder; its path. */
export function fileOf(name, size, fill = 120) {
  const path = join(mkdtempSync(join(tmpdir(), "mesh-portal-file-")), name);
  const fd = openSync(path, "w");
  const block = Buffer.alloc(1_000_000, fill);
  for (let written = 0; written < size; written += block.length) {
    writeSync(fd, block, 0, Math.min(block.length, size - written));
  }
  closeSync(fd);
  return path;
}

/** Every file under `dir` (none when it does not exist). */
export function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/**
 * NHS Care Identity for a browser test: the test OpenID Connect provider (tests/oidc) on a free
 * loopback port, knowing `people` and the portal at `portalUrl` as its client (a key made in a
 * temporary folder). Resolves to { issuer, portalEnv, stop() }.
 */
export async function startIdentityProvider(people, portalUrl) {
  const dir = mkdtempSync(join(tmpdir(), "mesh-portal-oidc-"));
  const keyFile = join(dir, "client.pem");
  const config = join(dir, "config.json");
  writeFileSync(
    config,
    JSON.stringify({
      port: 0,
      people,
      client: {
        client_id: "mesh-portal-e2e",
        redirect_uri: `${portalUrl}/sign-in/cis2/callback`,
        post_logout_redirect_uri: `${portalUrl}/sign-out?done=1`,
        key_id: "mesh-portal-e2e-key",
        key_file: keyFile,
      },
    }),
  );
  const child = spawn(process.execPath, [join(root, "tests", "oidc", "provider.mjs"), config], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const issuer = await new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error("the identity provider did not start")), 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      const found = out.match(/listening (\S+)/);
      if (found) {
        clearTimeout(timer);
        ok(found[1]);
      }
    });
  });
  return {
    issuer,
    portalEnv: {
      MESH_PORTAL_CIS2_ISSUER: issuer,
      MESH_PORTAL_CIS2_CLIENT_ID: "mesh-portal-e2e",
      MESH_PORTAL_CIS2_CLIENT_KEY: keyFile,
      MESH_PORTAL_CIS2_CLIENT_KEY_ID: "mesh-portal-e2e-key",
      MESH_PORTAL_BASE_URL: portalUrl,
    },
    stop() {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
