import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import ThankYouPage from "@/app/donate/thank-you/page";
import { getDb } from "@/db";
import { verifyManageToken } from "@/lib/supporters/manage-links";
import { useTestDatabase } from "../../../../support/database";
import { ensureGiftProducts, startRecurringGift } from "../../../../support/gifts";
import { drainUntilSettled } from "../../../../support/ledger";
import { deliver, eventsAfter } from "../../../../support/stripe";

// The page reads the language proxy.ts decided from the request's headers; here there is no request.
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-readerfund-locale": "en" }) }));

const database = useTestDatabase();

const render = async (sessionId: string) => renderToStaticMarkup(await ThankYouPage({ searchParams: Promise.resolve({ session_id: sessionId, lang: "en" }) }));
const linkIn = (page: string) => /href="(http:\/\/localhost:3000\/manage\?token=[^"]+)"/.exec(page)?.[1]?.replaceAll("&amp;", "&");

async function recorded(metadata: Record<string, string> = {}) {
  const { marker, session } = await startRecurringGift({ email: `thanks-${crypto.randomUUID().slice(0, 8)}@example.org`, metadata });
  await deliver(await eventsAfter(marker));
  await drainUntilSettled();

  return session;
}

describe(`the thank-you page of a recurring gift on ${database.kind}`, () => {
  beforeAll(async () => {
    await ensureGiftProducts();
  });

  it("links to the gift's management, a link that opens that gift", async () => {
    const session = await recorded();
    const page = await render(session.id);
    expect(page).toContain('data-testid="manage-link"');
    expect(page).not.toContain('data-testid="private-manage-link"');
    const url = new URL(linkIn(page)!);
    const check = await verifyManageToken(url.searchParams.get("token")!, getDb(), new Date());
    expect(check.ok).toBe(true);
  });

  it("gives a discreet giver with no email a private link to save, saying plainly it is the only way to the gift", async () => {
    const session = await recorded({ discreet: "silent" });
    const page = await render(session.id);
    expect(page).toContain('data-testid="private-manage-link"');
    expect(page).toContain("this link is the only way to reach your gift");
    const url = linkIn(page)!;
    // Shown as text too, to copy or print.
    expect(page).toContain(`<code>${url.replaceAll("&", "&amp;")}</code>`);
    // The app signs the link with the real time it is made at, so it is checked at the real time too.
    const check = await verifyManageToken(new URL(url).searchParams.get("token")!, getDb(), new Date());
    expect(check.ok).toBe(true);
  });
});
