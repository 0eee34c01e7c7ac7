import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, type Started, startStripeSandbox, stopProcess } from "../../scripts/lib/processes";
import { FINALIZE_AFTER_SECONDS } from "../../stripe-sandbox/billing";
import { startSandbox } from "../../stripe-sandbox/server";

const SECRET = "whsec_persistence_suite";
const verifier = new Stripe("sk_test_verifier", { telemetry: false });

/** A webhook endpoint that verifies each delivery with the SDK; it can be made to refuse them. */
async function startReceiver() {
  const received: Stripe.Event[] = [];
  let refusing = false;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      if (refusing) {
        res.writeHead(503).end();

        return;
      }
      received.push(verifier.webhooks.constructEvent(body, String(req.headers["stripe-signature"]), SECRET));
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    refuse: (value: boolean) => (refusing = value),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The stand-in as `npm start` runs it: its own process, state in a file, stopped by a signal. */
async function standIn(stateFile: string, webhookUrl: string) {
  const port = await freePort();
  const started = await startStripeSandbox({
    port,
    webhookUrl,
    webhookSecret: SECRET,
    stateFile,
    // Retries far apart: a delivery refused before the stop is still owed when the process stops.
    env: { SANDBOX_WEBHOOK_RETRY_BASE_MS: "600000" },
  });
  const stripe = new Stripe("sk_test_persistence", { host: "localhost", port, protocol: "http", telemetry: false, maxNetworkRetries: 0 });
  const control = async <T>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${started.url}${route}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(response.status, `${method} ${route}`).toBe(200);

    return (await response.json()) as T;
  };

  return { started, stripe, control };
}

let directory: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const running: Started[] = [];

beforeAll(async () => {
  directory = mkdtempSync(path.join(tmpdir(), "stand-in-state-"));
  receiver = await startReceiver();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => stopProcess(s.child)));
});

afterAll(async () => {
  await receiver.close();
  rmSync(directory, { recursive: true, force: true });
});

