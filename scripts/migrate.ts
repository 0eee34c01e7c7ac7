import { closeDb } from "@/db";
import { migrateDatabase } from "@/db/migrate";
import { env } from "@/lib/env";

// `npm run db:migrate`: the same migrations the app applies at start, for deploy pipelines.
const target = env().database;
await migrateDatabase();
await closeDb();
console.log(`Migrations applied to ${target.kind === "postgres" ? "the PostgreSQL server" : `PGlite at ${target.dataDir}`}.`);
