import type Stripe from "stripe";
import { noSuch } from "./errors";
import { newId } from "./ids";
import { listPage, PAGE_PARAMS, rangeFilter } from "./lists";
import { buildMovement, buildPayout, businessDaysAfter } from "./objects";
import { assertKnownParams, optionalString, type Params } from "./params";
import { AUTOMATIC, clone, type Sandbox } from "./sandbox";

/** The hour of the day (UTC, on the stand-in's clock) at which the daily automatic payouts are made. */
export const PAYOUT_HOUR_UTC = 6;

const DAY = 24 * 60 * 60;

type Step = { at: number; run: () => void };

/** The first payout time (a day's PAYOUT_HOUR_UTC) at or after `unix`. */
export function payoutTimeFrom(unix: number): number {
  const sameDay = Math.floor(unix / DAY) * DAY + PAYOUT_HOUR_UTC * 3600;

  return sameDay >= unix ? sameDay : sameDay + DAY;
}

/**
 * The account's balance and its automatic payouts, on a daily schedule as Stripe's default. Every
 * balance transaction waits `pending` until its `available_on` (see availableOn in objects.ts), then
 * is `available` (balance.available, unless only negative ones became available, as Stripe says).
 * Each day at PAYOUT_HOUR_UTC, each currency whose available funds not yet paid out add up to more
 * than zero is paid out in one payout of exactly that sum, which sweeps those transactions: listing
 * balance transactions by that payout gives them, and the payout's own (type `payout`, −amount).
 * A payout goes pending → in_transit at once (payout.created, payout.updated) and is paid on its
 * `arrival_date`, the next business day (payout.updated, payout.paid, payout.reconciliation_completed).
 */
export class Payouts {
  private readonly payouts = new Map<string, Stripe.Payout>();
  /** The payout each balance transaction went out in, the payout's own included: Stripe's objects do not show this link. */
  private readonly paidOutIn = new Map<string, string>();
  /** The pretend bank account each currency is paid out to. */
  private readonly bankAccounts = new Map<string, string>();
  /** When the schedule last ran: each day's run happens once, whether it paid anything out or not. */
  private lastRunAt = 0;

  constructor(private readonly sb: Sandbox) {}

  /** What is saved between runs (see state-file.ts). */
  snapshot() {
    return { payouts: [...this.payouts], paidOutIn: [...this.paidOutIn], bankAccounts: [...this.bankAccounts], lastRunAt: this.lastRunAt };
  }

  /** A state saved before the stand-in made payouts has none: what it holds goes into the next day's payout. */
  restore(saved: ReturnType<Payouts["snapshot"]> | undefined): void {
    if (!saved) return;
    for (const [id, payout] of saved.payouts) this.payouts.set(id, payout);
    for (const [transaction, payout] of saved.paidOutIn) this.paidOutIn.set(transaction, payout);
    for (const [currency, account] of saved.bankAccounts) this.bankAccounts.set(currency, account);
    this.lastRunAt = saved.lastRunAt;
  }

  lookup(id: string): object | undefined {
    return id.startsWith("po_") ? this.payouts.get(id) : undefined;
  }

  retrieve(id: string): Stripe.Payout {
    const payout = this.payouts.get(id);
    if (!payout) throw noSuch("payout", id);

    return clone(payout);
  }

  /** GET /v1/payouts: newest first, by `status`, `created`, `arrival_date`, `destination`, paged. */
  list(params: Params): { data: Stripe.Payout[]; hasMore: boolean } {
    assertKnownParams(params, [...PAGE_PARAMS, "status", "created", "created.*", "arrival_date", "arrival_date.*", "destination"]);
    const status = optionalString(params, "status");
    const destination = optionalString(params, "destination");
    const created = rangeFilter(params, "created");
    const arrival = rangeFilter(params, "arrival_date");
    const matching = [...this.payouts.values()]
      .filter((p) => (status === null || p.status === status) && (destination === null || p.destination === destination))
      .filter((p) => created(p.created) && arrival(p.arrival_date))
      .reverse();
    const page = listPage(matching, params, "payout");

    return { data: clone(page.data), hasMore: page.hasMore };
  }

  /**
   * GET /v1/balance_transactions: newest first, by `payout` (what that payout swept, and its own
   * transaction), `type`, `currency`, `source`, `created`, paged.
   */
  listBalanceTransactions(params: Params): { data: Stripe.BalanceTransaction[]; hasMore: boolean } {
    assertKnownParams(params, [...PAGE_PARAMS, "payout", "type", "currency", "source", "created", "created.*"]);
    const payout = optionalString(params, "payout");
    if (payout !== null && !this.payouts.has(payout)) throw noSuch("payout", payout, "payout");
    const type = optionalString(params, "type");
    const currency = optionalString(params, "currency")?.toLowerCase() ?? null;
    const source = optionalString(params, "source");
    const created = rangeFilter(params, "created");
    const matching = [...this.sb.balanceTransactions.values()]
      .filter((t) => (payout === null || this.paidOutIn.get(t.id) === payout) && (type === null || t.type === type))
      .filter((t) => (currency === null || t.currency === currency) && (source === null || t.source === source) && created(t.created))
      .reverse();
    const page = listPage(matching, params, "balance_transaction");

    return { data: clone(page.data), hasMore: page.hasMore };
  }

