import { describe, expect, it } from "vitest";
import { dailyHash, hashEmail, hashIp, hashVisitorId } from "@/lib/abuse/hash";

describe("daily hashes", () => {
  const monday = new Date("2026-03-02T00:00:00.000Z");
  const mondayNight = new Date("2026-03-02T23:59:59.999Z");
  const tuesday = new Date("2026-03-03T00:00:00.000Z");

  it("are stable within a UTC day and differ across days", () => {
    expect(hashIp("203.0.113.7", monday)).toBe(hashIp("203.0.113.7", mondayNight));
    expect(hashIp("203.0.113.7", mondayNight)).not.toBe(hashIp("203.0.113.7", tuesday));
    expect(hashEmail("reader@example.org", monday)).not.toBe(hashEmail("reader@example.org", tuesday));
    expect(hashVisitorId("v_123", monday)).not.toBe(hashVisitorId("v_123", tuesday));
  });

  it("tell clients apart, and kinds apart", () => {
    expect(hashIp("203.0.113.7", monday)).not.toBe(hashIp("203.0.113.8", monday));
    expect(dailyHash("ip", "x", monday)).not.toBe(dailyHash("email", "x", monday));
  });

  it("treat an email as the same inbox however it was typed", () => {
    expect(hashEmail("  Reader@Example.ORG ", monday)).toBe(hashEmail("reader@example.org", monday));
    // One inbox however it is written: a +tag, and Gmail's dots.
    expect(hashEmail("reader+1@example.org", monday)).toBe(hashEmail("reader@example.org", monday));
    expect(hashEmail("Re.Ader+x@googlemail.com", monday)).toBe(hashEmail("reader@gmail.com", monday));
    expect(hashEmail("re.ader@example.org", monday)).not.toBe(hashEmail("reader@example.org", monday));
  });

  it("never contain the address or email, in any of their forms", () => {
    for (const [value, hash] of [
      ["203.0.113.7", hashIp("203.0.113.7", monday)],
      ["2001:db8::1", hashIp("2001:db8::1", monday)],
      ["reader@example.org", hashEmail("reader@example.org", monday)],
    ] as const) {
      expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
      for (const form of [value, Buffer.from(value).toString("hex"), Buffer.from(value).toString("base64url"), ...value.split(/[.:@]/).filter((p) => p.length > 2)]) {
        expect(hash).not.toContain(form);
      }
    }
  });
});
