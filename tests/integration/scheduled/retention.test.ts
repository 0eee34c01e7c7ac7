import { describe, expect, it } from "vitest";
import { getDb, rawQuery } from "@/db";
import { rateLimits, sessions, spentChallenges, users, verificationTokens } from "@/db/schema";
import { runScheduledWork } from "@/lib/scheduled/run";
import { useTestDatabase } from "../../support/database";

useTestDatabase();

// The scheduled work's own clock, passed in: a day in June (no yearly statements), nothing to do
// with today's date.
const NOW = new Date("2031-06-15T12:00:00Z");
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const rows = async (table: string, column: string) => (await rawQuery<{ v: string }>(`select ${column} as v from ${table} order by 1`, [])).map((row) => row.v);

describe("retention on schedule (the hourly scheduled work)", () => {
  it("deletes expired rate-limit counters, spent challenges, sessions and sign-in links, and keeps what is still live", async () => {
    const db = getDb();
    const [user] = await db.insert(users).values({ email: "kept-and-gone@example.org" }).returning({ id: users.id });
    await db.insert(sessions).values([
      { sessionToken: "session-expired", userId: user!.id, expires: at(-1) },
      { sessionToken: "session-live", userId: user!.id, expires: at(60 * 24) },
    ]);
    await db.insert(verificationTokens).values([
      { identifier: "kept-and-gone@example.org", token: "link-expired", expires: at(-5) },
      { identifier: "kept-and-gone@example.org", token: "link-live", expires: at(8) },
    ]);
    await db.insert(rateLimits).values([
      { key: "limit-expired", points: 3, expire: at(-30) },
      { key: "limit-live", points: 1, expire: at(30) },
    ]);
    await db.insert(spentChallenges).values([
      { signature: "challenge-expired", expiresAt: at(-1) },
      { signature: "challenge-live", expiresAt: at(10) },
    ]);

    const result = await runScheduledWork(NOW);

    expect(result.expiredSignIns).toEqual({ sessions: 1, signInLinks: 1 });
    expect(result.expiredLimits).toEqual({ rateLimits: 1, spentChallenges: 1 });
    expect(await rows("sessions", "session_token")).toEqual(["session-live"]);
    expect(await rows("verification_tokens", "token")).toEqual(["link-live"]);
    expect(await rows("rate_limits", "key")).toEqual(["limit-live"]);
    expect(await rows("spent_challenges", "signature")).toEqual(["challenge-live"]);
    // The person is not deleted for their session's ending: only what signed them in.
    expect(await rows("users", "email")).toEqual(["kept-and-gone@example.org"]);

    // Again: nothing left to delete.
    const again = await runScheduledWork(NOW);
    expect(again.expiredSignIns).toEqual({ sessions: 0, signInLinks: 0 });
    expect(again.expiredLimits).toEqual({ rateLimits: 0, spentChallenges: 0 });
  });
});
