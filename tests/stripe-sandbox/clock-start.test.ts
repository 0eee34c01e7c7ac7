import { describe, expect, it } from "vitest";
import { parseClockStart } from "../../stripe-sandbox/clock-start";

describe("the clock's start", () => {
  it("reads a clock's start as unix seconds or ISO 8601 with an offset, and refuses dates the calendar lacks", () => {
    expect(parseClockStart("1801438200")).toBe(1801438200);
    expect(parseClockStart("2027-01-31T23:30:00Z")).toBe(Date.UTC(2027, 0, 31, 23, 30) / 1000);
    expect(parseClockStart("2027-01-31T23:30Z")).toBe(Date.UTC(2027, 0, 31, 23, 30) / 1000);
    expect(parseClockStart("2027-03-28T02:30:00.750+01:00")).toBe(Date.UTC(2027, 2, 28, 1, 30) / 1000);
    expect(parseClockStart("2027-11-07T01:30:00-04:00")).toBe(Date.UTC(2027, 10, 7, 5, 30) / 1000);
    expect(parseClockStart("2028-02-29")).toBe(Date.UTC(2028, 1, 29) / 1000);
    // JavaScript's Date.parse would take these as 1 March and midnight the next day.
    for (const bad of ["2027-02-29", "2027-02-29T10:00:00Z", "2027-01-31T24:00:00Z", "2027-04-31T00:00:00Z", "2027-13-01"]) {
      expect(() => parseClockStart(bad), bad).toThrow(/calendar|ISO 8601/);
    }
    // A time without an offset would be whichever machine's local time.
    for (const bad of ["2027-01-31T23:30:00", "31/01/2027", "yesterday", "-5", ""]) expect(() => parseClockStart(bad), bad).toThrow(/ISO 8601/);
  });
});
