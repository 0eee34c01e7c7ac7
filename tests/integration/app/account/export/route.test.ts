import { describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { reminders } from "@/db/schema";
import { nobody } from "@/lib/supporters/actor";
import { exportResponse } from "@/app/account/export/respond";
import { signedIn } from "../../../../support/actors";
import { useTestDatabase } from "../../../../support/database";
import { giveOnceAndSettle } from "../../../../support/email-suite";

const database = useTestDatabase();

describe(`GET /account/export on ${database.kind}`, () => {
  it("downloads everything we hold about the owner and nothing about anyone else", async () => {
    await giveOnceAndSettle("export-owner@example.org", { amount: 2500, currency: "eur" });
    await giveOnceAndSettle("export-other@example.org", { amount: 900, currency: "usd" });
    await getDb()
      .insert(reminders)
      .values({ visitorId: "v-export", email: "export-owner@example.org", emailGiven: true, choice: "month", locale: "en", dueAt: new Date("2030-01-01T00:00:00Z"), frequency: "once", amountMinor: 1500, currency: "eur" });
    const owner = await signedIn("export-owner@example.org");

    const response = await exportResponse(owner);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="readerfund-my-data-\d{4}-\d{2}-\d{2}\.json"$/);
    const text = await response.text();
    const data = JSON.parse(text);
    expect(data.supporter.email).toBe("export-owner@example.org");
    expect(data.preferences).toEqual({ locale: "en", receipts: true, reminders: true, statements: true, discreet: false });
    expect(data.users.map((u: { email: string }) => u.email)).toEqual(["export-owner@example.org"]);
    expect(data.sessions).toHaveLength(1);
    expect(data.sessions[0]).not.toHaveProperty("sessionToken");
    expect(data.gifts).toHaveLength(1);
    expect(data.payments.map((p: { amountMinor: number; status: string }) => [p.amountMinor, p.status])).toEqual([[2500, "paid"]]);
    expect(data.stripeCustomers).toHaveLength(1);
    expect(data.reminders.map((r: { email: string }) => r.email)).toEqual(["export-owner@example.org"]);
    expect(data.emails.map((e: { template: string; toAddress: string }) => [e.template, e.toAddress])).toEqual([["receipt_one_time", "export-owner@example.org"]]);
    expect(text).not.toContain("export-other");

    expect((await exportResponse(nobody)).status).toBe(404);
    expect((await exportResponse({ kind: "manage_link", recurringGiftId: crypto.randomUUID() })).status).toBe(404);
  });
});
