import { randomUUID } from "node:crypto";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { RecurringGifts } from "@/app/account/_components/recurring-gifts";
import type { Actor } from "@/lib/supporters/actor";
import { useTestDatabase } from "../../../../support/database";
import { ensureGiftProducts, startRecurringGift } from "../../../../support/gifts";
import { drainUntilSettled } from "../../../../support/ledger";
import { deliver, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../../../support/stripe";

// Next's router exists only in a browser page; the section is rendered here on the server alone.
vi.mock("next/navigation", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), useRouter: () => ({ refresh() {} }) }));

usePrivateSandbox();
const database = useTestDatabase();

const render = async (actor: Actor, locale: "en" | "ru" = "en") => renderToStaticMarkup(await RecurringGifts({ locale, actor }));
const supporter = (email: string): Actor => ({ kind: "supporter", userId: randomUUID(), email });

describe(`the account's recurring gifts on ${database.kind}`, () => {
  beforeAll(async () => {
    await ensureGiftProducts();
  });

  it("lists the signed-in supporter's gifts with their state and forms, and no one else's", async () => {
    const marker = await lastEventId();
    await startRecurringGift({ email: "Anna@Example.org", amount: 1000 });
    const annual = await startRecurringGift({ email: "anna@example.org", amount: 12000, interval: "year" });
    await startRecurringGift({ email: "boris@example.org", amount: 777 });
    await sandboxStripe().subscriptions.update(annual.subscriptionId, { cancel_at_period_end: true });
    await deliver(await eventsAfter(marker));
    await drainUntilSettled();

    const page = await render(supporter("anna@example.org"));
    expect(page).toContain('<h2 id="recurring-gifts-heading">Your recurring gifts</h2>');
    expect(page.match(/data-testid="recurring-gift"/g)).toHaveLength(2);
    expect(page).toContain("Monthly gift of €10.00");
    expect(page).toContain("Annual gift of €120.00");
    expect(page).toMatch(/Ending on \d{1,2} \w+ \d{4}: nothing more will be taken\./);
    expect(page).toContain(">Keep my gift</button>");
    expect(page).not.toContain("€7.77");
    // The account's forms carry no link token: the session says who asks.
    expect(page).not.toContain('name="token"');

    expect(await render({ kind: "nobody" })).toContain("You have no recurring gifts.");
    expect(await render(supporter("nobody-here@example.org"))).not.toContain("recurring-gift\"");
    expect(await render(supporter("anna@example.org"), "ru")).toContain("Ваши регулярные подарки");
  });
});
