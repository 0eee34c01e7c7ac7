import { and, desc, eq, gte, inArray, like, lt, or, sql, type SQL } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import { getDb, type Queryable, type Transaction } from "@/db";
import { stripeEvents, stripeEventStatus } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { audit, requireStaff } from "@/lib/staff/staff";
import { getWorkerStripe } from "@/lib/stripe/client";
import { drainStripeEvents } from "@/lib/stripe/webhooks/apply-events";
import { isHandledEventType } from "@/lib/stripe/webhooks/handlers";
import type { Actor } from "@/lib/supporters/actor";
import { addDays, type Period } from "./period";

export const INBOX_STATUSES = stripeEventStatus.enumValues;
export type InboxStatus = (typeof INBOX_STATUSES)[number];

const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const PAGE_SIZE = 50;
/** How much of an error the inbox shows: enough to see what failed, never a whole stack. */
const ERROR_SHOWN = 300;
/** The most events one replay may queue (a page's worth of checkboxes, twice over). */
export const MAX_REPLAY = 100;

/** A real calendar day as YYYY-MM-DD (2026-02-30 and 2026-13-01 are refused). */
const day = (what: string) =>
  z.string().refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);

    return ISO_DAY.test(value) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, `${what} must be a real date as YYYY-MM-DD`);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

/** The inbox's filter, as its GET form sends it; every field optional. */
export const ZInboxFilter = z
  .object({
    status: optional(
      z.enum(INBOX_STATUSES, {
        error: `status must be one of ${INBOX_STATUSES.join(", ")}`,
      }),
    ),
    // A type or the start of one: "charge." or "checkout.session.completed".
    type: optional(
      z
        .string()
        .trim()
        .max(100, "type is at most 100 characters")
        .regex(/^[a-z0-9_.]+$/, "type is an event type or its start, like charge.dispute."),
    ),
    from: optional(day("from")),
    to: optional(day("to")),
    // Part of an event id.
    q: optional(
      z
        .string()
        .trim()
        .max(255)
        .regex(/^[A-Za-z0-9_]+$/, "search takes letters, digits and _ from an event id"),
    ),
    after: optional(z.string().max(400)),
    limit: optional(z.coerce.number().int().min(1).max(200)),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    message: "from must not be after to",
    path: ["to"],
  });
export type TInboxFilter = z.input<typeof ZInboxFilter>;

export type InboxEvent = {
  id: string;
  type: string;
  status: InboxStatus;
  attempts: number;
  /** The last failure, shortened and with anything secret-looking masked; null when none. */
  lastError: string | null;
  receivedAt: Date;
  processedAt: Date | null;
  nextAttemptAt: Date;
  livemode: boolean;
  objectId: string | null;
};

export type InboxPage = { events: InboxEvent[]; next: string | null };

// The keyset cursor: the last row's received time (to the microsecond, as the database keeps it) and id.
function encodeCursor(receivedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([receivedAt, id])).toString("base64url");
}

function decodeCursor(cursor: string): { receivedAt: string; id: string } {
  try {
    const [receivedAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
    if (typeof receivedAt === "string" && !Number.isNaN(Date.parse(receivedAt)) && typeof id === "string" && EVENT_ID.test(id)) return { receivedAt, id };
  } catch {
    // Falls through to the refusal below.
  }
  throw new AppError("INVALID_INPUT", "That page link is not one of ours.", {
    fieldErrors: { after: "That page link is not one of ours." },
  });
}

/**
 * Shortens an error for the page and masks what should never be shown even to staff: API keys,
 * webhook secrets, signed links' tokens, email addresses.
 */
export function redactError(text: string | null): string | null {
  if (text === null) return null;
  const masked = text
    .replace(/\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]+/g, "$1_$2_…")
    .replace(/\bwhsec_[A-Za-z0-9]+/g, "whsec_…")
    .replace(/([?&](token|key|signature|sig)=)[^&\s"]+/gi, "$1…")
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, "(address)");

  return masked.length > ERROR_SHOWN ? `${masked.slice(0, ERROR_SHOWN - 1)}…` : masked;
}

function parseFilter(raw: TInboxFilter) {
  const parsed = ZInboxFilter.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? "form"), issue.message]));
    throw new AppError("INVALID_INPUT", Object.values(fieldErrors).join("; "), {
      fieldErrors,
    });
  }

  return parsed.data;
}

/**
 * The webhook inbox, newest first, for finance staff: what Stripe sent, what became of it, how often
 * it was tried and why it failed. Filtered by status, type (or its start), received days (UTC,
 * both ends included) and part of the id; paged by (received time, id) with `next` as the cursor.
 */