describe("a stand-in with a state file", () => {
  it("restarted mid-lifecycle, goes on renewing: the monthly gift's renewal is invoiced, paid and delivered, with fresh ids", async () => {
    const stateFile = path.join(directory, "lifecycle.json");
    const first = await standIn(stateFile, receiver.url);
    running.push(first.started);

    await first.stripe.products.create({ id: "gift_monthly", name: "Monthly gift" });
    const session = await first.stripe.checkout.sessions.create({
      mode: "subscription",
      line_items: [{ quantity: 1, price_data: { currency: "eur", unit_amount: 1000, product: "gift_monthly", recurring: { interval: "month" } } }],
      subscription_data: { metadata: { gift: "g1" } },
      success_url: "https://paper.example/thanks",
      cancel_url: "https://paper.example/give",
    });
    const paid = await first.control<{ outcome: string }>("POST", `/_sandbox/checkout/sessions/${session.id}/pay`, { email: "reader@example.org", card: "4242424242424242" });
    expect(paid.outcome).toBe("succeeded");
    const subscriptionId = (await first.stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    const before = await first.stripe.subscriptions.retrieve(subscriptionId);
    const periodEnd = before.items.data[0]!.current_period_end;
    await first.control("POST", "/_sandbox/webhooks/flush", {});

    // A change whose delivery is refused, so it is still owed when the stand-in stops.
    receiver.refuse(true);
    await first.stripe.subscriptions.update(subscriptionId, { metadata: { note: "owed across the restart" } });
    await expect.poll(async () => (await first.control<{ data: Array<{ ok: boolean }> }>("GET", "/_sandbox/webhooks/deliveries")).data.some((d) => !d.ok)).toBe(true);
    const eventsBefore = (await first.control<{ data: Stripe.Event[] }>("GET", "/_sandbox/events")).data;
    const owed = eventsBefore.at(-1)!;
    expect(owed.type).toBe("customer.subscription.updated");
    const idsBefore = new Set(JSON.stringify(eventsBefore).match(/\b(?:evt|cus|sub|si|in|il|pi|ch|pm|txn|inpay|price)_[A-Za-z0-9]+/g));

    first.started.child.kill("SIGTERM");
    await new Promise((resolve) => first.started.child.once("exit", resolve));
    // Stopped by the signal on its own (not killed after a grace period), having saved its state.
    expect(first.started.child.exitCode).toBe(0);
    expect(existsSync(stateFile)).toBe(true);
    receiver.refuse(false);

    const second = await standIn(stateFile, receiver.url);
    running.push(second.started);
    expect(second.started.output()).toContain(`restored from ${stateFile}`);
    // Everything the ledger would remember is still there, the owed delivery is made.
    const after = await second.stripe.subscriptions.retrieve(subscriptionId);
    expect(after).toMatchObject({ status: "active", customer: before.customer, metadata: { gift: "g1", note: "owed across the restart" } });
    expect(after.items.data[0]!.current_period_end).toBe(periodEnd);
    await second.control("POST", "/_sandbox/webhooks/flush", {});
    expect(receiver.received.map((e) => e.id)).toContain(owed.id);

    // Past the period's own end and the hour before a renewal's invoice is charged.
    const { now } = await second.control<{ now: number }>("GET", "/_sandbox/clock");
    await second.control("POST", "/_sandbox/clock", { seconds: periodEnd + FINALIZE_AFTER_SECONDS - now });
    await second.control("POST", "/_sandbox/webhooks/flush", {});

    const invoices = await second.stripe.invoices.list({ subscription: subscriptionId });
    const renewal = invoices.data.find((invoice) => invoice.billing_reason === "subscription_cycle");
    expect(renewal).toMatchObject({ status: "paid", amount_paid: 1000, customer: before.customer });
    expect((await second.stripe.subscriptions.retrieve(subscriptionId)).items.data[0]!.current_period_start).toBe(periodEnd);

    const eventsAfter = (await second.control<{ data: Stripe.Event[] }>("GET", "/_sandbox/events")).data;
    expect(eventsAfter.slice(0, eventsBefore.length).map((e) => e.id)).toEqual(eventsBefore.map((e) => e.id));
    expect(eventsAfter[0]).toEqual(eventsBefore[0]);
    const renewalEvents = eventsAfter.slice(eventsBefore.length).filter((e) => (e.data.object as { id?: string }).id === renewal!.id);
    expect(renewalEvents.map((e) => e.type)).toEqual(expect.arrayContaining(["invoice.created", "invoice.finalized", "invoice.paid"]));
    const delivered = new Set(receiver.received.map((e) => e.id));
    expect(renewalEvents.filter((e) => !delivered.has(e.id))).toEqual([]);

    // What was made after the restart has ids of its own, none met before it.
    const made = eventsAfter.slice(eventsBefore.length).filter((e) => ["invoice.created", "payment_intent.created", "charge.succeeded", "invoice_payment.paid"].includes(e.type));
    const newIds = [...eventsAfter.slice(eventsBefore.length).map((e) => e.id), ...made.map((e) => (e.data.object as { id: string }).id)];
    expect(made).toHaveLength(4);
    expect(newIds.filter((id) => idsBefore.has(id))).toEqual([]);
    expect(new Set(eventsAfter.map((e) => e.id)).size).toBe(eventsAfter.length);
  });
});

describe("the state file itself", () => {
  const webhooks = { url: null, secret: SECRET, duplicate: false, shuffle: false, timeoutMs: 1000, retryBaseMs: 10, maxAttempts: 1, concurrency: 1 };

  it("keeps the clock's lead and the customers across a close and a start, and saves after a change without waiting for the stop", async () => {
    const stateFile = path.join(directory, "clock.json");
    const first = await startSandbox({ port: 0, webhooks, stateFile });
    expect(first.restored).toBe(false);
    first.sandbox.advanceClock(40 * 24 * 3600);
    const lead = first.sandbox.clock.offset();
    const customer = first.sandbox.createCustomer({ email: "reader@example.org" }, { requestId: null, idempotencyKey: null });
    // Saved once things are quiet, while still running (a crash loses at most that moment).
    await expect.poll(() => existsSync(stateFile) && readFileSync(stateFile, "utf8").includes(customer.id), { timeout: 5000 }).toBe(true);
    await first.close();

    const second = await startSandbox({ port: 0, webhooks, stateFile });
    expect(second.restored).toBe(true);
    expect(second.sandbox.clock.offset()).toBe(lead);
    expect(second.sandbox.retrieveCustomer(customer.id).email).toBe("reader@example.org");
    await second.close();
  });

  it("keeps its events in a journal appended to, and a save cut short between the journal and the snapshot loses nothing that was saved", async () => {
    const stateFile = path.join(directory, "journal.json");
    const journal = path.join(directory, "journal.events.ndjson");
    const context = { requestId: null, idempotencyKey: null };
    const first = await startSandbox({ port: 0, webhooks, stateFile });
    const kept = first.sandbox.createCustomer({ email: "kept@example.org" }, context);
    await first.close();
    const [keptEvent] = first.sandbox.listEvents({});
    expect(readFileSync(journal, "utf8").trim().split("\n")).toHaveLength(1);
    // What a save that stopped after appending to the journal, before renaming its snapshot, leaves.
    writeFileSync(journal, `${readFileSync(journal, "utf8")}{"id":"evt_1NeverInTheSnapshot","type":"customer.created"}\n{"id":"evt_1Half`);

    const second = await startSandbox({ port: 0, webhooks, stateFile });
    expect(second.restored).toBe(true);
    // The same event, to the byte of what is delivered.
    expect(second.sandbox.listEvents({})).toEqual([keptEvent]);
    second.sandbox.updateCustomer(kept.id, { name: "Reader" }, context);
    await second.close();

    const third = await startSandbox({ port: 0, webhooks, stateFile });
    expect(third.sandbox.listEvents({}).map((e) => e.type)).toEqual(["customer.created", "customer.updated"]);
    expect(third.sandbox.retrieveCustomer(kept.id).name).toBe("Reader");
    await third.close();

    // A journal shorter than its snapshot says is not a state to take back.
    writeFileSync(journal, "");
    const fourth = await startSandbox({ port: 0, webhooks, stateFile });
    expect(fourth.restored).toBe(false);
    await fourth.close();
    expect(existsSync(`${journal}.unreadable`)).toBe(true);
  });

  it("set aside when it cannot be read: the stand-in starts empty and the file is kept", async () => {
    const stateFile = path.join(directory, "broken.json");
    writeFileSync(stateFile, '{"version": 1, "sandbox": {"clockOffset": 0}');
    const started = await startSandbox({ port: 0, webhooks, stateFile });
    expect(started.restored).toBe(false);
    expect(started.sandbox.listEvents({})).toEqual([]);
    expect(readFileSync(`${stateFile}.unreadable`, "utf8")).toContain('"version": 1');
    await started.close();

    // Parseable but not a state this stand-in can take back: the same.
    writeFileSync(stateFile, JSON.stringify({ version: 1, event_count: 0, saved_at: "x", sandbox: { clockOffset: 0 }, idempotency: [] }));
    const again = await startSandbox({ port: 0, webhooks, stateFile });
    expect(again.restored).toBe(false);
    await again.close();
    expect(JSON.parse(readFileSync(`${stateFile}.unreadable`, "utf8"))).toMatchObject({ saved_at: "x" });
  });
});
