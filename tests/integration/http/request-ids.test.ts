import { describe, expect, it } from "vitest";
import { z } from "zod";
import { getDb } from "@/db";
import { stripeEvents } from "@/db/schema";
import { action, publicAccess } from "@/lib/actions/action";
import { sendDueEmails } from "@/lib/email/sender";
import { smtpTransport } from "@/lib/email/transport";
import { REQUEST_ID_HEADER, traced } from "@/lib/http";
import { useTestDatabase } from "../../support/database";
import { outbox, type SmtpServer, useEmailSuite } from "../../support/email-suite";
import { giveOnce } from "../../support/gifts";
import { drainUntilSettled } from "../../support/ledger";
import { captureLog } from "../../support/log";
import { signedWebhookRequest, usePrivateSandbox, webhookResponse } from "../../support/stripe";

// A stand-in of its own: the email suite's set-up cancels every subscription in it.
usePrivateSandbox();
const log = captureLog();
const database = useTestDatabase();

let smtp: SmtpServer;
useEmailSuite((server) => (smtp = server));

// The webhook route is `traced` around this same handler; Next's `after` needs a request of Next's own.
const webhookRoute = traced((request: Request) => webhookResponse(request));

const REQUEST_ID = /^req_[A-Za-z0-9_-]{16}$/;

describe(`request ids on ${database.kind}`, () => {
  it("follow a webhook delivery into the worker that applies its event and the receipt it sends, and nothing else", async () => {
    const { events } = await giveOnce({ email: "traced@example.org", amount: 1800 });
    const deliveries: Array<{ event: string; requestId: string }> = [];
    for (const event of events) {
      // A client's own id is not taken: its lines could otherwise pose as another request's.
      const request = signedWebhookRequest(JSON.stringify(event));
      request.headers.set(REQUEST_ID_HEADER, "req_chosenbytheclient");
      const response = await webhookRoute(request);
      expect(response.status).toBe(200);
      const requestId = response.headers.get(REQUEST_ID_HEADER) ?? "";
      expect(requestId).toMatch(REQUEST_ID);
      deliveries.push({ event: event.id, requestId });
    }
    expect(new Set(deliveries.map((d) => d.requestId)).size).toBe(events.length);

    // The worker runs later, as no request's: each event's work is logged under its delivery's id.
    await drainUntilSettled();
    await sendDueEmails({ transport: smtpTransport(smtp.url()) });
    expect(smtp.received).toHaveLength(1);

    const lines = log.lines();
    const stored = await getDb().select({ id: stripeEvents.id, requestId: stripeEvents.requestId }).from(stripeEvents);
    for (const { event, requestId } of deliveries) {
      expect(stored.find((row) => row.id === event)?.requestId).toBe(requestId);
      const received = lines.filter((line) => line.event === event && line.msg === "webhook received");
      expect(received.map((line) => line.req)).toEqual([requestId]);
      // An event type we do not act on is kept as ignored on arrival: no worker touches it.
      const worked = lines.filter((line) => line.event === event && line.msg.startsWith("webhook ") && line.msg !== "webhook received");
      expect(worked.map((line) => line.req)).toEqual(received[0]!.outcome === "stored" ? [requestId] : []);
    }
    expect(lines.filter((line) => line.msg === "webhook applied").length).toBeGreaterThan(0);
    expect(lines.some((line) => line.req === "req_chosenbytheclient")).toBe(false);

    // The receipt was queued by applying one of those events: it keeps that delivery's id, and its
    // sending is logged under it.
    const [receipt] = (await outbox()).filter((row) => row.template === "receipt_one_time");
    expect(deliveries.map((d) => d.requestId)).toContain(receipt!.requestId);
    expect(lines.filter((line) => line.msg === "email sent" && line.outboxId === receipt!.id).map((line) => line.req)).toEqual([receipt!.requestId]);

    // A worker pass serves many requests' work: its own summary is none of theirs.
    const passes = lines.filter((line) => line.msg === "webhook batch processed");
    expect(passes.length).toBeGreaterThan(0);
    expect(passes.every((line) => line.req === undefined)).toBe(true);
  });

  it("name the answer even when a handler's response has headers that cannot change", async () => {
    const redirect = traced(() => Response.redirect("http://localhost:3000/somewhere", 303));
    const response = redirect();
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("http://localhost:3000/somewhere");
    expect(response.headers.get(REQUEST_ID_HEADER)).toMatch(REQUEST_ID);
    // Each answer its own.
    expect(redirect().headers.get(REQUEST_ID_HEADER)).not.toBe(response.headers.get(REQUEST_ID_HEADER));
  });

  it("give each server action call an id of its own, which its failure is logged under", async () => {
    const failing = action({
      name: "request-id test",
      schema: z.object({}),
      authorize: publicAccess,
      run: async () => {
        throw new Error("the action's own failure");
      },
    });
    for (let call = 0; call < 2; call++) {
      const state = await failing(null, new FormData());
      expect(state).toMatchObject({ ok: false, code: "INTERNAL" });
    }
    const failures = log.lines().filter((line) => line.msg === "action failed");
    expect(failures).toHaveLength(2);
    for (const line of failures) expect(line.req).toMatch(REQUEST_ID);
    expect(failures[0]!.req).not.toBe(failures[1]!.req);
  });
});
