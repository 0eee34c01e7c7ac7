import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { someClient } from "../support/clients";
import { useTestDatabase } from "../support/database";
import { captureLog } from "../support/log";

// The log level and the database must be set before the app's modules read their environment.
const log = captureLog();
useTestDatabase();

const { POST: checkout } = await import("@/app/api/checkout/route");
const { POST: remind } = await import("@/app/api/reminders/route");
const { GET: pickerFragment } = await import("@/app/embed/v1/picker/route");

const giftBody = { frequency: "once", currency: "eur", amount: "25", locale: "en" };

describe("bad input and small defects found outside testing", () => {
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

  it('refuses an amount with two currency signs ("$25$") or another currency\'s sign, naming the amount', async () => {
    for (const amount of ["$25$", "$25", "€25€"]) {
      const response = await checkout(
        new Request("http://localhost:3000/api/checkout", {
          method: "POST",
          headers: { "content-type": "application/json", ...someClient() },
          body: JSON.stringify({ ...giftBody, amount, attemptId: randomUUID() }),
        }),
      );
      expect({ amount, status: response.status }).toEqual({ amount, status: 422 });
      expect(((await response.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors).toHaveProperty("amount");
    }
  });

  it("renders the picker for a campaign named with a NUL (campaign=%00) with no error in the log", async () => {
    const response = await pickerFragment(new Request("http://localhost:3000/embed/v1/picker?lang=en&campaign=%00"));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Support independent journalism");
    expect(log.lines().filter((line) => line.level === "error" || line.level === "warn")).toEqual([]);
  });
});
