import { describe, expect, it } from "vitest";
import { describeError } from "@/lib/log";

describe("describeError", () => {
  it("takes addresses and IPs others put in an error's text out of what we log and store, and keeps the rest", () => {
    expect(describeError(new Error("relation \"x\" does not exist at 10.0.0.5"))).toBe('Error: relation "x" does not exist at [address]');
    const refused = Object.assign(new Error("connect ECONNREFUSED 192.168.1.20:5432"), { code: "ECONNREFUSED" });
    expect(describeError(refused)).toBe("Error(ECONNREFUSED): connect ECONNREFUSED [address]:5432");
    expect(describeError(new Error("550 5.1.1 <Reader.Name@Example.org>: mailbox unavailable"))).toBe("Error: 550 5.1.1 <[email]>: mailbox unavailable");
    expect(describeError("No such customer for someone@example.org")).toBe("No such customer for [email]");
    // The machine's own loopback, and version numbers, are nobody's.
    expect(describeError(new Error("connect ECONNREFUSED 127.0.0.1:5432"))).toBe("Error: connect ECONNREFUSED 127.0.0.1:5432");
    expect(describeError(new Error("needs PostgreSQL 15.4 or later"))).toBe("Error: needs PostgreSQL 15.4 or later");
  });
});
