import "./lib/allow-server-only";
import { parseArgs } from "node:util";

/**
 * `npm run backfill:events -- --since 2026-12-01T00:00:00Z [--until …] [--apply]`: after an outage
 * longer than Stripe's three days of retries, brings every event Stripe created in the span into
 * the inbox (lib/stripe/webhooks/backfill-events.ts). The running instances' workers apply what is
 * new; with --apply this command applies it before it exits. Safe to repeat. Then check the period
 * at /finance/reconcile.
 */
const { backfillStripeEvents, STRIPE_EVENT_RETENTION_DAYS } = await import("@/lib/stripe/webhooks/backfill-events");
const { drainStripeEvents } = await import("@/lib/stripe/webhooks/apply-events");
const { closeDb } = await import("@/db");
const { migrateDatabase } = await import("@/db/migrate");
const { EnvError } = await import("@/lib/env");
const { describeError } = await import("@/lib/log");

const usage = "Usage: npm run backfill:events -- --since 2026-12-01T00:00:00Z [--until 2026-12-05T00:00:00Z] [--apply]";

function instant(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  // A day, or a time with its offset: never a local time whose zone the reader has to guess.
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(Date.parse(value))) {
    console.error(`--${name} must be a day (2026-12-01, midnight UTC) or a time with its offset (2026-12-01T06:00:00Z): ${value}\n${usage}`);
    process.exit(2);
  }

  return new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
}

const { values } = parseArgs({ options: { since: { type: "string" }, until: { type: "string" }, apply: { type: "boolean", default: false } } });
const since = instant("since", values.since);
const until = instant("until", values.until) ?? new Date();
if (!since) {
  console.error(usage);
  process.exit(2);
}
if (since >= until) {
  console.error(`--since must be before --until (${until.toISOString()}).`);
  process.exit(2);
}
if (Date.now() - since.getTime() > STRIPE_EVENT_RETENTION_DAYS * 24 * 3600 * 1000) {
  console.error(`Stripe lists events of the last ${STRIPE_EVENT_RETENTION_DAYS} days only: --since ${since.toISOString()} is further back. For older gaps, repair the period at /finance/reconcile.`);
  process.exit(2);
}

try {
  await migrateDatabase();
  const result = await backfillStripeEvents({ since, until });
  console.log(
    `${result.listed} events listed by Stripe from ${since.toISOString()} to ${until.toISOString()}: ${result.stored} new to the inbox, ` +
      `${result.duplicate} already there, ${result.ignored} new of types we do not act on.`,
  );
  if (values.apply) {
    const { processed, failed } = await drainStripeEvents();
    console.log(
      `${processed} events applied, ${failed} failed; what is still waiting (on an event it depends on, or after a failure) is retried by the workers, who also send the emails the events queued.`,
    );
  } else if (result.stored > 0) {
    console.log("The running instances' workers apply them within seconds (or run this again with --apply).");
  }
  await closeDb();
} catch (error) {
  console.error(error instanceof EnvError ? error.message : `The backfill failed: ${describeError(error)}`);
  process.exit(1);
}
