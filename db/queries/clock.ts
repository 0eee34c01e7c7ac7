import { rawQuery } from "@/db";

/**
 * The database's clock, read now. Stamps on reads of Stripe state come from here rather than from
 * each app host's own clock, so that two hosts whose clocks disagree still order their reads right.
 */
export async function databaseNow(): Promise<Date> {
  const [row] = await rawQuery<{ now: Date | string }>("select clock_timestamp() as now", []);

  return new Date(row!.now);
}
