import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import qs from "qs";
import { type Handler, registerApiRoutes } from "./api-routes";
import { RENEWAL_OUTCOMES, type RenewalOutcome } from "./billing";
import { type PayResult, successRedirect } from "./checkout";
import { ApiError, invalidRequest } from "./errors";
import { newId } from "./ids";
import { authenticationPage, checkoutPage, inactivePage, invoicePage, portalPage } from "./pages";
import { type Params } from "./params";
import { type PortalAction } from "./portal";
import { API_VERSION, AUTOMATIC, Sandbox, type SandboxOptions, type SandboxState } from "./sandbox";
import { StateFile } from "./state-file";
import type { WebhookConfig } from "./webhooks";

const MAX_BODY_BYTES = 1_000_000;
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

type IdempotencyEntry = {
  fingerprint: string;
  createdAt: number;
  response: { status: number; body: string; requestId: string } | null; // null while in flight
};

export type StartedSandbox = {
  url: string;
  port: number;
  sandbox: Sandbox;
  /** Whether a saved state was taken back from `stateFile` (false: none, or set aside as unreadable). */
  restored: boolean;
  close: () => Promise<void>;
};

type SavedState = { sandbox: SandboxState; idempotency: Array<[string, IdempotencyEntry]> };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw invalidRequest("Request body too large.");
    chunks.push(chunk as Buffer);
  }

  return Buffer.concat(chunks).toString("utf8");
}

function parseForm(body: string): Params {
  return qs.parse(body, { depth: 10, arrayLimit: 200, parameterLimit: 2000 }) as Params;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value, null, 2), { "content-type": "application/json", ...headers });
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  send(res, status, html, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }

  return JSON.stringify(value);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the stand-in: Stripe's REST API under /v1 (form-encoded in, JSON out, Stripe's errors and
 * idempotency), the hosted pages (Checkout under /c/pay, the customer portal under /p/session, invoices
 * under /i), and the control API under /_sandbox.
 */
