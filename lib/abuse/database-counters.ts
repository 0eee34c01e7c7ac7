import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { select } from "@/lib/finance/select";
import type { Counter, Tallier, Tally, Window } from "./counters";

/**
 * The counters in the database, all of a request's in one statement: each counter's row is
 * upserted (a window that has ended starts again at 1) and yesterday's windows are read, in one
 * round trip. Counting them one upsert at a time in a transaction, as rate-limiter-flexible's
 * Drizzle store does, took six statements and most of Continue's own time on the embedded database.
 *
 * The rows are rate-limiter-flexible's (key `prefix:hash`, points, expire), so that its Redis and
 * memory stores, `deleteExpiredAbuseRows` and rows written before keep their meaning. Rows are
 * upserted in the counters' order, so concurrent requests lock them in the same order and cannot
 * deadlock. A single statement is atomic on its own; a caller that must also spend a challenge runs
 * it in that transaction.
 */
export function tallyInDatabase(db: Queryable): Tallier {
  return async (counters) => {
    if (counters.length === 0) return [];
    const now = new Date();
    const windows = counters.map((counter) => ({ key: rowKey(counter, counter.key), expire: new Date(now.getTime() + counter.limit.seconds * 1000).toISOString() }));
    const previousKeys = counters.flatMap((counter) => (counter.previousDayKey ? [rowKey(counter, counter.previousDayKey)] : []));
    const rows = await select<{ key: string; points: number; expire: Date | string; carried: boolean }>(
      db,
      sql`with input as (
            select key, expire, n from rows from (jsonb_to_recordset(${JSON.stringify(windows)}::jsonb) as (key text, expire timestamptz)) with ordinality as i(key, expire, n)
          ),
          counted as (
            insert into rate_limits as r (key, points, expire)
            select key, 1, expire from input order by n
            on conflict (key) do update set
              points = case when r.expire <= ${now.toISOString()}::timestamptz then 1 else r.points + 1 end,
              expire = case when r.expire <= ${now.toISOString()}::timestamptz then excluded.expire else r.expire end
            returning r.key, r.points, r.expire
          )
          select key, points, expire, false as carried from counted
          union all
          select key, points, expire, true as carried from rate_limits
           where key in (select jsonb_array_elements_text(${JSON.stringify(previousKeys)}::jsonb)) and expire > ${now.toISOString()}::timestamptz`,
    );
    const windowOf = (key: string, carried: boolean): Window | null => {
      const row = rows.find((candidate) => candidate.key === key && candidate.carried === carried);

      return row ? { points: Number(row.points), msBeforeNext: Math.max(new Date(row.expire).getTime() - now.getTime(), 0) } : null;
    };

    return counters.map((counter): Tally => {
      const current = windowOf(rowKey(counter, counter.key), false);
      // The statement upserts every counter's row: one missing is a broken statement, not a count of 0.
      if (!current) throw new Error(`rate limits: no row came back for the counter ${counter.prefix}`);

      return { current, carried: counter.previousDayKey ? windowOf(rowKey(counter, counter.previousDayKey), true) : null };
    });
  };
}

/** rate-limiter-flexible's key for a counter's hash (its getKey): the prefix, a colon, the key. */
function rowKey(counter: Counter, key: string): string {
  return `${counter.prefix}:${key}`;
}
