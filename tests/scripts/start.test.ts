import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, assertPortFree, ensureBuilt, freePort, waitForHttp } from "../../scripts/lib/processes";

/**
 * `npm start` run as a process manager, a container runtime or a script runs it: one signal to the
 * npm process alone (not to its process group, as Ctrl+C in a terminal would send) must stop the
 * stand-in and the app, leaving nothing behind and nothing listening.
 */

/** Every process below `pid`, from `ps` (Linux and macOS alike). */
function descendantsOf(pid: number): number[] {
  const rows = execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of rows) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        visit(child);
      }
    }
  };
  visit(pid);

  return found;
}

/** Those of `pids` still running (a zombie has stopped: it only waits to be reaped). */
function living(pids: number[]): number[] {
  const running = new Set(
    execFileSync("ps", ["-A", "-o", "pid=,stat="], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([, stat]) => !stat!.startsWith("Z"))
      .map(([pid]) => Number(pid)),
  );

  return pids.filter((pid) => running.has(pid));
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });

    return true;
  } catch {
    return false;
  }
}

/** `npm start` on free ports with its own embedded database and stand-in state in `directory`. */
async function npmStart(directory: string) {
  const appPort = await freePort();
  const sandboxPort = await freePort();
  const env: Record<string, string | undefined> = { ...process.env };
  // What this test run set up for the in-process tests is not what a newcomer's shell has.
  for (const key of Object.keys(env)) if (key.startsWith("VITEST")) delete env[key];
  for (const key of ["DATABASE_URL", "APP_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SANDBOX_STATE_FILE", "NODE_ENV", "REDIS_URL"]) delete env[key];
  Object.assign(env, { PORT: String(appPort), STRIPE_API_BASE: `http://localhost:${sandboxPort}`, PGLITE_DATA_DIR: path.join(directory, "pglite") });
  const child: ChildProcess = spawn("npm", ["start"], { cwd: ROOT, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const appUrl = `http://localhost:${appPort}/api/health`;
  const sandboxUrl = `http://localhost:${sandboxPort}/_sandbox/health`;
  try {
    await waitForHttp(appUrl, 150_000, child);
    await waitForHttp(sandboxUrl, 5_000, child);
  } catch (error) {
    for (const pid of [...descendantsOf(child.pid!), child.pid!]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    throw new Error(`${(error as Error).message}\n${output}`, { cause: error });
  }

  return { child, appPort, sandboxPort, appUrl, sandboxUrl, output: () => output };
}

let directory: string;
const leftovers: number[] = [];

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), "npm-start-"));
  // `npm start` builds first if the sources changed; built here once, so the tests time only the
  // start and the stop (the end-to-end step reuses this build).
  await ensureBuilt({ quiet: true, env: { NODE_ENV: "production" } });
}, 900_000);

afterAll(() => {
  // Only if a test failed: nothing of ours may outlive the run.
  for (const pid of living(leftovers)) process.kill(pid, "SIGKILL");
  rmSync(directory, { recursive: true, force: true });
});

describe("npm start", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("stops the stand-in and the app within seconds of %s to the npm process alone", async (signal) => {
    const own = mkdtempSync(path.join(directory, `${signal}-`));
    // The stand-in's state from a database since deleted: set aside, as the new database is empty.
    const stateFile = path.join(own, "stripe-sandbox.pglite.json");
    writeFileSync(stateFile, '{"from": "a database since deleted"}');
    const started = await npmStart(own);
    const tree = descendantsOf(started.child.pid!);
    leftovers.push(started.child.pid!, ...tree);
    // npm, the launcher, the stand-in and the app (Next may add workers).
    expect(tree.length, started.output()).toBeGreaterThanOrEqual(3);
    expect(readFileSync(`${stateFile}.old`, "utf8")).toContain("a database since deleted");
    expect(started.output()).toContain(`kept in ${stateFile}`);

    process.kill(started.child.pid!, signal);

    await expect
      .poll(async () => ({ app: await answers(started.appUrl), sandbox: await answers(started.sandboxUrl) }), { timeout: 20_000, interval: 250 })
      .toEqual({ app: false, sandbox: false });
    await expect.poll(() => living([started.child.pid!, ...tree]), { timeout: 20_000, interval: 250 }).toEqual([]);
    await assertPortFree(started.appPort, "the app");
    await assertPortFree(started.sandboxPort, "the stand-in");
    // The stand-in stopped as it should, saving its state for the next start.
    expect(existsSync(stateFile)).toBe(true);
  }, 240_000);
});
