import { describe, expect, it } from "vitest";
import { checkCard, offSessionOutcome, passesLuhn, TEST_CARDS } from "../../stripe-sandbox/cards";

describe("test cards", () => {
  it("knows test cards from real ones", () => {
    expect(passesLuhn("4242424242424242")).toBe(true);
    expect(passesLuhn("4242424242424241")).toBe(false);
    const now = Math.floor(Date.UTC(2026, 10, 29) / 1000);
    expect(checkCard({ number: "4242 4242 4242 4242", expiry: "12/30", cvc: "123" }, now)).toMatchObject({ ok: true });
    expect(checkCard({ number: "4242424242424242", expiry: "10/26", cvc: "123" }, now)).toMatchObject({ ok: false, param: "exp" });
    expect(checkCard({ number: "4111111111111111" }, now)).toMatchObject({ ok: false, code: "card_declined" });
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
});
