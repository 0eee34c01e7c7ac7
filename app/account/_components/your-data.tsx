import { accountActiveRecurringGiftCount, accountStatementYears } from "@/db/queries/account";
import { fill, type Locale, messagesFor } from "@/lib/i18n";
import type { Actor } from "@/lib/supporters/actor";
import { EraseForm } from "./your-data-erase-form";

/** Yearly statements (PDF), the JSON export, and erasure with its warning. */
export async function YourData({ actor, locale }: { actor: Actor; locale: Locale }) {
  const m = messagesFor(locale).accountData;
  const years = await accountStatementYears(actor);
  const active = await accountActiveRecurringGiftCount(actor);

  return (
    <>
      <section aria-labelledby="statements-heading" data-testid="statements">
        <h2 id="statements-heading">{m.statement.heading}</h2>
        <p>{m.statement.intro}</p>
        {years.length === 0 ? (
          <p>{m.statement.none}</p>
        ) : (
          <ul>
            {years.map((year) => (
              <li key={year}>
                <a href={`/account/statement?year=${year}&lang=${locale}`} download>
                  {fill(m.statement.link, { year: String(year) })}
                </a>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="your-data-heading" data-testid="your-data">
        <h2 id="your-data-heading">{m.data.heading}</h2>
        <p>{m.data.exportIntro}</p>
        <p>
          <a href="/account/export" download>
            {m.data.export}
          </a>
        </p>
        <EraseForm m={m.data} locale={locale} activeRecurringGifts={active} activeText={fill(m.data.eraseActive, { count: String(active) })} />
      </section>
    </>
  );
}
