import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";

/**
 * Gives the calling test file a database of its own, migrated: a fresh database on the server
 * named by DATABASE_URL when it is set (as in CI's second run), otherwise an in-memory PGlite.
 * Call at the top level of a test file, before anything reads the environment.
 */
export function useTestDatabase(): { kind: "postgres" | "pglite" } {
  const serverUrl = process.env.TEST_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL;
  const kind = serverUrl ? "postgres" : "pglite";
  let dropName: string | null = null;

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
      process.env.DATABASE_URL = url.toString();
      dropName = name;
    } else {
      delete process.env.DATABASE_URL;
      process.env.PGLITE_DATA_DIR = "memory://";
    }
    const { migrateDatabase } = await import("@/db/migrate");
    await migrateDatabase();
  });

  afterAll(async () => {
    const { closeDb } = await import("@/db");
    await closeDb();
    if (dropName && serverUrl) {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${dropName} with (force)`);
      await admin.end();
    }
  });

  return { kind };
}
