/**
 * Instants where calendar arithmetic goes wrong if it can: month ends that later months lack, leap
 * days, the year's end, and the daylight-saving changes. `npm test` starts the stand-in's clock at
 * each (TEST_CLOCK_START) and runs the suites that depend on billing periods, with TZ set to a zone
 * whose local date or offset differs there from UTC's, so that local-time arithmetic shows.
 *
 * Each is the first such instant after `after` (real now), so the stand-in's clock is ahead of real
 * time, as a Stripe test clock is, and never behind it.
 */
export type AwkwardDate = { name: string; start: Date; timeZone: string };

const BERLIN = "Europe/Berlin";
const NEW_YORK = "America/New_York";

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The day of the month of a month's `nth` Sunday (1-based), or of its last one when `nth` is "last". */
function sunday(year: number, month: number, nth: number | "last"): number {
  if (nth === "last") {
    const last = new Date(Date.UTC(year, month + 1, 0));

    return last.getUTCDate() - last.getUTCDay();
  }
  const firstWeekday = new Date(Date.UTC(year, month, 1)).getUTCDay();

  return 1 + ((7 - firstWeekday) % 7) + (nth - 1) * 7;
}

export function awkwardDates(after: Date): AwkwardDate[] {
  /** The first year from `after`'s on whose instant `at(year)` is later than `after` and that `fits`. */
  const next = (at: (year: number) => Date, fits: (year: number) => boolean = () => true): Date => {
    for (let year = after.getUTCFullYear(); ; year++) if (fits(year) && at(year) > after) return at(year);
  };
  const utc = (month: number, day: number | ((year: number) => number), hour: number, minute: number) => (year: number) =>
    new Date(Date.UTC(year, month, typeof day === "number" ? day : day(year), hour, minute));

  // Half an hour before 23:59 UTC, where Berlin is already on the next day (and, on 31 December, in the next year).
  return [
    { name: "31 January, late (February has no 31st)", start: next(utc(0, 31, 23, 30)), timeZone: BERLIN },
    { name: "28 February of a common year, late", start: next(utc(1, 28, 23, 30), (y) => !isLeap(y)), timeZone: BERLIN },
    { name: "28 February of a leap year, late", start: next(utc(1, 28, 23, 30), isLeap), timeZone: BERLIN },
    { name: "29 February, late", start: next(utc(1, 29, 23, 30), isLeap), timeZone: BERLIN },
    { name: "30 April, late (May has a 31st)", start: next(utc(3, 30, 23, 30)), timeZone: BERLIN },
    { name: "31 December, late (the year ends)", start: next(utc(11, 31, 23, 30)), timeZone: BERLIN },
    // Half an hour before the clocks change: 01:00 UTC in the EU, 02:00 local time in the US.
    { name: "EU summer time begins (last Sunday of March)", start: next(utc(2, (y) => sunday(y, 2, "last"), 0, 30)), timeZone: BERLIN },
    { name: "EU summer time ends (last Sunday of October)", start: next(utc(9, (y) => sunday(y, 9, "last"), 0, 30)), timeZone: BERLIN },
    { name: "US daylight time begins (second Sunday of March)", start: next(utc(2, (y) => sunday(y, 2, 2), 6, 30)), timeZone: NEW_YORK },
    { name: "US daylight time ends (first Sunday of November)", start: next(utc(10, (y) => sunday(y, 10, 1), 5, 30)), timeZone: NEW_YORK },
  ];
}
