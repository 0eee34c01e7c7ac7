import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, inject } from "vitest";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

/**
 * An embedded database created and migrated once per run, in a directory each test file copies:
 * creating one (PGlite's initdb) is most of a small file's time, a copy of the migrated files a
 * fraction of it. The copy is still migrated by the file (nothing to apply), as the app would be.
 */
export async function makePgliteTemplate(): Promise<{ dir: string; remove: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), "readerfund-pglite-template-"));
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = new PGlite(dir);
  await migrate(drizzle(client), { migrationsFolder: path.join(process.cwd(), "db", "migrations") });
  await client.close();

  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Gives the calling test file a database of its own, migrated: a fresh database on the server
 * named by DATABASE_URL when it is set (as in CI's second run), otherwise an in-memory PGlite.
 * Call at the top level of a test file, before anything reads the environment.
 *
 * With `throughProxy` (the server only), the app reaches its database through a TCP proxy the test
 * can cut and restore (`proxy()`), and the test itself can still read it directly (`direct()`).
 */
export function useTestDatabase(options: { throughProxy?: boolean } = {}): {
  kind: "postgres" | "pglite";
  proxy: () => TcpProxy;
  direct: () => postgres.Sql;
} {
  const serverUrl = process.env.TEST_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL;
  const kind = serverUrl ? "postgres" : "pglite";
  let dropName: string | null = null;
  let proxy: TcpProxy | null = null;
  let direct: postgres.Sql | null = null;
  let copyDir: string | null = null;

  beforeAll(async () => {
    if (serverUrl) {
      // Remember the server URL before replacing DATABASE_URL with this file's database.
      process.env.TEST_ADMIN_DATABASE_URL = serverUrl;
      const name = `rf_test_${randomBytes(6).toString("hex")}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      dropName = name;
      if (options.throughProxy) {
        direct = postgres(url.toString(), { max: 2, onnotice: () => {} });
        proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
        url.hostname = "127.0.0.1";
        url.port = String(proxy.port);
      }
      process.env.DATABASE_URL = url.toString();
    } else {
      delete process.env.DATABASE_URL;
      const template = inject("pgliteTemplate");
      if (template) {
        copyDir = mkdtempSync(path.join(tmpdir(), "readerfund-pglite-"));
        cpSync(template, copyDir, { recursive: true });
        process.env.PGLITE_DATA_DIR = copyDir;
      } else {
        process.env.PGLITE_DATA_DIR = "memory://";
      }
    }
    const { migrateDatabase } = await import("@/db/migrate");
    await migrateDatabase();
  });

  afterAll(async () => {
    proxy?.restore();
    const { closeDb } = await import("@/db");
    await closeDb();
    await direct?.end({ timeout: 5 });
    await proxy?.close();
    if (copyDir) rmSync(copyDir, { recursive: true, force: true });
    if (dropName && serverUrl) {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${dropName} with (force)`);
      await admin.end();
    }
  });

  const required = <T>(value: T | null, what: string): T => {
    if (value === null) throw new Error(`${what} exists only with useTestDatabase({ throughProxy: true }) on the PostgreSQL server`);

    return value;
  };

  return { kind, proxy: () => required(proxy, "proxy()"), direct: () => required(direct, "direct()") };
}
