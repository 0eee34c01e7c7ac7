import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/donate/receipt/route";
import { getDb } from "@/db";
import { verifyManageToken } from "@/lib/supporters/manage-links";
import { useTestDatabase } from "../../../../support/database";
import { ensureGiftProducts, giveOnce, startRecurringGift } from "../../../../support/gifts";
import { drainUntilSettled } from "../../../../support/ledger";
import { deliver, eventsAfter, lastEventId } from "../../../../support/stripe";

const database = useTestDatabase();

const receipt = async (sessionId: string) => GET(new Request(`http://localhost:3000/donate/receipt?session_id=${sessionId}`));

describe(`the saved receipt on ${database.kind}`, () => {
  beforeAll(async () => {
    await ensureGiftProducts();
  });

  it("of a discreet recurring gift carries its private manage link", async () => {
    const { marker, session } = await startRecurringGift({ metadata: { discreet: "silent", locale: "ru" } });
    await deliver(await eventsAfter(marker));
    await drainUntilSettled();
    const response = await receipt(session.id);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Ваша личная ссылка на этот подарок");
    const url = /<a href="([^"]+)">/.exec(html)![1]!.replaceAll("&#38;", "&");
    expect(new URL(url).searchParams.get("lang")).toBe("ru");
    // The app signs the link with the real time it is made at, so it is checked at the real time too.
    const check = await verifyManageToken(new URL(url).searchParams.get("token")!, getDb(), new Date());
    expect(check.ok).toBe(true);
  });

  it("of a one-time gift has none", async () => {
    const marker = await lastEventId();
    const { session } = await giveOnce({ metadata: { discreet: "silent" } });
    await deliver(await eventsAfter(marker));
    await drainUntilSettled();
    const html = await (await receipt(session.id)).text();
    expect(html).not.toContain("/manage?");
  });
});
