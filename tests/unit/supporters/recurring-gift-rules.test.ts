import { describe, expect, it } from "vitest";
import { allowedActions, resumesAtFor } from "@/lib/supporters/recurring-gift-rules";

describe("what each state of a recurring gift allows", () => {
  it("follows the rules: ended nothing, past due the card or cancel, paused resume or cancel, cancelling undo", () => {
    const monthly = (status: Parameters<typeof allowedActions>[0]["status"]) => allowedActions({ status, frequency: "monthly" });
    expect(monthly("active")).toEqual(["change", "pause", "cancel", "update_card"]);
    expect(monthly("past_due")).toEqual(["update_card", "cancel"]);
    expect(monthly("paused")).toEqual(["resume", "cancel"]);
    expect(monthly("cancelling")).toEqual(["undo_cancel"]);
    for (const status of ["ended", "incomplete", "unknown"] as const) expect(monthly(status)).toEqual([]);
    // An interval we do not offer is neither changed nor paused here; it can still be cancelled.
    expect(allowedActions({ status: "active", frequency: null })).toEqual(["cancel", "update_card"]);
  });
});

describe("when a pause ends", () => {
  it("is the gift's own period end plus whole calendar months, in UTC, the 31st becoming the month's last day", () => {
    expect(resumesAtFor(new Date("2031-01-31T23:30:00Z"), 1)).toEqual(new Date("2031-02-28T23:30:00Z"));
    expect(resumesAtFor(new Date("2032-01-31T23:30:00Z"), 1)).toEqual(new Date("2032-02-29T23:30:00Z"));
    expect(resumesAtFor(new Date("2031-11-30T08:00:00Z"), 3)).toEqual(new Date("2032-02-29T08:00:00Z"));
    expect(resumesAtFor(new Date("2031-12-31T23:30:00Z"), 2)).toEqual(new Date("2032-02-29T23:30:00Z"));
    expect(resumesAtFor(new Date("2031-03-29T01:30:00Z"), 2)).toEqual(new Date("2031-05-29T01:30:00Z"));
  });
});
