import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../support/database";
import { captureLog } from "../../support/log";

// No proxy named: the app as `npm start` runs it, reached directly (set before the environment is read).
delete process.env.CLIENT_IP_HEADER;
const log = captureLog();
useTestDatabase();

const { POST: checkout } = await import("@/app/api/checkout/route");

const request = (forwardedFor: string) =>
  new Request("http://localhost:3000/api/checkout", {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": forwardedFor },
    body: JSON.stringify({ frequency: "once", currency: "eur", amount: "25", locale: "en", attemptId: randomUUID() }),
  });

describe("without CLIENT_IP_HEADER (no proxy in front, as with npm start)", () => {
  it("believes no address a request carries: every request shares one counter, and the app says so once", async () => {
    // Next fills X-Forwarded-For only when a request has none, so here the client writes it: six
    // different addresses are still one client to the limits.
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push((await checkout(request(`203.0.113.${i}`))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 428]);
    const warnings = log.lines().filter((line) => line.level === "warn" && /CLIENT_IP_HEADER is not set/.test(line.msg));
    expect(warnings).toHaveLength(1);
  });
});
