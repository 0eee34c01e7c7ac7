const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Reads the instant a clock starts at (`SANDBOX_CLOCK_START`, the tests' `TEST_CLOCK_START`) as unix
 * seconds: either unix seconds, or ISO 8601 (`2027-01-31T23:30:00Z`, `2027-03-28T01:30+01:00`, or a
 * date alone, meaning midnight UTC). A time without an offset is refused, since it would mean the
 * local time of whichever machine reads it; so is a date the calendar does not have (`2027-02-29`),
 * which JavaScript's own parser would quietly turn into the 1st of March.
 */
export function parseClockStart(raw: string): number {
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const match = ISO_8601.exec(text);
  if (!match) {
    throw new RangeError(`"${raw}" is neither unix seconds nor an ISO 8601 date-time with an offset (e.g. 2027-01-31T23:30:00Z)`);
  }
  const [, year, month, day, hour = "0", minute = "0", second = "0", offset = "Z"] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) {
    throw new RangeError(`"${raw}" is not a date and time the calendar has`);
  }
  const offsetMinutes = offset === "Z" ? 0 : (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));

  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offsetMinutes * 60;
}