  /** GET /v1/balance: per currency that has moved, the net of what is available and of what is still pending. */
  balance(): Stripe.Balance {
    const sums = new Map<string, { available: number; pending: number }>();
    for (const transaction of this.sb.balanceTransactions.values()) {
      const sum = sums.get(transaction.currency) ?? { available: 0, pending: 0 };
      if (transaction.status === "available") sum.available += transaction.net;
      else sum.pending += transaction.net;
      sums.set(transaction.currency, sum);
    }
    const entries = [...sums].sort(([a], [b]) => (a < b ? -1 : 1));

    return {
      object: "balance",
      available: entries.map(([currency, sum]) => ({ amount: sum.available, currency, source_types: { card: sum.available } })),
      livemode: false,
      pending: entries.map(([currency, sum]) => ({ amount: sum.pending, currency, source_types: { card: sum.pending } })),
    };
  }

  /** The earliest due step: funds becoming available, the day's payout run, a payout arriving. */
  nextDueStep(now: number): Step | null {
    let best: Step | null = null;
    const consider = (at: number, run: () => void) => {
      if (at <= now && (best === null || at < best.at)) best = { at, run };
    };
    let firstPending = Infinity;
    let firstUnpaid = Infinity;
    for (const transaction of this.sb.balanceTransactions.values()) {
      if (transaction.status === "pending") firstPending = Math.min(firstPending, transaction.available_on);
      if (!this.paidOutIn.has(transaction.id)) firstUnpaid = Math.min(firstUnpaid, transaction.available_on);
    }
    if (firstPending !== Infinity) consider(firstPending, () => this.makeAvailable(firstPending));
    if (firstUnpaid !== Infinity) {
      const runAt = payoutTimeFrom(Math.max(firstUnpaid, this.lastRunAt + 1));
      consider(runAt, () => this.runSchedule(runAt));
    }
    for (const payout of this.payouts.values()) {
      if (payout.status === "in_transit") consider(payout.arrival_date, () => this.arrive(payout));
    }

    return best;
  }

  private makeAvailable(at: number): void {
    let credited = false;
    for (const transaction of this.sb.balanceTransactions.values()) {
      if (transaction.status !== "pending" || transaction.available_on > at) continue;
      transaction.status = "available";
      credited ||= transaction.net > 0;
    }
    // Stripe does not announce negative transactions becoming available.
    if (credited) this.sb.emit("balance.available", this.balance(), AUTOMATIC);
  }

  private runSchedule(at: number): void {
    this.lastRunAt = at;
    const due = new Map<string, Stripe.BalanceTransaction[]>();
    for (const transaction of this.sb.balanceTransactions.values()) {
      if (transaction.status !== "available" || this.paidOutIn.has(transaction.id)) continue;
      const inCurrency = due.get(transaction.currency) ?? [];
      inCurrency.push(transaction);
      due.set(transaction.currency, inCurrency);
    }
    for (const [currency, transactions] of due) {
      const amount = transactions.reduce((sum, t) => sum + t.net, 0);
      // Stripe would debit a negative balance from the bank account; here it waits for the next days' funds.
      if (amount > 0) this.payOut(currency, amount, transactions);
    }
  }

  private payOut(currency: string, amount: number, swept: Stripe.BalanceTransaction[]): void {
    const now = this.sb.now();
    const payout = buildPayout({ amount, currency, destination: this.bankAccountFor(currency), arrivalDate: businessDaysAfter(now, 1), now });
    const own = buildMovement({
      amount: -amount,
      currency,
      fee: 0,
      feeDescription: "",
      description: "STRIPE PAYOUT",
      source: payout.id,
      type: "payout",
      reportingCategory: "payout",
      now,
    });
    // The payout takes the funds out of the available balance at once.
    own.available_on = now;
    own.status = "available";
    this.sb.balanceTransactions.set(own.id, own);
    payout.balance_transaction = own.id;
    for (const transaction of [...swept, own]) this.paidOutIn.set(transaction.id, payout.id);
    this.payouts.set(payout.id, payout);
    this.sb.emit("payout.created", payout, AUTOMATIC);
    payout.status = "in_transit";
    this.sb.emit("payout.updated", payout, AUTOMATIC, { status: "pending" });
  }

  private arrive(payout: Stripe.Payout): void {
    const previous = { status: payout.status, reconciliation_status: payout.reconciliation_status, trace_id: clone(payout.trace_id) };
    payout.status = "paid";
    payout.reconciliation_status = "completed";
    payout.trace_id = { status: "unsupported", value: null };
    this.sb.emit("payout.updated", payout, AUTOMATIC, previous);
    this.sb.emit("payout.paid", payout, AUTOMATIC);
    this.sb.emit("payout.reconciliation_completed", payout, AUTOMATIC);
  }

  private bankAccountFor(currency: string): string {
    let account = this.bankAccounts.get(currency);
    if (account === undefined) {
      account = newId.bankAccount();
      this.bankAccounts.set(currency, account);
    }

    return account;
  }
}
