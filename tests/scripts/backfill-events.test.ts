import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { giveOnce } from "../support/gifts";
import { eventsAfter, lastEventId, usePrivateSandbox } from "../support/stripe";

// Its own stand-in, whose event list holds this file's gifts only; the command gets an embedded
// database of its own, read here once it has exited.
usePrivateSandbox();
const dir = mkdtempSync(path.join(tmpdir(), "readerfund-backfill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function backfill(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DATA_DIR: path.join(dir, "pglite"), LOG_LEVEL: "warn" };
    delete env.DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/backfill-events.ts", ...args], { cwd: process.cwd(), env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("npm run backfill:events", () => {
  it("refuses a span it cannot have, naming the problem, and changes nothing", async () => {
    expect(await backfill([])).toMatchObject({ code: 2, output: expect.stringContaining("Usage: npm run backfill:events -- --since") });
    expect(await backfill(["--since", "yesterday"])).toMatchObject({ code: 2, output: expect.stringContaining("--since must be a day (2026-12-01, midnight UTC) or a time with its offset") });
    expect(await backfill(["--since", "2020-01-01"])).toMatchObject({ code: 2, output: expect.stringContaining("Stripe lists events of the last 30 days only") });
    expect(await backfill(["--since", "2026-01-02", "--until", "2026-01-01"])).toMatchObject({ code: 2, output: expect.stringContaining("--since must be before --until") });
    // Refused before it opened a database.
    expect(existsSync(path.join(dir, "pglite"))).toBe(false);
  }, 60_000);

  it("brings the events Stripe holds into the inbox and, with --apply, the gifts into the ledger; a second run stores nothing", async () => {
    const marker = await lastEventId();
    await giveOnce({ amount: 1200, email: "backfill-one@example.org" });
    await giveOnce({ amount: 3400, email: "backfill-two@example.org" });
    const created = (await eventsAfter(marker)).map((event) => event.created);
    const since = new Date(Math.min(...created) * 1000).toISOString();

    const first = await backfill(["--since", since, "--apply"]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/\d+ events listed by Stripe from .*: [1-9]\d* new to the inbox, 0 already there/);
    expect(first.output).toMatch(/[1-9]\d* events applied, 0 failed/);
    const again = await backfill(["--since", since]);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/: 0 new to the inbox, [1-9]\d* already there, 0 new of types we do not act on\./);

    const db = new PGlite(path.join(dir, "pglite"));
    try {
      const { rows } = await db.query<{ amount_minor: number }>("select amount_minor from payments order by amount_minor");
      expect(rows.map((row) => Number(row.amount_minor))).toEqual([1200, 3400]);
      const receipts = await db.query<{ n: number }>("select count(*)::int as n from outbound_emails where template like 'receipt%'");
      expect(receipts.rows[0]!.n).toBe(2);
    } finally {
      await db.close();
    }
  }, 120_000);
});
