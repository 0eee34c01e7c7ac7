import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { cancelGiftAction, changeGiftAction } from "@/app/manage/actions";
import ManagePage from "@/app/manage/page";
import { getDb } from "@/db";
import { giftRequests, recurringGifts } from "@/db/schema";
import { rotateManageKey, signManageToken } from "@/lib/supporters/manage-links";
import { useTestDatabase } from "../../../support/database";
import { ensureGiftProducts, startRecurringGift } from "../../../support/gifts";
import { drainUntilSettled } from "../../../support/ledger";
import { controlFlowOf } from "../../../support/next";
import { deliver, eventsAfter, lastEventId, sandboxStripe, usePrivateSandbox } from "../../../support/stripe";

// Next's router exists only in a browser page; the page is rendered here on the server alone.
vi.mock("next/navigation", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), useRouter: () => ({ refresh() {} }) }));
// Revalidating needs Next's request store, which a direct call of the action has not; what it does
// in the browser (the page read again after the action) is proved in tests/e2e/supporters-*.spec.ts.
vi.mock("next/cache", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), revalidatePath: () => {} }));

usePrivateSandbox();
const database = useTestDatabase();

const render = async (params: Record<string, string>) => renderToStaticMarkup(await ManagePage({ searchParams: Promise.resolve(params) }));

async function recordedGift(locale = "en") {
  const { marker, subscriptionId } = await startRecurringGift({ email: `page-${randomUUID().slice(0, 8)}@example.org`, amount: 1000, metadata: { locale } });
  await deliverSince(marker);
  const [gift] = await getDb().select().from(recurringGifts).where(eq(recurringGifts.stripeSubscriptionId, subscriptionId));

  return { gift: gift!, subscriptionId };
}

async function deliverSince(marker: string | undefined) {
  await deliver(await eventsAfter(marker));
  await drainUntilSettled();
}

/** A server action as a form post calls it; its redirect (Next's thrown control flow) is returned. */
async function post(serverAction: typeof changeGiftAction, fields: Record<string, string>) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  try {
    return { state: await serverAction(null, form), redirectedTo: null };
  } catch (error) {
    const flow = controlFlowOf(error);
    if (flow?.kind !== "redirect") throw error;

    return { state: null, redirectedTo: flow.to };
  }
}

