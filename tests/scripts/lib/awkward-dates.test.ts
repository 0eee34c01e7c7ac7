import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { awkwardDates } from "../../../scripts/lib/awkward-dates";

const HOUR_MS = 3_600_000;

/** A zone's offset from UTC at an instant, as the time-zone database says ("GMT+01:00"). */
const offset = (timeZone: string, at: Date) =>
  new Intl.DateTimeFormat("en-GB", { timeZone, timeZoneName: "longOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName")!.value;
/** The calendar date at an instant in a zone, as YYYY-MM-DD. */
const localDate = (timeZone: string, at: Date) => new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
const isLeap = (year: number) => new Date(Date.UTC(year, 1, 29)).getUTCDate() === 29;

describe("the awkward dates npm test starts the stand-in's clock at", () => {
  it("are the next of each after a given instant", () => {
    const dates = awkwardDates(new Date("2026-12-06T20:00:00Z"));
    expect(dates.map((d) => [d.start.toISOString(), d.timeZone])).toEqual([
      ["2027-01-31T23:30:00.000Z", "Europe/Berlin"],
      ["2027-02-28T23:30:00.000Z", "Europe/Berlin"],
      ["2028-02-28T23:30:00.000Z", "Europe/Berlin"],
      ["2028-02-29T23:30:00.000Z", "Europe/Berlin"],
      ["2027-04-30T23:30:00.000Z", "Europe/Berlin"],
      ["2026-12-31T23:30:00.000Z", "Europe/Berlin"],
      ["2027-03-28T00:30:00.000Z", "Europe/Berlin"],
      ["2027-10-31T00:30:00.000Z", "Europe/Berlin"],
      ["2027-03-14T06:30:00.000Z", "America/New_York"],
      ["2027-11-07T05:30:00.000Z", "America/New_York"],
    ]);
    // On the day itself, after the instant: next year's.
    expect(awkwardDates(new Date("2027-01-31T23:45:00Z"))[0]!.start.toISOString()).toBe("2028-01-31T23:30:00.000Z");
  });

  // From 2007, when the US took its present rules (the EU has had its own since 1996).
  it("are, from any instant, later, within a few years, and on the day and side of the change they name", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("2007-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true }), (after) => {
        const [jan31, feb28Common, feb28Leap, feb29, apr30, dec31, ...changes] = awkwardDates(after);
        for (const date of [jan31, feb28Common, feb28Leap, feb29, apr30, dec31, ...changes]) {
          expect(date!.start.getTime()).toBeGreaterThan(after.getTime());
          expect(date!.start.getTime() - after.getTime()).toBeLessThan(9 * 366 * 24 * HOUR_MS);
        }
        const utcDay = (d: typeof jan31) => d!.start.toISOString().slice(5, 16);
        expect([jan31, feb28Common, feb28Leap, feb29, apr30, dec31].map(utcDay)).toEqual(["01-31T23:30", "02-28T23:30", "02-28T23:30", "02-29T23:30", "04-30T23:30", "12-31T23:30"]);
        expect(isLeap(feb28Common!.start.getUTCFullYear())).toBe(false);
        expect(isLeap(feb28Leap!.start.getUTCFullYear())).toBe(true);
        // Late in the UTC day, the zone is already on the next one.
        for (const d of [jan31, feb28Common, feb28Leap, feb29, apr30, dec31]) expect(localDate(d!.timeZone, d!.start)).not.toBe(d!.start.toISOString().slice(0, 10));
        // Half an hour before the change, the zone's offset is not yet what it is an hour later, and it is a Sunday.
        for (const d of changes) {
          expect(offset(d.timeZone, d.start), d.name).not.toBe(offset(d.timeZone, new Date(d.start.getTime() + HOUR_MS)));
          expect(d.start.getUTCDay()).toBe(0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
