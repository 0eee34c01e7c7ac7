import Stripe from "stripe";
import { describe, expect, it, vi } from "vitest";
import { MAX_AUTOMATIC_ATTEMPTS, nextPeriodEnd, RETRY_AFTER_DAYS } from "../../stripe-sandbox/billing";
import { checkCard, offSessionOutcome, passesLuhn, TEST_CARDS } from "../../stripe-sandbox/cards";
import { Clock } from "../../stripe-sandbox/clock";
import { parseClockStart } from "../../stripe-sandbox/clock-start";
import { stripeFee } from "../../stripe-sandbox/fees";
import { signPayload } from "../../stripe-sandbox/webhooks";
import { retryDelaySeconds } from "@/lib/stripe/webhooks/inbox-leases";

describe("stand-in pieces", () => {
  it("signs webhooks exactly as Stripe does (the SDK verifies them)", () => {
    const payload = JSON.stringify({ id: "evt_1", object: "event", type: "checkout.session.completed" }, null, 2);
    // eslint-disable-next-line no-restricted-syntax -- the SDK checks a signature's age against real time
    const header = signPayload(payload, "whsec_abc", Math.floor(Date.now() / 1000));
    const event = new Stripe("sk_test_x").webhooks.constructEvent(payload, header, "whsec_abc");
    expect(event.id).toBe("evt_1");
    expect(() => new Stripe("sk_test_x").webhooks.constructEvent(payload, header, "whsec_other")).toThrow(/signature/i);
  });

  it("prices fees by Stripe's standard card pricing, rounded half up", () => {
    expect(stripeFee(2500, "eur")).toBe(63); // 1.5% = 37.5 → 38, + 25
    expect(stripeFee(1000, "usd")).toBe(59); // 2.9% = 29, + 30
    expect(stripeFee(2000, "gbp")).toBe(50); // 1.5% = 30, + 20
    expect(stripeFee(10, "usd")).toBe(10); // never more than the charge
  });

  it("knows test cards from real ones", () => {
    expect(passesLuhn("4242424242424242")).toBe(true);
    expect(passesLuhn("4242424242424241")).toBe(false);
    const now = Math.floor(Date.UTC(2026, 10, 29) / 1000);
    expect(checkCard({ number: "4242 4242 4242 4242", expiry: "12/30", cvc: "123" }, now)).toMatchObject({ ok: true });
    expect(checkCard({ number: "4242424242424242", expiry: "10/26", cvc: "123" }, now)).toMatchObject({ ok: false, param: "exp" });
    expect(checkCard({ number: "4111111111111111" }, now)).toMatchObject({ ok: false, code: "card_declined" });
  });

  it("backs off processing retries up to an hour", () => {
    expect([1, 2, 3, 10, 20].map(retryDelaySeconds)).toEqual([5, 10, 20, 2560, 3600]);
  });

  it("bills by calendar periods counted from the anchor, as Stripe does (31 Jan → 28 Feb → 31 Mar)", () => {
    const at = (iso: string) => Date.parse(iso) / 1000;
    const anchor = at("2027-01-31T10:00:00Z");
    expect(nextPeriodEnd(anchor, "month", 1, anchor)).toBe(at("2027-02-28T10:00:00Z"));
    expect(nextPeriodEnd(anchor, "month", 1, at("2027-02-28T10:00:00Z"))).toBe(at("2027-03-31T10:00:00Z"));
    expect(nextPeriodEnd(anchor, "month", 3, anchor)).toBe(at("2027-04-30T10:00:00Z"));
    expect(nextPeriodEnd(at("2028-02-29T00:00:00Z"), "year", 1, at("2028-02-29T00:00:00Z"))).toBe(at("2029-02-28T00:00:00Z"));
    expect(nextPeriodEnd(anchor, "week", 2, anchor)).toBe(anchor + 14 * 86_400);
  });

  it("charges saved cards off-session as the test cards say", () => {
    expect(offSessionOutcome(TEST_CARDS["4242424242424242"]!)).toEqual({ kind: "succeed" });
    // Authenticated once at setup, then exempt; 3184 asks every time.
    expect(offSessionOutcome(TEST_CARDS["4000002500003155"]!)).toEqual({ kind: "succeed" });
    expect(offSessionOutcome(TEST_CARDS["4000002760003184"]!)).toEqual({ kind: "authenticate" });
    // 0341: the first payment in Checkout goes through (the stand-in's rule), later charges fail.
    expect(TEST_CARDS["4000000000000341"]!.signupOutcome).toEqual({ kind: "succeed" });
    expect(offSessionOutcome(TEST_CARDS["4000000000000341"]!)).toMatchObject({ kind: "decline", code: "card_declined" });
    expect(offSessionOutcome(TEST_CARDS["4000000000000002"]!)).toMatchObject({ kind: "decline" });
  });

  it("starts its clock at a given instant, which then runs on with real time and only moves forward", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const realNow = Date.UTC(2026, 11, 6, 20, 0, 0);
      vi.setSystemTime(realNow);
      const start = Date.UTC(2028, 1, 29, 23, 30) / 1000;
      const clock = new Clock(start);
      const before = new Clock(Date.UTC(2020, 0, 1) / 1000);
      expect(clock.now()).toBe(start);
      expect(new Clock().now()).toBe(realNow / 1000);
      vi.setSystemTime(realNow + 10_000);
      expect(clock.now()).toBe(start + 10);
      expect(before.now()).toBe(Date.UTC(2020, 0, 1, 0, 0, 10) / 1000);
      expect(clock.advance(3600)).toBe(start + 3610);
      expect(() => clock.advance(-1)).toThrow(RangeError);
      expect(() => new Clock(1.5)).toThrow(RangeError);
    } finally {
      vi.useRealTimers();
    }
  });

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

  it("retries a failed renewal 3, 5 and 7 days apart: four attempts in all", () => {
    expect(RETRY_AFTER_DAYS).toEqual([3, 5, 7]);
    expect(MAX_AUTOMATIC_ATTEMPTS).toBe(4);
  });
});
