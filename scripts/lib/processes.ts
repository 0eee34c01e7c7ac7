import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseEnv } from "../../lib/env";
import { securityHeaderRules } from "../../lib/security/headers";
import { buildWidget, WIDGET_OUT } from "./build-widget";

/**
 * Starting and stopping the app and the Stripe stand-in as child processes: shared by `npm start`,
 * the end-to-end tests and the benchmarks, so all three run the same production build the same way.
 */

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
const require = createRequire(import.meta.url);
const NEXT_BIN = require.resolve("next/dist/bin/next");
// tsx as a loader in the one process, not its CLI: the CLI runs the script in a second process and,
// if that process does not confirm a relayed SIGTERM within 30 ms (its event loop busy hashing the
// sources or saving state), kills it with SIGKILL, orphaning whatever it had started.
const TSX_LOADER = pathToFileURL(require.resolve("tsx")).href;
const BUILD_STAMP = path.join(ROOT, ".next", "readerfund-source-hash");
const SOURCE_ENTRIES = [
  "app",
  "lib",
  "db",
  "emails",
  "public",
  "instrumentation.ts",
  "proxy.ts",
  "next.config.ts",
  "tsconfig.json",
  "package-lock.json",
  "postcss.config.mjs",
];

// Built from lib/widget/client (hashed above) by the same build; never a source.
const GENERATED = new Set([path.join(ROOT, "public", "embed")]);

function hashTree(hash: ReturnType<typeof createHash>, target: string): void {
  if (!existsSync(target) || GENERATED.has(target)) return;
  const stat = statSync(target);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(target).sort()) hashTree(hash, path.join(target, entry));

    return;
  }
  hash.update(path.relative(ROOT, target));
  hash.update(readFileSync(target));
}

/**
 * A hash of everything the production build is made from: the sources, and the response headers the
 * build records for the environment it is made in (an https APP_URL adds Strict-Transport-Security;
 * the server refuses to start on a build whose headers are another environment's).
 */
export function sourceHash(buildEnv: Record<string, string | undefined> = process.env): string {
  const hash = createHash("sha256");
  for (const entry of SOURCE_ENTRIES) hashTree(hash, path.join(ROOT, entry));
  let appUrl = "";
  try {
    appUrl = parseEnv(buildEnv).appUrl;
  } catch {
    // A bad environment fails the build itself, with its own message.
  }
  hash.update(JSON.stringify(securityHeaderRules({ development: false, appUrl })));

  return hash.digest("hex");
}

export function buildIsCurrent(buildEnv: Record<string, string | undefined> = process.env): boolean {
  return (
    existsSync(path.join(ROOT, ".next", "BUILD_ID")) && existsSync(BUILD_STAMP) && readFileSync(BUILD_STAMP, "utf8") === sourceHash(buildEnv)
  );
}

/** Runs `next build` unless the last build was made from the same sources. */
// Every child started here and not yet exited, so that a launcher stopped half-way through starting
// (during the build, or while the app migrates) stops them all, not only those that became ready.
const running = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once("exit", () => running.delete(child));
  // A child that failed to spawn never exits.
  child.once("error", () => running.delete(child));

  return child;
}

