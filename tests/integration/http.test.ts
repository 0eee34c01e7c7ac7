import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { someClient } from "../support/clients";
import { useTestDatabase } from "../support/database";

// The database must be chosen before the app's modules read their environment.
useTestDatabase();

const { POST: checkout } = await import("@/app/api/checkout/route");
const { POST: remind } = await import("@/app/api/reminders/route");

const giftBody = { frequency: "once", currency: "eur", amount: "25", locale: "en" };

describe("request bodies: the media type", () => {
  it("reads the content type case-insensitively, with parameters", async () => {
    for (const contentType of ["APPLICATION/JSON", "Application/Json; Charset=UTF-8"]) {
      const response = await checkout(
        new Request("http://localhost:3000/api/checkout", {
          method: "POST",
          headers: { "content-type": contentType, ...someClient() },
          body: JSON.stringify({ ...giftBody, attemptId: randomUUID() }),
        }),
      );
      expect({ contentType, status: response.status }).toEqual({ contentType, status: 200 });
    }
    const reminder = await remind(
      new Request("http://localhost:3000/api/reminders", {
        method: "POST",
        headers: { "content-type": "Application/JSON", ...someClient() },
        body: JSON.stringify({ visitorId: "v".repeat(20), choice: "month", locale: "en", picker: { frequency: "once", currency: "eur", amount: "10", coverFee: false } }),
      }),
    );
    expect(reminder.status).toBe(201);
    // Still refused: what is not JSON or a form.
    const text = await checkout(new Request("http://localhost:3000/api/checkout", { method: "POST", headers: { "content-type": "text/plain", ...someClient() }, body: "x" }));
    expect(text.status).toBe(415);
  });
});
