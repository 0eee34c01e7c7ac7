import { getDb } from "@/db";
import { currentActor } from "@/lib/auth/current-actor";
import { type Locale, messagesFor } from "@/lib/i18n";
import type { Actor } from "@/lib/supporters/actor";
import { recurringGiftsOf } from "@/lib/supporters/recurring-gifts";
import { RecurringGiftManager } from "./recurring-gift-manager";

/**
 * The account's section of recurring gifts: each of the signed-in supporter's gifts with the same
 * management as a manage link's page. Reads the actor itself (the data layer checks whose gifts they
 * are), so the account page adds it with one element: <RecurringGifts locale={locale} />.
 */
export async function RecurringGifts({ locale, actor }: { locale: Locale; actor?: Actor }) {
  const who = actor ?? (await currentActor());
  const gifts = await recurringGiftsOf(who, getDb(), new Date());
  const m = messagesFor(locale);

  return (
    <section aria-labelledby="recurring-gifts-heading" data-testid="account-recurring-gifts">
      <h2 id="recurring-gifts-heading">{m.manage.accountTitle}</h2>
      {gifts.length === 0 ? (
        <p>{m.manage.none}</p>
      ) : (
        gifts.map((gift) => <RecurringGiftManager key={gift.id} gift={gift} locale={locale} m={m} token={null} level={3} />)
      )}
    </section>
  );
}