export async function ensureBuilt(options: { quiet?: boolean; env?: Record<string, string | undefined> } = {}): Promise<"reused" | "built"> {
  const buildEnv = { ...process.env, ...options.env };
  if (buildIsCurrent(buildEnv) && existsSync(path.join(WIDGET_OUT, "picker.js"))) return "reused";
  const hash = sourceHash(buildEnv);
  await buildWidget();
  await new Promise<void>((resolve, reject) => {
    const child: ChildProcess = track(
      spawn(process.execPath, [NEXT_BIN, "build"], {
        cwd: ROOT,
        env: { ...process.env, ...options.env, NEXT_TELEMETRY_DISABLED: "1" } as unknown as NodeJS.ProcessEnv,
        stdio: options.quiet ? ["ignore", "pipe", "pipe"] : "inherit",
      }),
    );
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code: number | null) => {
      if (code === 0) resolve();
      else reject(new Error(`next build failed (exit ${code})${options.quiet ? `:\n${output}` : ""}`));
    });
  });
  writeFileSync(BUILD_STAMP, hash);

  return "built";
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Fails clearly when something else already listens on the port (it would answer our health checks). */
export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", () => reject(new Error(`Port ${port} is already in use, so ${what} cannot start there. Stop whatever uses it, or choose another port.`)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`process exited (code ${child.exitCode}) before ${url} answered`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      lastError = `HTTP ${response.status}`;
    } catch (error) {
      lastError = String((error as Error).message);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${lastError})`);
}

export type Started = { child: ChildProcess; url: string; port: number; output: () => string };

function spawnLogged(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
  inherit: boolean,
  onOutput?: (chunk: string) => void,
): { child: ChildProcess; output: () => string } {
  const child: ChildProcess = track(
    spawn(command, args, {
      cwd: ROOT,
      env: env as unknown as NodeJS.ProcessEnv,
      stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"],
    }),
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-200_000);
    onOutput?.(text);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  return { child, output: () => output };
}

export async function startStripeSandbox(options: {
  port: number;
  webhookUrl: string | null;
  webhookSecret: string;
  /** Where the stand-in keeps its state between runs (SANDBOX_STATE_FILE); none: in memory only. */
  stateFile?: string | null;
  env?: Record<string, string>;
  inheritOutput?: boolean;
}): Promise<Started> {
  await assertPortFree(options.port, "the Stripe stand-in");
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // A run's time zone reaches the stand-in and the app, whose dates must not depend on it.
    TZ: process.env.TZ,
    SANDBOX_PORT: String(options.port),
    SANDBOX_WEBHOOK_URL: options.webhookUrl ?? "",
    SANDBOX_WEBHOOK_SECRET: options.webhookSecret,
    SANDBOX_STATE_FILE: options.stateFile ?? "",
    ...options.env,
  };
  const { child, output } = spawnLogged(
    process.execPath,
    ["--import", TSX_LOADER, path.join(ROOT, "stripe-sandbox", "main.ts")],
    env,
    options.inheritOutput ?? false,
  );
  const url = `http://localhost:${options.port}`;
  await waitForHttp(`${url}/_sandbox/health`, 20_000, child).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}\n${output()}`);
  });

  return { child, url, port: options.port, output };
}

export async function startApp(options: {
  port: number;
  env: Record<string, string | undefined>;
  inheritOutput?: boolean;
  /** Extra flags for node itself, e.g. --cpu-prof when profiling. */
  nodeArgs?: string[];
  /** Sees everything the app writes, as it comes (the kept output is only its last 200 kB). */
  onOutput?: (chunk: string) => void;
}): Promise<Started> {
  await assertPortFree(options.port, "the app (set PORT to use another)");
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TZ: process.env.TZ,
    ...options.env,
    // `next start` serves the production build whatever the caller's shell says.
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(options.port),
  };
  const { child, output } = spawnLogged(
    process.execPath,
    [...(options.nodeArgs ?? []), "--max-semi-space-size=32", NEXT_BIN, "start", "--port", String(options.port), "--hostname", "127.0.0.1"],
    env,
    options.inheritOutput ?? false,
    options.onOutput,
  );
  const url = `http://localhost:${options.port}`;
  // The first request runs start-up (migrations); health answers once that is done.
  await waitForHttp(`${url}/api/health`, 60_000, child).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}\n${output()}`);
  });

  return { child, url, port: options.port, output };
}

/**
 * `npm run worker` (scripts/worker.ts) as a child: for an app started with WORKERS=separate. Ready
 * once it says it started (after migrating and listening).
 */
export async function startWorker(options: { env: Record<string, string | undefined>; inheritOutput?: boolean }): Promise<Omit<Started, "url" | "port">> {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, TZ: process.env.TZ, LOG_LEVEL: "info", ...options.env };
  const { child, output } = spawnLogged(process.execPath, ["--import", TSX_LOADER, path.join(ROOT, "scripts", "worker.ts")], env, options.inheritOutput ?? false);
  const deadline = Date.now() + 60_000;
  while (!output().includes("readerfund worker started")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the worker did not start:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return { child, output };
}

/** Stops every child started here that is still running (see stopProcess), all at once. */
export async function stopAllProcesses(graceMs = 5000): Promise<void> {
  await Promise.all([...running].map((child) => stopProcess(child, graceMs)));
}

/** Stops a child by its own PID (never by name), waiting for it to exit. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
