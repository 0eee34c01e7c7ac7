import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import Stripe from "stripe";
import { expectedSecurityHeaders } from "../../lib/security/headers";
import { expect, test, WEBHOOK_SECRET } from "./fixtures";

/**
 * HTTP as the production server answers it, without a browser: every route's security headers, the
 * webhook with a trailing slash, and addresses that do not decode.
 */

const APP_DIR = path.resolve(import.meta.dirname, "..", "..", "app");

type Route = { path: string; methods: string[]; handler?: true };

/** Every page and route handler under app/, with the methods a route file exports. */
function appRoutes(dir = APP_DIR, prefix = ""): Route[] {
  const routes: Route[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) {
      const segment = /^\(.*\)$/.test(entry) ? "" : `/${entry}`;
      routes.push(...appRoutes(full, `${prefix}${segment}`));
    } else if (entry === "page.tsx") {
      routes.push({ path: prefix || "/", methods: ["GET"] });
    } else if (entry === "route.ts") {
      const source = readFileSync(full, "utf8");
      const methods = [...source.matchAll(/export (?:(?:async )?function|const) (GET|POST|OPTIONS|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
      routes.push({ path: prefix, methods, handler: true });
    }
  }

  return routes;
}

const headersOf = (response: Response) => Object.fromEntries([...response.headers.entries()]);

test("every route answers with its security headers: the site's, or its own stricter ones", async ({ stack }) => {
  const routes = appRoutes();
  expect(routes.length).toBeGreaterThan(10);
  // Paths served from public/ and by Next itself get the site's headers too.
  const extra = ["/embed/loader.js", "/article-demo.html", "/no-such-page"];
  const checked: string[] = [];
  for (const { path: routePath, methods, handler } of [...routes, ...extra.map((p): Route => ({ path: p, methods: ["GET"] }))]) {
    // Dynamic segments would be a 500 for a path that does not decode (Next answers before any route runs): ids go in the query.
    expect(routePath, "no dynamic path segments under app/ (see app/mailbox/message/page.tsx)").not.toMatch(/\[/);
    for (const method of methods) {
      const response = await fetch(`${stack.appUrl}${routePath}`, { method, redirect: "manual", headers: { origin: stack.appUrl } });
      expect({ routePath, method, status: response.status < 500 }).toEqual({ routePath, method, status: true });
      const expected = expectedSecurityHeaders(routePath, { development: false, appUrl: stack.appUrl });
      const actual = headersOf(response);
      for (const [name, value] of Object.entries(expected)) {
        expect({ routePath, method, header: name, value: actual[name.toLowerCase()] }).toEqual({ routePath, method, header: name, value });
      }
      // An http APP_URL (as here) gets no Strict-Transport-Security; lib/security/headers.ts adds it for https.
      expect(actual["strict-transport-security"]).toBeUndefined();
      // Every route handler names its answer, so its log lines (and its worker's) can be found (lib/http.ts traced).
      if (handler) expect({ routePath, method, id: actual["x-request-id"] }).toEqual({ routePath, method, id: expect.stringMatching(/^req_[A-Za-z0-9_-]{16}$/) });
      checked.push(`${method} ${routePath}`);
    }
  }
  // The strict ones are really different from the site's.
  const mailboxHtml = await fetch(`${stack.appUrl}/mailbox/message/html?id=00000000-0000-0000-0000-000000000000`);
  expect(mailboxHtml.headers.get("content-security-policy")).toMatch(/^default-src 'none'/);
  expect(mailboxHtml.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  const receipt = await fetch(`${stack.appUrl}/donate/receipt?session_id=cs_test_nothing`);
  expect(receipt.headers.get("referrer-policy")).toBe("no-referrer");
  const confirm = await fetch(`${stack.appUrl}/sign-in/confirm`, { redirect: "manual" });
  expect(confirm.headers.get("referrer-policy")).toBe("same-origin");
  const page = await fetch(`${stack.appUrl}/donate`);
  expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  expect(page.headers.get("x-frame-options")).toBe("DENY");
  expect(checked).toContain("POST /api/stripe/webhook");
});

test("Stripe's webhook reaches the route with a trailing slash; other paths keep their redirect", async ({ stack }) => {
  const event = {
    id: `evt_trailing_slash_${Date.now()}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    // A type the app stores as ignored: the ledger is untouched.
    type: "customer.created",
    data: { object: { id: "cus_trailing_slash", object: "customer" } },
  };
  const payload = JSON.stringify(event);
  const signature = new Stripe("sk_test_unused").webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
  const response = await fetch(`${stack.appUrl}/api/stripe/webhook/`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/json", "stripe-signature": signature },
    body: payload,
  });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ received: true, duplicate: false });
  const rows = await stack.query<{ status: string }>("select status from stripe_events where id = $1", [event.id]);
  expect(rows).toEqual([{ status: "ignored" }]);

  const donate = await fetch(`${stack.appUrl}/donate/`, { redirect: "manual" });
  expect(donate.status).toBe(308);
  expect(donate.headers.get("location")).toBe("/donate");
});

test("an address whose percent-escapes do not decode is a 4xx with the site's headers, never a 5xx", async ({ stack }) => {
  const paths = ["/mailbox/%ZZ", "/mailbox/%ZZ/html", "/mailbox/message?id=%ZZ", "/mailbox/message/html?id=%FF", "/%ZZ", "/donate/%C0%AF", "/api/checkout/%ZZ", "/api/stripe/webhook/%ZZ"];
  for (const badPath of paths) {
    for (const method of ["GET", "POST"]) {
      const response = await fetch(`${stack.appUrl}${badPath}`, { method, redirect: "manual" });
      expect({ badPath, method, status: response.status >= 400 && response.status < 500 }).toEqual({ badPath, method, status: true });
      expect({ badPath, nosniff: response.headers.get("x-content-type-options") }).toEqual({ badPath, nosniff: "nosniff" });
    }
  }
});

test("every route handler answers a method it does not have with 405 and writes nothing; no page or route answers one with a 5xx", async ({ stack }) => {
  const counted = ["stripe_events", "gifts", "payments", "reminders", "outbound_emails", "verification_tokens", "sessions", "audit_log", "rate_limits"];
  const countAll = async () =>
    (await stack.query<Record<string, string>>(`select ${counted.map((table) => `(select count(*) from ${table}) as ${table}`).join(", ")}`, []))[0];
  const before = await countAll();
  const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
  const handlers: string[] = [];
  for (const { path: routePath, methods } of appRoutes()) {
    const isPage = methods.length === 1 && methods[0] === "GET" && !readdirSync(path.join(APP_DIR, routePath)).includes("route.ts");
    for (const method of METHODS.filter((m) => !methods.includes(m))) {
      const response = await fetch(`${stack.appUrl}${routePath}`, { method, redirect: "manual", headers: { origin: stack.appUrl, "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" });
      const body = await response.text();
      expect({ routePath, method, status: response.status < 500 }).toEqual({ routePath, method, status: true });
      expect(body).not.toMatch(/\n\s+at\s|node_modules|\.[cm]?[jt]sx?:\d+/);
      if (!isPage) {
        expect({ routePath, method, status: response.status }).toEqual({ routePath, method, status: 405 });
        handlers.push(`${method} ${routePath}`);
      }
    }
  }
  expect(handlers).toContain("GET /api/stripe/webhook");
  expect(handlers).toContain("DELETE /api/checkout");
  expect(await countAll()).toEqual(before);
});
