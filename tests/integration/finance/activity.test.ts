import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db";
import { reminders, staffMembers } from "@/db/schema";
import { reminderFunnel } from "@/lib/finance/activity";
import { rollupDifferences } from "@/lib/finance/rollup-check";
import { nobody } from "@/lib/supporters/actor";
import { signedIn } from "../../support/actors";
import { useTestDatabase } from "../../support/database";

const database = useTestDatabase();

const MARCH = { from: "2025-03-01", to: "2025-03-31" };

/** A reminder set at `createdAt` (UTC), as the widget leaves it: scheduled, a month away. */
async function reminder(createdAt: string, fields: { campaign?: string | null; email?: string | null } = {}): Promise<string> {
  const email = fields.email === undefined ? "reader@example.org" : fields.email;
  const [row] = await getDb()
    .insert(reminders)
    .values({
      visitorId: `visitor-${createdAt}-${Math.random()}`,
      email,
      emailGiven: email !== null,
      choice: "month",
      locale: "en",
      dueAt: new Date(Date.parse(createdAt) + 30 * 24 * 3600 * 1000),
      frequency: "monthly",
      amountMinor: 1000,
      currency: "eur",
      campaign: fields.campaign === undefined ? "spring" : fields.campaign,
      createdAt: new Date(createdAt),
    })
    .returning({ id: reminders.id });

  return row!.id;
}

const sent = (id: string) => getDb().update(reminders).set({ status: "sent", sentAt: new Date("2025-04-15T09:00:00Z"), email: null }).where(eq(reminders.id, id));

let finance: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  await getDb().insert(staffMembers).values({ email: "books@paper.example", role: "finance", grantedBy: "test" });
  finance = await signedIn("books@paper.example");
});

describe(`the reminders' funnel on ${database.kind}`, () => {
  it("counts reminders set in the period by campaign, through sending and the gifts that followed, from its rollup", async () => {
    // At the period's edges: the last second of February and the first of April are outside it.
    await reminder("2025-02-28T23:59:59Z");
    await reminder("2025-04-01T00:00:00Z");
    const first = await reminder("2025-03-01T00:00:00Z");
    const reminded = await reminder("2025-03-10T12:00:00Z");
    const gaveAfter = await reminder("2025-03-11T12:00:00Z");
    const gaveBefore = await reminder("2025-03-12T12:00:00Z");
    const cancelled = await reminder("2025-03-13T12:00:00Z");
    await reminder("2025-03-31T23:59:59Z", { email: null });
    await reminder("2025-03-20T08:00:00Z", { campaign: null });
    const withdrawn = await reminder("2025-03-21T08:00:00Z", { campaign: null });

    await sent(reminded);
    await sent(gaveAfter);
    await getDb().update(reminders).set({ gaveAt: new Date("2025-04-16T10:00:00Z") }).where(eq(reminders.id, gaveAfter));
    await getDb().update(reminders).set({ status: "gave", gaveAt: new Date("2025-03-14T10:00:00Z"), email: null }).where(eq(reminders.id, gaveBefore));
    await getDb().update(reminders).set({ status: "cancelled", cancelledAt: new Date("2025-03-14T10:00:00Z"), email: null }).where(eq(reminders.id, cancelled));
    // Moved out of the campaign, and one removed: the rollup follows both.
    await getDb().update(reminders).set({ campaign: null }).where(eq(reminders.id, first));
    await getDb().delete(reminders).where(eq(reminders.id, withdrawn));

    expect(await reminderFunnel(finance, MARCH, getDb())).toEqual([
      { campaign: "spring", set: 5, withEmail: 4, sent: 2, gaveBeforeDue: 1, gaveAfterReminder: 1 },
      { campaign: "", set: 2, withEmail: 2, sent: 0, gaveBeforeDue: 0, gaveAfterReminder: 0 },
    ]);
    expect(await reminderFunnel(finance, { from: "2025-04-01", to: "2025-04-01" }, getDb())).toEqual([
      { campaign: "spring", set: 1, withEmail: 1, sent: 0, gaveBeforeDue: 0, gaveAfterReminder: 0 },
    ]);
    expect(await reminderFunnel(finance, { from: "2025-01-01", to: "2025-01-31" }, getDb())).toEqual([]);
    expect(await rollupDifferences(getDb())).toEqual([]);
  });

  it("is for finance staff only", async () => {
    await expect(reminderFunnel(await signedIn("reader@example.org"), MARCH, getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(reminderFunnel(nobody, MARCH, getDb())).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
