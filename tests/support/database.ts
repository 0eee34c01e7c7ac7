import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy";

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
      process.env.PGLITE_DATA_DIR = "memory://";
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