export async function inboxEvents(actor: Actor, filter: TInboxFilter, db: Queryable): Promise<InboxPage> {
  await requireStaff(actor, "finance", db);
  const f = parseFilter(filter);
  const limit = f.limit ?? PAGE_SIZE;
  const where: SQL[] = [];
  if (f.status) where.push(eq(stripeEvents.status, f.status));
  if (f.type) where.push(like(stripeEvents.type, `${f.type.replace(/_/g, "\\_")}%`));
  if (f.from) where.push(gte(stripeEvents.receivedAt, new Date(`${f.from}T00:00:00Z`)));
  if (f.to) where.push(lt(stripeEvents.receivedAt, new Date(`${addDays(f.to, 1)}T00:00:00Z`)));
  if (f.q) where.push(sql`position(${f.q} in ${stripeEvents.id}) > 0`);
  if (f.after) {
    const cursor = decodeCursor(f.after);
    where.push(
      or(
        lt(stripeEvents.receivedAt, sql`${cursor.receivedAt}::timestamptz`),
        and(eq(stripeEvents.receivedAt, sql`${cursor.receivedAt}::timestamptz`), lt(stripeEvents.id, cursor.id)),
      )!,
    );
  }
  const rows = await db
    .select({
      id: stripeEvents.id,
      type: stripeEvents.type,
      status: stripeEvents.status,
      attempts: stripeEvents.attempts,
      lastError: stripeEvents.lastError,
      receivedAt: stripeEvents.receivedAt,
      // The exact time as text, for the cursor: a Date keeps only milliseconds.
      receivedAtExact: sql<string>`to_char(${stripeEvents.receivedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      processedAt: stripeEvents.processedAt,
      nextAttemptAt: stripeEvents.nextAttemptAt,
      livemode: stripeEvents.livemode,
      objectId: stripeEvents.objectId,
    })
    .from(stripeEvents)
    .where(and(...where))
    .orderBy(desc(stripeEvents.receivedAt), desc(stripeEvents.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);

  return {
    events: page.map(({ receivedAtExact: _exact, lastError, ...row }) => ({
      ...row,
      lastError: redactError(lastError),
    })),
    next: rows.length > limit && last ? encodeCursor(last.receivedAtExact, last.id) : null,
  };
}

export type InboxCounts = Record<InboxStatus, number> & { total: number };

/** How many events were received in the period (UTC days), by what became of them. */
export async function inboxCounts(actor: Actor, period: Period, db: Queryable): Promise<InboxCounts> {
  await requireStaff(actor, "finance", db);
  const rows = await db
    .select({ status: stripeEvents.status, n: sql<number>`count(*)::int` })
    .from(stripeEvents)
    .where(and(gte(stripeEvents.receivedAt, new Date(`${period.from}T00:00:00Z`)), lt(stripeEvents.receivedAt, new Date(`${addDays(period.to, 1)}T00:00:00Z`))))
    .groupBy(stripeEvents.status);
  const counts = Object.fromEntries(INBOX_STATUSES.map((status) => [status, 0])) as InboxCounts;
  counts.total = 0;
  for (const row of rows) {
    counts[row.status] = Number(row.n);
    counts.total += Number(row.n);
  }

  return counts;
}

/**
 * Puts events back in the inbox as due now, each with the body it is applied from: a pending or
 * parked one keeps its own; one already applied (whose body we dropped) gets Stripe's copy, passed in
 * `bodies`. Its attempts start again and so does its age (the worker parks events by the time they
 * were received), and the applied time is cleared. Inserts the events it does not hold yet, as a
 * delivery would. Returns the ids queued.
 */
export async function requeueEvents(tx: Transaction, events: Array<{ id: string; body: Stripe.Event | null }>): Promise<string[]> {
  const queued: string[] = [];
  for (const { id, body } of events) {
    const object = body?.data?.object as { id?: unknown } | undefined;
    const rows = body
      ? await tx
          .insert(stripeEvents)
          .values({
            id,
            type: body.type,
            apiVersion: body.api_version ?? null,
            livemode: body.livemode === true,
            objectId: typeof object?.id === "string" ? object.id : null,
            stripeCreatedAt: new Date(body.created * 1000),
            payload: body,
            status: "pending",
          })
          .onConflictDoUpdate({
            target: stripeEvents.id,
            set: {
              status: "pending",
              payload: sql`coalesce(${stripeEvents.payload}, excluded.payload)`,
              attempts: 0,
              nextAttemptAt: sql`now()`,
              receivedAt: sql`now()`,
              processedAt: null,
            },
            // An event a worker holds right now is left to it.
            setWhere: sql`not (${stripeEvents.status} = 'pending' and coalesce(${stripeEvents.lockedUntil} > now(), false))`,
          })
          .returning({ id: stripeEvents.id })
      : await tx
          .update(stripeEvents)
          .set({
            status: "pending",
            attempts: 0,
            nextAttemptAt: sql`now()`,
            receivedAt: sql`now()`,
            processedAt: null,
          })
          .where(
            and(
              eq(stripeEvents.id, id),
              sql`${stripeEvents.payload} is not null`,
              sql`not (${stripeEvents.status} = 'pending' and coalesce(${stripeEvents.lockedUntil} > now(), false))`,
            ),
          )
          .returning({ id: stripeEvents.id });
    if (rows.length > 0) queued.push(id);
  }

  return queued;
}

export const ZReplay = z.object({
  ids: z.preprocess(
    (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string().trim()).min(1, "Choose at least one event to replay.").max(MAX_REPLAY, `At most ${MAX_REPLAY} events at a time.`),
  ),
  drain: z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean()).optional(),
});
export type TReplay = z.input<typeof ZReplay>;

export type ReplayOutcome = {
  queued: number;
  applied: { processed: number; failed: number } | null;
};

/**
 * Admins only: makes the chosen events due again, so the worker applies them once more. Handlers
 * re-read Stripe and every write is keyed by Stripe's ids, so applying an event again converges on
 * the same ledger. An applied or ignored event's body was dropped: it is fetched again from Stripe
 * (which keeps events for 30 days). Failed (parked) events start their attempts again. Unknown ids,
 * types we do not act on, and events Stripe no longer has are refused by name with nothing changed.
 * One audit line per call. With `drain`, applies due events at once rather than on the worker's turn.
 */
export async function replayEvents(actor: Actor, raw: TReplay, page: string): Promise<ReplayOutcome> {
  const db = getDb();
  await requireStaff(actor, "admin", db);
  const parsed = ZReplay.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Choose events to replay.";
    throw new AppError("INVALID_INPUT", message, {
      fieldErrors: { ids: message },
    });
  }
  const ids = [...new Set(parsed.data.ids)];
  const malformed = ids.filter((id) => !EVENT_ID.test(id));
  if (malformed.length > 0) refuse(`These are not event ids: ${malformed.join(", ")}.`);
  const rows = await db
    .select({
      id: stripeEvents.id,
      type: stripeEvents.type,
      hasBody: sql<boolean>`${stripeEvents.payload} is not null`,
    })
    .from(stripeEvents)
    .where(inArray(stripeEvents.id, ids));
  const known = new Map(rows.map((row) => [row.id, row]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) refuse(`The inbox has no event ${unknown.join(", ")}.`);
  const notOurs = rows.filter((row) => !isHandledEventType(row.type)).map((row) => `${row.id} (${row.type})`);
  if (notOurs.length > 0) refuse(`We do not act on these events' types, so replaying them would change nothing: ${notOurs.join(", ")}.`);

  // Bodies we dropped once applied come back from Stripe, all of them before anything changes.
  const stripe = getWorkerStripe();
  const bodies = new Map<string, Stripe.Event>();
  const gone: string[] = [];
  for (const row of rows) {
    if (row.hasBody) continue;
    try {
      bodies.set(row.id, await stripe.events.retrieve(row.id));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) gone.push(row.id);
      else throw new AppError("STRIPE_UNAVAILABLE", "Stripe could not be reached; nothing was replayed. Please try again.", { cause: error });
    }
  }
  if (gone.length > 0) refuse(`Stripe no longer has ${gone.join(", ")} (it keeps events for 30 days).`);

  const queued = await db.transaction(async (tx) => {
    const done = await requeueEvents(
      tx,
      ids.map((id) => ({ id, body: bodies.get(id) ?? null })),
    );
    const staff = await requireStaff(actor, "admin", tx);
    await audit(tx, staff, {
      action: "inbox.replay",
      page,
      details: { requested: ids.length, queued: done.length },
    });

    return done.length;
  });
  const applied = parsed.data.drain ? await drainStripeEvents() : null;

  return { queued, applied };
}

function refuse(message: string): never {
  throw new AppError("INVALID_INPUT", message, {
    fieldErrors: { ids: message },
  });
}
