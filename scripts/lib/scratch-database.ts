import { randomBytes } from "node:crypto";
import postgres from "postgres";

/**
 * A database of its own on a PostgreSQL server for one benchmark run or test: its URL, a small client on
 * it, and `drop` to remove it (whatever the run left connected) when the run ends.
 */
export async function scratchDatabase(serverUrl: string, prefix: string): Promise<{ url: string; db: postgres.Sql; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = postgres(url.toString(), { max: 2, onnotice: () => {} });

  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
