import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either the database or an open transaction: query helpers accept both. */
export type Queryable = Database | Transaction;

type Connection = {
  kind: "pglite" | "postgres";
  db: Database;
  /** The driver itself, for the one or two statements on a hot path that skip the query builder. */
  raw: <T>(text: string, params: unknown[]) => Promise<T[]>;
  close: () => Promise<void>;
  /**
   * Listens on a channel (postgres.js keeps a connection of its own for it and listens again after
   * a reconnect, calling onListen each time). The embedded database has no other process to hear.
   */
  listen: ((channel: string, onNotify: (payload: string) => void, onListen: () => void) => Promise<{ unlisten: () => Promise<void> }>) | null;
};

// Next.js compiles instrumentation, route handlers and pages into separate bundles; a module-level
// variable would open the embedded database twice on one data directory. One per process, here.
const globalKey = Symbol.for("readerfund.db");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Connection };

/**
 * How long a pooled connection waits before connecting again after a failed attempt. postgres.js
 * counts failures across the whole pool and by default waits up to 20 s; a blip that resets every
 * connection at once then keeps the app from its database for 10–20 s after the database is back,
 * and each query waits that long only to fail. A connection is only made for a waiting query, so a
 * short cap costs a server that is down a handful of attempts a second at most.
 */
function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1);
}

function open(): Connection {
  const config = env().database;
  if (config.kind === "postgres") {
    const client = postgres(config.url, {
      max: config.poolMax,
      onnotice: () => {},
      // No JIT: the app's queries are short, and a plan whose row estimates cross the JIT threshold
      // (a lateral over a few blocks of a rollup) spent 250 ms compiling a query that runs in 1 ms.
      connection: { application_name: "readerfund", jit: "off" },
      backoff: reconnectDelaySeconds,
    });
    const db = drizzlePostgres(client, { schema, casing: "snake_case" }) as unknown as Database;

    return {
      kind: "postgres",
      db,
      raw: async <T>(text: string, params: unknown[]) => (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[],
      close: () => client.end({ timeout: 5 }),
      listen: async (channel, onNotify, onListen) => {
        const meta = await client.listen(channel, onNotify, onListen);

        return { unlisten: () => meta.unlisten() };
      },
    };
  }
  if (!config.dataDir.startsWith("memory://")) mkdirSync(config.dataDir, { recursive: true });
  const client = new PGlite(config.dataDir);
  const db = drizzlePglite(client, { schema, casing: "snake_case" }) as unknown as Database;

  return {
    kind: "pglite",
    db,
    raw: async <T>(text: string, params: unknown[]) => (await client.query<T>(text, params)).rows,
    close: () => client.close(),
    listen: null,
  };
}

function connection(): Connection {
  const holder = globalThis as GlobalWithDb;
  holder[globalKey] ??= open();

  return holder[globalKey];
}

/** The process's database handle (embedded PGlite or a postgres.js pool, per DATABASE_URL). */
export function getDb(): Database {
  return connection().db;
}

/** Runs one parameterised statement on the driver directly ($1, $2 … placeholders). */
export function rawQuery<T = Record<string, unknown>>(text: string, params: unknown[]): Promise<T[]> {
  return connection().raw<T>(text, params);
}

/** Listens on a channel of the PostgreSQL server (see Connection.listen); the embedded database cannot. */
export function listenToDatabase(channel: string, onNotify: (payload: string) => void, onListen: () => void) {
  const listen = connection().listen;
  if (!listen) throw new Error("Only a PostgreSQL server (DATABASE_URL) can notify other processes.");

  return listen(channel, onNotify, onListen);
}

export function databaseKind(): "pglite" | "postgres" {
  return connection().kind;
}

export async function closeDb(): Promise<void> {
  const holder = globalThis as GlobalWithDb;
  const current = holder[globalKey];
  holder[globalKey] = undefined;
  if (current) await current.close();
}

export { schema };
