import { describe, expect, it } from "vitest";
import { EnvError, parseEnv, SANDBOX_STRIPE_API_BASE, SANDBOX_STRIPE_SECRET_KEY } from "@/lib/env";

function problemsOf(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.problems;
    throw error;
  }

  return [];
}

describe("parseEnv", () => {
  it("runs with nothing set: embedded database, local Stripe stand-in", () => {
    const env = parseEnv({});
    expect(env.database).toEqual({ kind: "pglite", dataDir: ".data/pglite" });
    expect(env.stripe).toMatchObject({ secretKey: SANDBOX_STRIPE_SECRET_KEY, apiBase: SANDBOX_STRIPE_API_BASE, usingSandbox: true });
    expect(env.appUrl).toBe("http://localhost:3000");
  });

  it("uses a PostgreSQL server and real Stripe when configured", () => {
    const env = parseEnv({
      DATABASE_URL: "postgres://u@db.example:5432/rf",
      STRIPE_SECRET_KEY: "sk_test_abc123",
      STRIPE_WEBHOOK_SECRET: "whsec_abc",
      APP_URL: "https://give.example.org/",
    });
    expect(env.database).toMatchObject({ kind: "postgres", url: "postgres://u@db.example:5432/rf" });
    expect(env.stripe).toMatchObject({ secretKey: "sk_test_abc123", apiBase: undefined, usingSandbox: false });
    expect(env.appUrl).toBe("https://give.example.org");
  });

  it("names every bad variable at once, and what it should be, without echoing values", () => {
    const problems = problemsOf({ DATABASE_URL: "mysql://secret-password@x", PORT: "eighty", STRIPE_SECRET_KEY: "pk_live_oops", LOG_LEVEL: "loud" });
    expect(problems).toHaveLength(4);
    expect(problems.join("\n")).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(problems.join("\n")).toMatch(/PORT: must be a port number/);
    expect(problems.join("\n")).toMatch(/STRIPE_SECRET_KEY: must be a Stripe secret/);
    expect(problems.join("\n")).toMatch(/LOG_LEVEL:/);
    expect(problems.join("\n")).not.toContain("secret-password");
  });

  it("leaves webhooks and email to worker processes only beside a PostgreSQL server", () => {
    expect(parseEnv({}).workers).toBe("in-process");
    expect(parseEnv({ WORKERS: "separate", DATABASE_URL: "postgres://u@db.example:5432/rf" }).workers).toBe("separate");
    expect(problemsOf({ WORKERS: "separate" })).toEqual([expect.stringMatching(/^WORKERS: separate needs DATABASE_URL/)]);
    expect(problemsOf({ WORKERS: "elsewhere" })).toEqual([expect.stringMatching(/^WORKERS: must be "in-process" .* or "separate"/)]);
  });

  it("shares the workers' Stripe budget by mode, within bounds", () => {
    expect(parseEnv({}).stripe.workerRequestsPerSecond).toBe(20);
    expect(parseEnv({ STRIPE_WORKER_REQUESTS_PER_SECOND: "50" }).stripe.workerRequestsPerSecond).toBe(50);
    expect(problemsOf({ STRIPE_WORKER_REQUESTS_PER_SECOND: "0" })).toEqual([expect.stringMatching(/^STRIPE_WORKER_REQUESTS_PER_SECOND: must be at least 1/)]);
    expect(problemsOf({ STRIPE_WORKER_REQUESTS_PER_SECOND: "lots" })).toEqual([expect.stringMatching(/^STRIPE_WORKER_REQUESTS_PER_SECOND: must be a whole number/)]);
  });

  it("lets the crash tests name where a process kills itself, and never in production", () => {
    expect(parseEnv({}).killAt).toBeNull();
    expect(parseEnv({ TEST_KILL_AT: "email-sent" }).killAt).toBe("email-sent");
    expect(problemsOf({ TEST_KILL_AT: "somewhere" })).toEqual([expect.stringMatching(/^TEST_KILL_AT: must be one of webhook-stored, batch-applying, email-sent/)]);
    expect(problemsOf({ APP_ENV: "production", TEST_KILL_AT: "webhook-stored" })).toContainEqual(expect.stringMatching(/^TEST_KILL_AT: must be unset in production/));
  });

  it("requires the webhook secret with a real key, and real settings in production", () => {
    expect(problemsOf({ STRIPE_SECRET_KEY: "sk_test_abc" })).toEqual([expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: is required/)]);
    const production = problemsOf({ APP_ENV: "production", APP_URL: "http://insecure.example", STRIPE_API_BASE: "http://localhost:12111" });
    expect(production).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY/),
      expect.stringMatching(/^DATABASE_URL/),
      expect.stringMatching(/^APP_URL: must be an https/),
      expect.stringMatching(/^STRIPE_API_BASE: must be unset/),
      expect.stringMatching(/^SMTP_URL: is required/),
      expect.stringMatching(/^APP_SECRET: is required/),
      expect.stringMatching(/^EMAIL_FROM: is required/),
      expect.stringMatching(/^CLIENT_IP_HEADER: is required/),
      expect.stringMatching(/^ADMIN_EMAILS: is required/),
    ]);
  });

  it.each(["sk_live_abc123", "rk_live_abc123"])("holds a live key (%s) to every production requirement, whatever APP_ENV says", (key) => {
    for (const appEnv of [{}, { APP_ENV: "local" }] as Array<Record<string, string>>) {
      const problems = problemsOf({ ...appEnv, STRIPE_SECRET_KEY: key, STRIPE_WEBHOOK_SECRET: "whsec_abc" });
      expect(problems).toEqual([
        "DATABASE_URL: is required with a live Stripe key",
        "APP_URL: must be an https:// URL with a live Stripe key",
        "SMTP_URL: is required with a live Stripe key (receipts must reach supporters)",
        "APP_SECRET: is required with a live Stripe key (it signs links and proof-of-work challenges)",
        "EMAIL_FROM: is required with a live Stripe key (the address receipts come from)",
        expect.stringMatching(/^CLIENT_IP_HEADER: is required with a live Stripe key/),
        expect.stringMatching(/^ADMIN_EMAILS: is required with a live Stripe key/),
      ]);
    }
    const complete = parseEnv({
      STRIPE_SECRET_KEY: key,
      STRIPE_WEBHOOK_SECRET: "whsec_abc",
      DATABASE_URL: "postgres://u@db.example:5432/rf",
      APP_URL: "https://give.example.org",
      SMTP_URL: "smtps://u:p@mail.example.org:465",
      APP_SECRET: "s".repeat(32),
      EMAIL_FROM: "gifts@example.org",
      CLIENT_IP_HEADER: "x-real-ip",
      ADMIN_EMAILS: " Finance.Lead@Example.org , it@example.org",
    });
    expect(complete).toMatchObject({ production: true, appEnv: "local", appSecret: "s".repeat(32), adminEmails: ["finance.lead@example.org", "it@example.org"] });
    expect(problemsOf({ ADMIN_EMAILS: "finance@example.org, not-an-address" })).toEqual([expect.stringMatching(/^ADMIN_EMAILS: must be a comma-separated list of email addresses \("not-an-address"/)]);
    // As sign-in keeps an address (NFKC, lower case): a full-width letter and "＠" are the plain ones; two "@" are no address.
    expect(parseEnv({ ADMIN_EMAILS: "Ｆinance＠example.org" }).adminEmails).toEqual(["finance@example.org"]);
    expect(problemsOf({ ADMIN_EMAILS: "a@b@example.org" })).toEqual([expect.stringMatching(/^ADMIN_EMAILS: must be a comma-separated list of email addresses \("a@b@example.org"/)]);
    expect(parseEnv({}).adminEmails).toEqual(["admin@example.org"]);
    // A test key is not production unless APP_ENV says so.
    expect(parseEnv({ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_abc" }).production).toBe(false);
  });

  it("takes the widget's settings: a secret, the headers a proxy and a CDN set, and a card descriptor a statement can show", () => {
    const local = parseEnv({});
    // No proxy is believed unless one is named: a client reaching the app directly writes any header it likes.
    expect(local).toMatchObject({ clientIpHeader: null, countryHeader: null, discreetStatementDescriptor: "ONLINE SERVICES" });
    expect(local.appSecret.length).toBeGreaterThanOrEqual(32);
    expect(parseEnv({ CLIENT_IP_HEADER: "CF-Connecting-IP", COUNTRY_HEADER: "CF-IPCountry", DISCREET_STATEMENT_DESCRIPTOR: "Web services" })).toMatchObject({
      clientIpHeader: "cf-connecting-ip",
      countryHeader: "cf-ipcountry",
      discreetStatementDescriptor: "WEB SERVICES",
    });
    expect(problemsOf({ APP_SECRET: "short" })).toEqual([expect.stringMatching(/^APP_SECRET: must be at least 32 characters/)]);
    expect(problemsOf({ DISCREET_STATEMENT_DESCRIPTOR: "12345" })).toEqual([expect.stringMatching(/^DISCREET_STATEMENT_DESCRIPTOR: must contain at least one letter/)]);
    expect(problemsOf({ DISCREET_STATEMENT_DESCRIPTOR: "Gifts <to> us" })).toEqual([expect.stringMatching(/^DISCREET_STATEMENT_DESCRIPTOR: must be 5 to 22/)]);
    expect(problemsOf({ CLIENT_IP_HEADER: "x forwarded" })).toEqual([expect.stringMatching(/^CLIENT_IP_HEADER: must be a header name/)]);
    expect(local.redisUrl).toBeNull();
    expect(local.newsroomOrigins).toEqual([]);
    expect(parseEnv({ NEWSROOM_ORIGINS: "https://news.example.org/, https://ru.news.example.org" }).newsroomOrigins).toEqual([
      "https://news.example.org",
      "https://ru.news.example.org",
    ]);
    expect(problemsOf({ NEWSROOM_ORIGINS: "news.example.org" })).toEqual([expect.stringMatching(/^NEWSROOM_ORIGINS: must be a comma-separated list of origins/)]);
    expect(problemsOf({ NEWSROOM_ORIGINS: "https://*.example.org" })).toEqual([expect.stringMatching(/^NEWSROOM_ORIGINS: must be a comma-separated list of origins/)]);
    expect(parseEnv({ REDIS_URL: "redis://127.0.0.1:6379" }).redisUrl).toBe("redis://127.0.0.1:6379");
    expect(problemsOf({ REDIS_URL: "http://127.0.0.1:6379" })).toEqual([expect.stringMatching(/^REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/)]);
  });

  it("keeps email in the local mailbox without SMTP, and sends through SMTP when configured", () => {
    expect(parseEnv({}).email).toEqual({ smtpUrl: null, from: "Readerfund Demo Newsroom <gifts@localhost>", messageDomain: "localhost" });
    const configured = parseEnv({ SMTP_URL: "smtps://user:pw@mail.example.org:465", EMAIL_FROM: "The Newsroom <Gifts@News.Example.org>", CRON_SECRET: "x".repeat(32) });
    expect(configured.email).toEqual({ smtpUrl: "smtps://user:pw@mail.example.org:465", from: "The Newsroom <Gifts@News.Example.org>", messageDomain: "news.example.org" });
    expect(configured.cronSecret).toBe("x".repeat(32));
    const bad = problemsOf({ SMTP_URL: "http://mail.example.org", EMAIL_FROM: "not an address", CRON_SECRET: "short" });
    expect(bad).toEqual([expect.stringMatching(/^SMTP_URL: must be an smtp/), expect.stringMatching(/^EMAIL_FROM: must be an address/), expect.stringMatching(/^CRON_SECRET: must be at least 32/)]);
  });

  it("refuses Auth.js's own variables: sign-in takes its origin from APP_URL and its secret from APP_SECRET", () => {
    const problems = problemsOf({ AUTH_SECRET: "a-weaker-secret", NEXTAUTH_URL: "http://elsewhere.example", AUTH_URL: "https://give.example.org", NEXTAUTH_SECRET: "x" });
    expect(problems).toHaveLength(4);
    for (const name of ["AUTH_SECRET", "NEXTAUTH_SECRET", "AUTH_URL", "NEXTAUTH_URL"]) expect(problems.join("\n")).toContain(`${name}: must be unset`);
    expect(problems.join("\n")).not.toMatch(/weaker|elsewhere/);
  });
});
