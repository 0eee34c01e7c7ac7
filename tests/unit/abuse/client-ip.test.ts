import { describe, expect, it } from "vitest";
import { forwardedClientAddress, parseIp, rateLimitSubject } from "@/lib/abuse/client-ip";

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