export async function startSandbox(options: {
  port: number;
  host?: string;
  publicUrl?: string;
  webhooks: WebhookConfig;
  apiLatencyMs?: number;
  balanceTransactionDelayMs?: number;
  /** A file to keep the state in between runs; without one the state lives in memory only. */
  stateFile?: string | null;
  /** The instant (unix seconds) the clock starts at, like a Stripe test clock's `frozen_time`; real time by default. */
  clockStart?: number;
  /** Whether the clock makes funds available and pays them out daily; off unless asked for (see payouts.ts). */
  payouts?: boolean;
}): Promise<StartedSandbox> {
  let publicUrl = options.publicUrl ?? "";
  const sandboxOptions: SandboxOptions = {
    get publicUrl() {
      return publicUrl;
    },
    webhooks: options.webhooks,
    apiLatencyMs: options.apiLatencyMs ?? 0,
    balanceTransactionDelayMs: options.balanceTransactionDelayMs ?? 0,
    clockStart: options.clockStart,
    payouts: options.payouts,
  };
  let sandbox = new Sandbox(sandboxOptions);
  const idempotency = new Map<string, IdempotencyEntry>();
  const stateFile = options.stateFile ? new StateFile(options.stateFile) : null;
  let restored = false;
  const saved = stateFile?.load();
  if (stateFile && saved) {
    try {
      const snapshot = saved.snapshot as SavedState;
      sandbox.restore(snapshot.sandbox, saved.events);
      // A request retried with its idempotency key after a restart is still answered, not redone.
      for (const [key, entry] of snapshot.idempotency) idempotency.set(key, entry);
      restored = true;
    } catch (error) {
      sandbox.close();
      stateFile.setAside(`it does not fit this stand-in (${(error as Error).message})`);
      sandbox = new Sandbox(sandboxOptions);
      idempotency.clear();
    }
  }
  if (stateFile) {
    stateFile.watch({
      snapshot: () => {
        const now = sandbox.clock.now();
        const state: SavedState = {
          sandbox: sandbox.snapshot(),
          // Only answered requests, and only while Stripe would still replay them.
          idempotency: [...idempotency].filter(([, entry]) => entry.response !== null && now - entry.createdAt < IDEMPOTENCY_TTL_SECONDS),
        };

        return state;
      },
      events: () => sandbox.eventLog(),
    });
    sandbox.onChange = () => stateFile.changed();
  }

  const routes: Array<{ method: string; pattern: RegExp; keys: string[]; handler: Handler }> = [];
  const route = (method: "GET" | "POST" | "DELETE", path: string, handler: Handler) => {
    const keys: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_, key: string) => (keys.push(key), "([^/]+)"))}$`);
    routes.push({ method, pattern, keys, handler });
  };

  registerApiRoutes(route, sandbox);

  const authenticate = (req: IncomingMessage): string => {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer (\S+)$/.exec(header);
    if (!match) {
      throw new ApiError(
        401,
        "invalid_request_error",
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      );
    }
    const key = match[1]!;
    if (!/^(sk|rk)_test_[A-Za-z0-9_]+$/.test(key)) {
      throw new ApiError(401, "invalid_request_error", `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(8)}`, {
        code: "api_key_invalid",
      });
    }

    return key;
  };

  // What the API has been asked since start: a benchmark reads how many Stripe reads a gift costs;
  // `rate_limited` counts those refused by the rate limit, `peak_per_second` the most in any second.
  const apiRequests = { reads: 0, writes: 0, rate_limited: 0, peak_per_second: 0 };

  async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string, search: string): Promise<void> {
    // Every API request, answered or refused, as Stripe counts them against its rate limits.
    const counted = req.method === "GET" ? "reads" : "writes";
    apiRequests[counted]++;
    const requestId = newId.request();
    const headers = { "request-id": requestId, "stripe-version": API_VERSION };
    try {
      const arrived = performance.now();
      const lastSecond = sandbox.recentRequests;
      while (lastSecond.length > 0 && lastSecond[0]! <= arrived - 1000) lastSecond.shift();
      if (sandbox.rateLimitPerSecond > 0 && lastSecond.length >= sandbox.rateLimitPerSecond) {
        apiRequests.rate_limited++;
        throw new ApiError(429, "rate_limit_error", "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.", { code: "rate_limit" });
      }
      lastSecond.push(arrived);
      apiRequests.peak_per_second = Math.max(apiRequests.peak_per_second, lastSecond.length);
      if (sandbox.apiLatencyMs > 0) await sleep(sandbox.apiLatencyMs);
      const faults = sandbox.apiFaults;
      if (faults.status !== 0 && (faults.methods === "all" || faults.methods === req.method) && faults.seen++ % faults.every === 0) {
        // As Stripe answers them: nothing was done, so a retry with the same idempotency key is a first try.
        if (faults.status === 429) throw new ApiError(429, "rate_limit_error", "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.", { code: "rate_limit" });
        throw new ApiError(faults.status, "api_error", "An unknown error occurred.");
      }
      const apiKey = authenticate(req);
      const version = req.headers["stripe-version"];
      if (typeof version === "string" && version !== API_VERSION) {
        throw invalidRequest(
          `Invalid Stripe API version: ${version}. The Stripe stand-in speaks only ${API_VERSION}.`,
          undefined,
          "api_version_invalid",
        );
      }
      const method = req.method ?? "GET";
      const body = method === "POST" ? await readBody(req) : "";
      const params = method === "POST" ? parseForm(body) : parseForm(search.replace(/^\?/, ""));
      const match = routes
        .filter((r) => r.method === method)
        .map((r) => ({ r, m: r.pattern.exec(pathname) }))
        .find((x) => x.m !== null);
      if (!match) {
        throw new ApiError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${pathname}).`);
      }
      const path = Object.fromEntries(match.r.keys.map((key, i) => [key, decodeURIComponent(match.m![i + 1]!)]));
      const idempotencyKey = method === "POST" ? (req.headers["idempotency-key"] as string | undefined) ?? null : null;

      if (idempotencyKey !== null) {
        if (idempotencyKey.length > 255) throw invalidRequest("Idempotency-Key must be at most 255 characters.");
        const storeKey = `${apiKey}:${idempotencyKey}`;
        // Stripe compares parameters, not bytes: the same params in another order are the same request.
        const fingerprint = createHash("sha256").update(`${method} ${pathname}\n${canonicalJson(params)}`).digest("hex");
        const now = sandbox.clock.now();
        const existing = idempotency.get(storeKey);
        if (existing && now - existing.createdAt < IDEMPOTENCY_TTL_SECONDS) {
          if (existing.fingerprint !== fingerprint) {
            throw new ApiError(
              400,
              "idempotency_error",
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            );
          }
          if (existing.response === null) {
            throw new ApiError(
              409,
              "idempotency_error",
              "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through). Please try again later.",
            );
          }
          send(res, existing.response.status, existing.response.body, {
            "content-type": "application/json",
            "request-id": existing.response.requestId,
            "idempotent-replayed": "true",
            "original-request": existing.response.requestId,
            "stripe-version": API_VERSION,
          });

          return;
        }
        const entry: IdempotencyEntry = { fingerprint, createdAt: now, response: null };
        idempotency.set(storeKey, entry);
        let status = 200;
        let responseBody: string;
        try {
          responseBody = JSON.stringify(await sandbox.atOneInstant(() => match.r.handler({ params, path, context: { requestId, idempotencyKey } })), null, 2);
        } catch (error) {
          // Stripe saves the result once the endpoint has started executing (a declined card, a
          // 500), not when the request failed validation (400, 404).
          if (!(error instanceof ApiError) || error.status < 402 || error.status === 404) {
            idempotency.delete(storeKey);
            throw error;
          }
          status = error.status;
          responseBody = JSON.stringify(error.toJSON(), null, 2);
        }
        entry.response = { status, body: responseBody, requestId };
        send(res, status, responseBody, { "content-type": "application/json", "idempotency-key": idempotencyKey, ...headers });

        return;
      }
      const result = await sandbox.atOneInstant(() => match.r.handler({ params, path, context: { requestId, idempotencyKey: null } }));
      sendJson(res, 200, result, headers);
    } catch (error) {
      if (error instanceof ApiError) {
        sendJson(res, error.status, error.toJSON(), headers);

        return;
      }
      console.error("stripe-sandbox: internal error", error);
      sendJson(res, 500, new ApiError(500, "api_error", "An unexpected error occurred in the Stripe stand-in.").toJSON(), headers);
    }
  }

  async function handleHostedPage(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const match = /^\/c\/pay\/([^/]+)(\/authenticate)?$/.exec(pathname);
    if (!match) {
      sendHtml(res, 404, inactivePage(null));

      return;
    }
    const id = decodeURIComponent(match[1]!);
    let session;
    try {
      session = sandbox.checkout.retrieve(id);
    } catch {
      sendHtml(res, 404, inactivePage(null));

      return;
    }
    const item = sandbox.checkout.lineItemsOf(id)[0];
    const productName = item?.description ?? "Payment";
    const recurring = item?.price?.recurring ?? null;
    if (session.status !== "open") {
      sendHtml(res, 410, inactivePage(session));

      return;
    }
    if (req.method === "GET") {
      sendHtml(res, 200, checkoutPage({ session, productName, recurring }));

      return;
    }
    const form = parseForm(await readBody(req));
    const field = (name: string) => (typeof form[name] === "string" ? (form[name] as string) : "");
    let result: PayResult;
    if (match[2]) {
      result = sandbox.checkout.authenticate(id, field("result") === "complete");
    } else {
      result = sandbox.checkout.pay(id, {
        email: field("email"),
        name: field("billingName"),
        card: field("cardNumber"),
        expiry: field("cardExpiry"),
        cvc: field("cardCvc"),
      });
    }
    if (result.outcome === "succeeded") {
      const target = successRedirect(result.session);
      if (target) {
        res.writeHead(303, { location: target });
        res.end();
      } else {
        sendHtml(res, 200, inactivePage(result.session));
      }

      return;
    }
    if (result.outcome === "requires_action") {
      sendHtml(res, 200, authenticationPage(result.session));

      return;
    }
    sendHtml(
      res,
      200,
      checkoutPage({ session: result.session, productName, recurring, error: result.message, email: field("email"), name: field("billingName") }),
    );
  }

  const PORTAL_NOTICES: Record<PortalAction, string> = {
    update_card: "Your card has been updated.",
    cancel_at_period_end: "Your subscription will end at the end of the current period.",
    renew: "Your subscription will continue.",
    cancel_now: "Your subscription has been canceled.",
  };

  /** The customer portal at a portal session's `url`: a page of forms, each an action with its events. */
  async function handlePortalPage(req: IncomingMessage, res: ServerResponse, pathname: string, search: string): Promise<void> {
    const flowMatch = /^\/p\/session\/([^/]+)\/payment_method$/.exec(pathname);
    if (flowMatch) return handlePaymentMethodFlow(req, res, decodeURIComponent(flowMatch[1]!));
    const match = /^\/p\/session\/([^/]+)(?:\/subscriptions\/([^/]+)\/([a-z_]+))?$/.exec(pathname);
    const sessionId = match ? decodeURIComponent(match[1]!) : "";
    let page;
    try {
      page = sandbox.portal.page(sessionId);
    } catch {
      sendHtml(res, 404, inactivePage(null));

      return;
    }
    if (req.method === "GET" && !match![2]) {
      const done = new URLSearchParams(search).get("done") as PortalAction | null;
      sendHtml(res, 200, portalPage({ ...page, notice: done && done in PORTAL_NOTICES ? PORTAL_NOTICES[done] : undefined }));

      return;
    }
    const action = match![3] as PortalAction | undefined;
    if (req.method !== "POST" || !match![2] || !action || !(action in PORTAL_NOTICES)) {
      sendHtml(res, 404, inactivePage(null));

      return;
    }
    const form = parseForm(await readBody(req));
    try {
      sandbox.portal.act(sessionId, decodeURIComponent(match![2]), action, { card: typeof form.cardNumber === "string" ? form.cardNumber : undefined });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendHtml(res, 200, portalPage({ ...sandbox.portal.page(sessionId), error: error.message }));

      return;
    }
    res.writeHead(303, { location: `/p/session/${encodeURIComponent(sessionId)}?done=${action}` });
    res.end();
  }

  /**
   * A portal session in the `payment_method_update` flow: its page asks only for the new card, and
   * once it is saved the supporter goes where `after_completion` says (back to the site, for
   * `redirect`), as on Stripe.
   */
  async function handlePaymentMethodFlow(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    if (req.method !== "POST") {
      sendHtml(res, 404, inactivePage(null));

      return;
    }
    const form = parseForm(await readBody(req));
    let done;
    try {
      done = sandbox.portal.updatePaymentMethod(sessionId, typeof form.cardNumber === "string" ? form.cardNumber : "");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 404) {
        sendHtml(res, 404, inactivePage(null));

        return;
      }
      sendHtml(res, 200, portalPage({ ...sandbox.portal.page(sessionId), error: error.message }));

      return;
    }
    const after = done.flow?.after_completion;
    const location =
      after?.type === "redirect" && after.redirect
        ? after.redirect.return_url
        : `/p/session/${encodeURIComponent(sessionId)}?done=update_card`;
    res.writeHead(303, { location });
    res.end();
  }

  /** The hosted invoice page at an invoice's `hosted_invoice_url`. */
  async function handleInvoicePage(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const match = /^\/i\/([^/]+)$/.exec(pathname);
    const id = match ? decodeURIComponent(match[1]!) : "";
    let page;
    try {
      page = sandbox.billing.hostedInvoice(id);
    } catch {
      sendHtml(res, 404, inactivePage(null));

      return;
    }
    if (req.method === "GET") {
      sendHtml(res, 200, invoicePage(page));

      return;
    }
    const form = parseForm(await readBody(req));
    const card = typeof form.cardNumber === "string" && form.cardNumber.trim() !== "" ? form.cardNumber : undefined;
    const authentication = form.result === "complete" || form.result === "fail" ? form.result : undefined;
    let error: string | undefined;
    try {
      const result = sandbox.billing.payHosted(id, { card, authentication });
      if (result.outcome === "declined" || result.outcome === "invalid_card") error = result.message;
    } catch (caught) {
      if (!(caught instanceof ApiError)) throw caught;
      error = caught.message;
    }
    sendHtml(res, 200, invoicePage({ ...sandbox.billing.hostedInvoice(id), error }));
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, pathname: string, search: string): Promise<void> {
    const query = new URLSearchParams(search);
    const method = req.method ?? "GET";
    let body: Record<string, unknown> = {};
    if (method === "POST") {
      const raw = await readBody(req);
      if (raw.trim() !== "") {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          throw invalidRequest("The control API takes a JSON body.");
        }
      }
    }
    const text = (key: string): string | undefined => {
      const value = body[key];
      if (value === undefined || value === null) return undefined;
      if (typeof value !== "string") throw invalidRequest(`${key} must be a string`, key);

      return value;
    };
    let match: RegExpExecArray | null;
    const id = () => decodeURIComponent(match![1]!);
    if (method === "GET" && pathname === "/_sandbox/health") {
      sendJson(res, 200, { ok: true, api_version: API_VERSION, now: sandbox.clock.now() });
    } else if (method === "GET" && pathname === "/_sandbox/requests") {
      sendJson(res, 200, apiRequests);
    } else if (pathname === "/_sandbox/config") {
      if (method === "POST") applyConfig(sandbox, body);
      sendJson(res, 200, describeConfig(sandbox));
    } else if (method === "POST" && (match = /^\/_sandbox\/checkout\/sessions\/([^/]+)\/pay$/.exec(pathname))) {
      const input = {
        email: typeof body.email === "string" ? body.email : "",
        name: typeof body.name === "string" ? body.name : null,
        card: typeof body.card === "string" ? body.card : "4242424242424242",
        expiry: typeof body.expiry === "string" ? body.expiry : undefined,
        cvc: typeof body.cvc === "string" ? body.cvc : undefined,
      };
      let result = sandbox.checkout.pay(id(), input);
      if (result.outcome === "requires_action" && (body.authentication === "complete" || body.authentication === "fail")) {
        result = sandbox.checkout.authenticate(id(), body.authentication === "complete");
      }
      sendJson(res, 200, result);
    } else if (method === "POST" && (match = /^\/_sandbox\/checkout\/sessions\/([^/]+)\/authenticate$/.exec(pathname))) {
      sendJson(res, 200, sandbox.checkout.authenticate(id(), body.result !== "fail"));
    } else if (method === "POST" && (match = /^\/_sandbox\/checkout\/sessions\/([^/]+)\/expire$/.exec(pathname))) {
      sendJson(res, 200, sandbox.checkout.expireSession(id(), AUTOMATIC));
    } else if (method === "POST" && (match = /^\/_sandbox\/subscriptions\/([^/]+)\/next_renewal$/.exec(pathname))) {
      const outcome = text("outcome");
      if (!outcome || !(RENEWAL_OUTCOMES as readonly string[]).includes(outcome)) {
        throw invalidRequest(`outcome must be one of ${RENEWAL_OUTCOMES.join(", ")}`, "outcome");
      }
      sendJson(res, 200, sandbox.billing.setRenewalOutcome(id(), outcome as RenewalOutcome));
    } else if (method === "POST" && (match = /^\/_sandbox\/subscriptions\/([^/]+)\/payment_method$/.exec(pathname))) {
      const card = text("card");
      if (!card) throw invalidRequest("card is required (a test card number)", "card");
      sendJson(res, 200, sandbox.billing.updatePaymentMethod(id(), card));
    } else if (method === "POST" && (match = /^\/_sandbox\/invoices\/([^/]+)\/pay$/.exec(pathname))) {
      const authentication = text("authentication");
      if (authentication !== undefined && authentication !== "complete" && authentication !== "fail") {
        throw invalidRequest("authentication must be complete or fail", "authentication");
      }
      sendJson(res, 200, sandbox.billing.payHosted(id(), { card: text("card"), authentication }));
    } else if (method === "POST" && (match = /^\/_sandbox\/charges\/([^/]+)\/dispute$/.exec(pathname))) {
      if (body.amount !== undefined && typeof body.amount !== "number") throw invalidRequest("amount must be a whole number", "amount");
      sendJson(res, 200, sandbox.disputes.open(id(), { reason: text("reason"), amount: body.amount as number | undefined }));
    } else if (method === "POST" && (match = /^\/_sandbox\/disputes\/([^/]+)\/close$/.exec(pathname))) {
      const outcome = text("outcome");
      if (outcome !== "won" && outcome !== "lost") throw invalidRequest("outcome must be won or lost", "outcome");
      sendJson(res, 200, sandbox.disputes.close(id(), outcome));
    } else if (method === "GET" && pathname === "/_sandbox/events") {
      const limit = query.get("limit");
      sendJson(res, 200, {
        data: sandbox.listEvents({
          type: query.get("type") ?? undefined,
          after: query.get("after") ?? undefined,
          limit: limit ? Number(limit) : undefined,
        }),
      });
    } else if (method === "GET" && pathname === "/_sandbox/webhooks/deliveries") {
      sendJson(res, 200, { pending: sandbox.webhooks.pendingCount(), data: sandbox.webhooks.log });
    } else if (method === "POST" && pathname === "/_sandbox/webhooks/flush") {
      const timeoutMs = typeof body.timeout_ms === "number" ? body.timeout_ms : 10_000;
      const idle = await sandbox.webhooks.whenIdle(timeoutMs);
      sendJson(res, idle ? 200 : 504, { idle, pending: sandbox.webhooks.pendingCount() });
    } else if (pathname === "/_sandbox/clock") {
      if (method === "POST") {
        const seconds = body.seconds;
        if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0) {
          throw invalidRequest("seconds must be a non-negative whole number", "seconds");
        }
        sandbox.advanceClock(seconds);
      }
      sendJson(res, 200, { now: sandbox.clock.now() });
    } else {
      throw new ApiError(404, "invalid_request_error", `Unrecognized control URL (${method}: ${pathname}).`);
    }
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const pathname = url.pathname;
    const run = async () => {
      if (pathname.startsWith("/v1/")) return handleApi(req, res, pathname, url.search);
      try {
        if (pathname.startsWith("/c/pay/")) return await handleHostedPage(req, res, pathname);
        if (pathname.startsWith("/p/session/")) return await handlePortalPage(req, res, pathname, url.search);
        if (pathname.startsWith("/i/")) return await handleInvoicePage(req, res, pathname);
        if (pathname.startsWith("/_sandbox/")) return await handleControl(req, res, pathname, url.search);
        if (pathname === "/") {
          sendJson(res, 200, { name: "stripe-sandbox", api_version: API_VERSION, docs: "stripe-sandbox/README.md" });

          return;
        }
        throw new ApiError(404, "invalid_request_error", `Unrecognized request URL (${req.method}: ${pathname}).`);
      } catch (error) {
        if (error instanceof ApiError) {
          if (/^\/(c\/pay|p\/session|i)\//.test(pathname)) sendHtml(res, error.status, inactivePage(null));
          else sendJson(res, error.status, error.toJSON());

          return;
        }
        console.error("stripe-sandbox: internal error", error);
        sendJson(res, 500, new ApiError(500, "api_error", "An unexpected error occurred in the Stripe stand-in.").toJSON());
      }
    };
    // Anything but a read may have changed the state (a refused request costs one needless save).
    void run().finally(() => {
      if (req.method !== "GET" && req.method !== "HEAD") sandbox.changed();
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://localhost:${port}`;
  if (!publicUrl) publicUrl = url;

  return {
    url,
    port,
    sandbox,
    restored,
    close: async () => {
      sandbox.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      stateFile?.close();
    },
  };
}

function describeConfig(sandbox: Sandbox) {
  const w = sandbox.webhooks.config;

  return {
    api_latency_ms: sandbox.apiLatencyMs,
    api_faults: { status: sandbox.apiFaults.status, every: sandbox.apiFaults.every, methods: sandbox.apiFaults.methods },
    rate_limit_per_second: sandbox.rateLimitPerSecond,
    balance_transaction_delay_ms: sandbox.balanceTransactionDelayMs,
    payouts: sandbox.payoutsEnabled,
    webhooks: {
      url: w.url,
      duplicate: w.duplicate,
      shuffle: w.shuffle,
      timeout_ms: w.timeoutMs,
      retry_base_ms: w.retryBaseMs,
      max_attempts: w.maxAttempts,
      concurrency: w.concurrency,
    },
  };
}

function applyConfig(sandbox: Sandbox, body: Record<string, unknown>): void {
  const nonNegative = (value: unknown, name: string): number => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw invalidRequest(`${name} must be a non-negative whole number`, name);

    return value;
  };
  if (body.api_latency_ms !== undefined) sandbox.apiLatencyMs = nonNegative(body.api_latency_ms, "api_latency_ms");
  if (body.api_faults !== undefined) {
    const faults = (body.api_faults ?? {}) as Record<string, unknown>;
    const status = faults.status ?? 0;
    if (status !== 0 && status !== 429 && status !== 500 && status !== 503) throw invalidRequest("api_faults.status must be 0 (off), 429, 500 or 503", "api_faults[status]");
    const every = faults.every ?? 1;
    if (typeof every !== "number" || !Number.isInteger(every) || every < 1) throw invalidRequest("api_faults.every must be a whole number of at least 1", "api_faults[every]");
    const methods = faults.methods ?? "all";
    if (methods !== "all" && methods !== "GET" && methods !== "POST") throw invalidRequest('api_faults.methods must be "all", "GET" or "POST"', "api_faults[methods]");
    sandbox.apiFaults = { status, every, methods, seen: 0 };
  }
  if (body.rate_limit_per_second !== undefined) {
    sandbox.rateLimitPerSecond = nonNegative(body.rate_limit_per_second, "rate_limit_per_second");
    sandbox.recentRequests = [];
  }
  if (body.balance_transaction_delay_ms !== undefined) {
    sandbox.balanceTransactionDelayMs = nonNegative(body.balance_transaction_delay_ms, "balance_transaction_delay_ms");
  }
  if (body.payouts !== undefined) {
    if (typeof body.payouts !== "boolean") throw invalidRequest("payouts must be true or false", "payouts");
    sandbox.payoutsEnabled = body.payouts;
  }
  const webhooks = body.webhooks as Record<string, unknown> | undefined;
  if (webhooks === undefined) return;
  if (typeof webhooks !== "object" || webhooks === null) throw invalidRequest("webhooks must be an object", "webhooks");
  const config = sandbox.webhooks.config;
  if (webhooks.url !== undefined) {
    if (webhooks.url !== null && (typeof webhooks.url !== "string" || !/^https?:\/\//.test(webhooks.url))) {
      throw invalidRequest("webhooks.url must be an http(s) URL or null", "webhooks.url");
    }
    config.url = webhooks.url as string | null;
  }
  if (webhooks.secret !== undefined) {
    if (typeof webhooks.secret !== "string" || !webhooks.secret.startsWith("whsec_")) {
      throw invalidRequest("webhooks.secret must start with whsec_", "webhooks.secret");
    }
    config.secret = webhooks.secret;
  }
  for (const [key, field] of [
    ["duplicate", "duplicate"],
    ["shuffle", "shuffle"],
  ] as const) {
    if (webhooks[key] !== undefined) {
      if (typeof webhooks[key] !== "boolean") throw invalidRequest(`webhooks.${key} must be true or false`, `webhooks.${key}`);
      config[field] = webhooks[key];
    }
  }
  if (webhooks.timeout_ms !== undefined) config.timeoutMs = Math.max(1, nonNegative(webhooks.timeout_ms, "webhooks.timeout_ms"));
  if (webhooks.retry_base_ms !== undefined) config.retryBaseMs = nonNegative(webhooks.retry_base_ms, "webhooks.retry_base_ms");
  if (webhooks.max_attempts !== undefined) config.maxAttempts = Math.max(1, nonNegative(webhooks.max_attempts, "webhooks.max_attempts"));
  if (webhooks.concurrency !== undefined) config.concurrency = Math.max(1, nonNegative(webhooks.concurrency, "webhooks.concurrency"));
}
