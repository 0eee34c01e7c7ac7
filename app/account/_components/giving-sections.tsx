import { currentActor } from "@/lib/auth/current-actor";
import { type Locale, messagesFor } from "@/lib/i18n";
import { requestLocale } from "@/lib/i18n/request";
import type { Actor } from "@/lib/supporters/actor";
import { preferencesOf } from "@/lib/supporters/preferences";
import { GivingOverview } from "./giving-overview";
import { PreferencesForm } from "./preferences-form";
import { YourData } from "./your-data";

/**
 * The account's data half, in one element for app/account/page.tsx: payments and receipts,
 * preferences, statements, export and erasure. Each part asks the data layer with the actor.
 */
export async function AccountDataSections(props: { actor?: Actor; locale?: Locale }) {
  const actor = props.actor ?? (await currentActor());
  const locale = props.locale ?? (await requestLocale());
  const m = messagesFor(locale).accountData;
  if (actor.kind !== "supporter") return null;
  const preferences = await preferencesOf(actor);

  return (
    <>
      <GivingOverview actor={actor} locale={locale} />
      {preferences ? (
        <PreferencesForm initial={preferences} m={m.preferences} />
      ) : (
        <section aria-labelledby="preferences-heading">
          <h2 id="preferences-heading">{m.preferences.heading}</h2>
          <p>{m.preferences.noSupporter}</p>
        </section>
      )}
      <YourData actor={actor} locale={locale} />
    </>
  );
}
