import type { SQL } from "drizzle-orm";
import type { Queryable } from "@/db";

/** Rows of a raw query, the same from PGlite (which wraps them) and postgres.js (which does not). */
export async function select<T>(db: Queryable, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;

  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A count or a sum in minor units: bigint, numeric or text from the drivers, always an exact integer here. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`a finance figure is not a safe integer: ${String(value)}`);

  return n;
}
