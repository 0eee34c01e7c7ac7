import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../../../support/database";

// Read when the app first reads its environment, in the database setup below.
const SECRET = "cron-secret-for-tests-0123456789abcdef";
process.env.CRON_SECRET = SECRET;
const database = useTestDatabase();

// Imported only once the secret is in the environment (static imports would run first).
const call = async (authorization?: string) => {
  const { POST } = await import("@/app/api/cron/route");

  return POST(new Request("http://localhost:3000/api/cron", { method: "POST", headers: authorization ? { authorization } : {} }));
};

describe(`POST /api/cron on ${database.kind}`, () => {
  it("refuses a call without the secret, or with a wrong one, and runs nothing", async () => {
    for (const header of [undefined, "Bearer wrong", `Bearer ${SECRET}x`, SECRET, `Basic ${SECRET}`]) {
      const response = await call(header);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "Authorization: Bearer <CRON_SECRET> is required" });
    }
  });

  it("runs due work with the secret and says what it did", async () => {
    const response = await call(`Bearer ${SECRET}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { scheduled: unknown; webhooks: { processed: number }; emails: { sent: number } };
    expect(body).toMatchObject({ webhooks: { processed: 0, failed: 0 }, emails: { sent: 0, retried: 0, failed: 0 } });
    expect(body.scheduled).toHaveProperty("supporters");
  });
});
