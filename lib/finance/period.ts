import { z } from "zod";

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 3 * 366 + 31;

/** A real calendar day as YYYY-MM-DD (2026-02-30 is refused, not rolled over to March). */
const ZDay = (what: string) =>
  z
    .string({ error: `${what} is required, as YYYY-MM-DD` })
    .regex(ISO_DAY, `${what} must be a date as YYYY-MM-DD`)
    // Zod runs this after a failed regex too: an empty or month-13 string makes an invalid Date, whose toISOString throws.
    .refine((day) => {
      const date = new Date(`${day}T00:00:00Z`);

      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day);
    }, `${what} is not a real date`);

/** A reporting period: whole UTC days, both ends included. */
export const ZPeriod = z
  .object({ from: ZDay("from"), to: ZDay("to") })
  .refine((p) => p.from <= p.to, { message: "from must not be after to", path: ["to"] })
  .refine((p) => daysBetween(p.from, p.to) < MAX_DAYS, { message: "A period is at most three years", path: ["to"] });

export type Period = z.infer<typeof ZPeriod>;

export const ZCurrency = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{3}$/, "currency must be a three-letter ISO code, like eur");

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
}

/** The first day of the month `months` after the month of `day`. */
export function addMonths(day: string, months: number): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);

  return isoDay(d);
}

/** The period a page opens on: the month so far (UTC), from the first to `today`. */
export function monthToDate(today: Date): Period {
  const day = isoDay(today);

  return { from: `${day.slice(0, 7)}-01`, to: day };
}

/**
 * A period split for rollups kept by day and by month: the whole months inside it, and the days
 * at its edges (before the first whole month and after the last), as ranges of days.
 */
export function splitByMonths(period: Period): { months: { from: string; to: string } | null; days: Array<{ from: string; to: string }> } {
  const firstWhole = period.from.endsWith("-01") ? period.from : addMonths(period.from, 1);
  const endExclusive = addDays(period.to, 1);
  const afterLastWhole = endExclusive.endsWith("-01") ? endExclusive : `${endExclusive.slice(0, 7)}-01`;
  if (firstWhole >= afterLastWhole) return { months: null, days: [{ from: period.from, to: period.to }] };
  const days: Array<{ from: string; to: string }> = [];
  if (period.from < firstWhole) days.push({ from: period.from, to: addDays(firstWhole, -1) });
  if (afterLastWhole <= period.to) days.push({ from: afterLastWhole, to: period.to });

  return { months: { from: firstWhole, to: addMonths(afterLastWhole, -1) }, days };
}

/** The width of a chart's buckets for a period: days up to two months, weeks up to a year, then months. */
export function bucketFor(period: Period): "day" | "week" | "month" {
  const days = daysBetween(period.from, period.to) + 1;
  if (days <= 62) return "day";
  if (days <= 366) return "week";

  return "month";
}
