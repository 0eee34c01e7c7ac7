import path from "node:path";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { env } from "@/lib/env";
import { getDb } from "./index";

const migrationsFolder = path.join(process.cwd(), "db", "migrations");

// Any constant works; it only has to be the same in every instance that may start at once.
const MIGRATION_LOCK_KEY = 727_001;

/**
 * Applies committed migrations; safe to call on every start and from several instances at once
 * (on a server, a session advisory lock serialises them; already-applied ones are skipped).
 */
export async function migrateDatabase(): Promise<void> {
  const config = env().database;
  if (config.kind === "pglite") {
    await migratePglite(getDb() as unknown as PgliteDatabase, { migrationsFolder });

    return;
  }
  await migratePostgresDatabase(config.url);
}

/** The same for the PostgreSQL database at `url`, whatever the app is configured with (the seed's). */
export async function migratePostgresDatabase(url: string): Promise<void> {
  // One dedicated connection, so the advisory lock and the migration share a session.
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(client), { migrationsFolder });
  } finally {
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}
