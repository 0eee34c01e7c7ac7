import { describe, expect, it } from "vitest";
import { forwardedClientAddress, parseIp, rateLimitSubject } from "@/lib/abuse/client-ip";
import { describeWait } from "@/lib/abuse/guard";
import { dailyHash, hashEmail, hashIp, hashVisitorId } from "@/lib/abuse/hash";
import { checkLimits, DEFAULT_LIMITS, MAX_WINDOW_SECONDS } from "@/lib/abuse/limits";
import { clientAddressOf } from "@/lib/http";

const withHeader = (name: string, value: string) => new Request("http://localhost:3000/api/checkout", { method: "POST", headers: { [name]: value } });

describe("forwardedClientAddress", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    // Only the right-most entry was added by our proxy; the ones to its left are the client's to choose.
    ["10.0.0.1, 203.0.113.7", "203.0.113.7"],
    ["1.1.1.1,198.51.100.20 ,  203.0.113.7 ", "203.0.113.7"],
    ["2001:DB8::1", "2001:db8::1"],
    ["198.51.100.1, 2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3::8a2e:370:7334"],
    ["[2001:db8::1]:51234", "2001:db8::1"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::1", "::1"],
  ])("reads x-forwarded-for %j as %j", (header, expected) => {
    expect(forwardedClientAddress(header)).toBe(expected);
  });

  it.each([
    "",
    " ",
    "unknown",
    "203.0.113.7, junk",
    "203.0.113.7,",
    "999.1.1.1",
    "1.2.3",
    "1.2.3.4.5",
    "01.2.3.4",
    "2001:db8::1::2",
    "fe80::1%eth0",
    "<script>alert(1)</script>",
    "1.2.3.4 5.6.7.8",
    `${"1".repeat(70)}`,
  ])("refuses %j (no falling back to an entry the client wrote)", (header) => {
    expect(forwardedClientAddress(header)).toBeNull();
  });

  it("is null without the header", () => {
    expect(forwardedClientAddress(null)).toBeNull();
  });

  it("reads from a request only the header CLIENT_IP_HEADER names (the tests' setup names x-forwarded-for)", () => {
    expect(clientAddressOf(withHeader("x-forwarded-for", "10.1.1.1, 203.0.113.8"))).toBe("203.0.113.8");
    expect(clientAddressOf(withHeader("cf-connecting-ip", "203.0.113.9"))).toBeNull();
    expect(clientAddressOf(new Request("http://localhost:3000/"))).toBeNull();
  });

  it("parses the address forms proxies write", () => {
    expect(parseIp("[::ffff:198.51.100.3]")).toBe("198.51.100.3");
    expect(parseIp("::FFFF:c633:6403")).toBe("198.51.100.3");
  });
});

describe("rateLimitSubject", () => {
  it("counts an IPv6 /64 as one client, however its addresses are written", () => {
    const subject = rateLimitSubject("2001:db8:1:2::1");
    expect(rateLimitSubject("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(subject);
    expect(rateLimitSubject("2001:0db8:0001:0002:0:0:0:7")).toBe(subject);
    expect(rateLimitSubject("2001:db8:1:3::1")).not.toBe(subject);
    expect(subject).toBe("2001:db8:1:2::/64");
  });

  it("keeps a whole IPv4 address", () => {
    expect(rateLimitSubject("203.0.113.7")).toBe("203.0.113.7");
    expect(rateLimitSubject("203.0.113.8")).not.toBe(rateLimitSubject("203.0.113.7"));
  });
});

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

describe("limits", () => {
  it("keep every window within a day, so no hash outlives its day by more than that", () => {
    expect(checkLimits(DEFAULT_LIMITS)).toBe(DEFAULT_LIMITS);
    const windows = Object.values(DEFAULT_LIMITS).flatMap((scope) => Object.values(scope).flatMap((levels) => Object.values(levels).map((limit) => limit.seconds)));
    expect(Math.max(...windows)).toBeLessThanOrEqual(MAX_WINDOW_SECONDS);
  });

  it("refuse windows over a day and empty counts", () => {
    expect(() => checkLimits({ ...DEFAULT_LIMITS, reminder: { email: { hard: { points: 3, seconds: MAX_WINDOW_SECONDS + 1 } } } })).toThrow(/reminder\.email\.hard/);
    expect(() => checkLimits({ ...DEFAULT_LIMITS, checkout: { ip: { hard: { points: 0, seconds: 60 } } } })).toThrow(/checkout\.ip\.hard/);
  });

  it("describe waits rounded up, in words", () => {
    expect(describeWait(1)).toBe("a minute");
    expect(describeWait(61)).toBe("2 minutes");
    expect(describeWait(12 * 60)).toBe("12 minutes");
    expect(describeWait(3600)).toBe("an hour");
    expect(describeWait(86_400)).toBe("24 hours");
  });
});