describe(`/manage on ${database.kind}`, () => {
  beforeAll(async () => {
    await ensureGiftProducts();
  });

  it("shows the link's gift, its next payment and the forms its state allows, each carrying the link", async () => {
    const { gift } = await recordedGift();
    const token = signManageToken(gift, new Date());
    const page = await render({ token });
    expect(page).toContain('<h1 id="manage-heading">Your recurring gift</h1>');
    expect(page).toContain("Monthly gift of €10.00");
    expect(page).toMatch(/Next payment: €10\.00 on \d{1,2} \w+ \d{4}\./);
    for (const button of ["Change my gift", "Pause my gift", "Update my card", "Cancel my gift", "Pause for a month instead"]) expect(page).toContain(`>${button}</button>`);
    expect(page).not.toContain("Resume now");
    expect(page).toContain(`name="token" value="${token}"`);
    expect(page).toContain(`name="recurringGiftId" value="${gift.id}"`);
    expect(page).toContain('data-testid="fresh-link"');
    // What a post without JavaScript sends is in the markup: the amount, the frequency, the currency.
    expect(page).toMatch(/<input[^>]*value="10"[^>]*name="amount"|<input[^>]*name="amount"[^>]*value="10"/);
    expect(page).toMatch(/<input type="radio" name="frequency" checked="" value="monthly"\/>/);
    expect(page).toContain('<input type="hidden" name="currency" value="eur"/>');
    // Labels for every field.
    for (const id of page.matchAll(/<(?:input|select|textarea)[^>]* id="([^"]+)"/g)) expect(page).toContain(`for="${id[1]}"`);
  });

  it("is in the gift's language, or the one the address asks for", async () => {
    const { gift } = await recordedGift("ru");
    const token = signManageToken(gift, new Date());
    const ru = await render({ token });
    expect(ru).toContain('lang="ru"');
    expect(ru).toContain("Ваш регулярный подарок");
    expect(ru).toContain("Отменить подарок");
    expect(await render({ token, lang: "en" })).toContain("Your recurring gift");
  });

  it("says why a link does not work: missing, altered, expired, replaced", async () => {
    const { gift } = await recordedGift();
    expect(await render({})).toContain('data-testid="manage-invalid-missing"');
    const token = signManageToken(gift, new Date());
    expect(await render({ token: `${token.slice(0, -3)}xyz` })).toContain('data-testid="manage-invalid-revoked"');
    expect(await render({ token: `x${token}` })).toContain('data-testid="manage-invalid-tampered"');
    // Made long ago: its 30 days are over whatever today is.
    const expired = await render({ token: signManageToken(gift, new Date(Date.UTC(2001, 0, 1))) });
    expect(expired).toContain('data-testid="manage-invalid-expired"');
    expect(expired).toContain("This link has expired");
    expect(expired).not.toContain("recurringGiftId");
    await rotateManageKey(getDb(), gift.id);
    const revoked = await render({ token });
    expect(revoked).toContain('data-testid="manage-invalid-revoked"');
    expect(revoked).not.toContain("€10.00");
  });

  it("changes the amount from the page's form: back to the page, pending until Stripe's webhook, then the new amount", async () => {
    const { gift, subscriptionId } = await recordedGift();
    const token = signManageToken(gift, new Date());
    const marker = await lastEventId();
    const { redirectedTo } = await post(changeGiftAction, { token, recurringGiftId: gift.id, attemptId: randomUUID(), currency: "eur", amount: "15", frequency: "monthly", lang: "en" });
    expect(redirectedTo).toBe(`/manage?${new URLSearchParams({ token }).toString()}#gift-${gift.id}`);
    const pending = await render({ token });
    expect(pending).toContain("Changing to €15.00 a month — waiting for Stripe to confirm");
    expect((await sandboxStripe().subscriptions.retrieve(subscriptionId)).items.data[0]!.price.unit_amount).toBe(1500);

    await deliverSince(marker);
    const settled = await render({ token });
    expect(settled).not.toContain("waiting for Stripe to confirm");
    expect(settled).toContain("Monthly gift of €15.00");
  });

  it("answers a form it cannot accept with the problem, and changes nothing", async () => {
    const { gift, subscriptionId } = await recordedGift();
    const other = await recordedGift();
    const token = signManageToken(gift, new Date());
    const tooSmall = await post(changeGiftAction, { token, recurringGiftId: gift.id, attemptId: randomUUID(), currency: "eur", amount: "0.10", frequency: "monthly", lang: "en" });
    expect(tooSmall.state).toMatchObject({ ok: false, code: "INVALID_INPUT", fieldErrors: { amount: expect.stringContaining("at least") } });
    // This gift's link, another gift's id: not found.
    const stranger = await post(cancelGiftAction, { token, recurringGiftId: other.gift.id, attemptId: randomUUID(), lang: "en" });
    expect(stranger.state).toMatchObject({ ok: false, code: "NOT_FOUND" });
    // An expired link: refused before anything is read.
    const expired = await post(cancelGiftAction, { token: signManageToken(gift, new Date(Date.UTC(2001, 0, 1))), recurringGiftId: gift.id, attemptId: randomUUID(), lang: "en" });
    expect(expired.state).toMatchObject({ ok: false, code: "FORBIDDEN" });
    for (const id of [gift.id, other.gift.id]) expect(await getDb().select().from(giftRequests).where(eq(giftRequests.recurringGiftId, id))).toEqual([]);
    expect(await sandboxStripe().subscriptions.retrieve(other.subscriptionId)).toMatchObject({ cancel_at_period_end: false });
    expect(await sandboxStripe().subscriptions.retrieve(subscriptionId)).toMatchObject({ cancel_at_period_end: false });
  });
});
