import { z } from "zod";
// Relative, not "@/": next.config.ts loads this file through a transpiler that does not know the alias
import { normalizeSignInEmail } from "./auth/email-address";

/**
 * The only reader of process.env (enforced by ESLint). Parsed once; a bad or missing variable stops
 * start-up with one message that names every bad variable and what it should be, never its value.
 *
 * With nothing set the app runs locally on embedded PostgreSQL (PGlite) and the Stripe stand-in.
 */

// Well-known local-only credentials for the Stripe stand-in; they open nothing outside this machine.
export const SANDBOX_STRIPE_SECRET_KEY = "sk_test_readerfund_sandbox";
export const SANDBOX_STRIPE_WEBHOOK_SECRET = "whsec_readerfund_sandbox_local_only";
export const SANDBOX_STRIPE_API_BASE = "http://localhost:12111";
const LOCAL_APP_SECRET = "readerfund-local-only-secret-not-for-production";
/** The admin of a local demo (ADMIN_EMAILS unset): its sign-in link arrives in the local mailbox. */
export const LOCAL_ADMIN_EMAIL = "admin@example.org";
/** The moments the crash tests kill a process at (lib/kill-point.ts). */
export const KILL_POINTS = ["webhook-stored", "batch-applying", "email-sent"] as const;
export type KillPoint = (typeof KILL_POINTS)[number];

const LIVE_KEY = /^(sk|rk)_live_/;

const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());

const httpUrl = (what: string) =>
  z.url({ protocol: /^https?$/, error: `must be an http(s) URL (${what})` });

const ZRawEnv = z.object({
  APP_ENV: z.preprocess(
    emptyAsUndefined,
    z.enum(["local", "production"], { error: 'must be "local" or "production"' }).default("local"),
  ),
  PORT: z.preprocess(
    emptyAsUndefined,
    z.coerce
      .number({ error: "must be a port number" })
      .int("must be a whole number")
      .min(1, "must be between 1 and 65535")
      .max(65535, "must be between 1 and 65535")
      .default(3000),
  ),
  APP_URL: optional(httpUrl("the public origin of this app, e.g. https://give.example.org")),
  NEWSROOM_NAME: z.preprocess(
    emptyAsUndefined,
    z.string().min(1).max(80, "must be at most 80 characters").default("Readerfund Demo Newsroom"),
  ),
  DATABASE_URL: optional(
    z.url({
      protocol: /^postgres(ql)?$/,
      error: "must be a postgres:// URL, or unset to use the embedded database",
    }),
  ),
  DATABASE_POOL_MAX: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: "must be a number" }).int().min(1, "must be at least 1").max(200).default(10),
  ),
  PGLITE_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).default(".data/pglite")),
  STRIPE_SECRET_KEY: optional(
    z
      .string()
      .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, "must be a Stripe secret or restricted key (sk_test_…, sk_live_…)"),
  ),
  STRIPE_WEBHOOK_SECRET: optional(
    z.string().regex(/^whsec_[A-Za-z0-9_]+$/, "must be the endpoint's signing secret (whsec_…)"),
  ),
  STRIPE_API_BASE: optional(httpUrl("a Stripe-compatible API such as the stand-in; unset for api.stripe.com")),
  STRIPE_CHECKOUT_DEADLINE_MS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: "must be a number of milliseconds" }).int().min(500).max(60_000).default(8000),
  ),
  STRIPE_WORKER_REQUESTS_PER_SECOND: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: "must be a whole number of requests a second" }).int().min(1, "must be at least 1").max(10_000).optional(),
  ),
  TEST_KILL_AT: optional(
    z.enum(KILL_POINTS, { error: `must be one of ${KILL_POINTS.join(", ")}: where the process kills itself, for the crash tests only` }),
  ),
  WEBHOOK_WORKER_POLL_MS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number({ error: "must be a number of milliseconds" }).int().min(0).max(3_600_000).default(2000),
  ),
  WORKERS: z.preprocess(
    emptyAsUndefined,
    z.enum(["in-process", "separate"], { error: 'must be "in-process" (this process applies webhooks and sends email) or "separate" (`npm run worker` processes do)' }).default("in-process"),
  ),
  SMTP_URL: optional(
    z.url({ protocol: /^smtps?$/, error: "must be an smtp:// or smtps:// URL (smtps://user:password@host:465), or unset to keep email in the local mailbox" }),
  ),
  EMAIL_FROM: optional(
    z
      .string()
      .max(200)
      .regex(/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'must be an address, or a name and an address: "Newsroom <gifts@example.org>"'),
  ),
  APP_SECRET: optional(
    z.string().min(32, "must be at least 32 characters (a random secret: it signs reminder links and salts the hashes rate limits keep)"),
  ),
  CLIENT_IP_HEADER: optional(
    z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "must be a header name, such as cf-connecting-ip or x-forwarded-for")
      .transform((v) => v.toLowerCase()),
  ),
  COUNTRY_HEADER: optional(
    z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "must be a header name, such as cf-ipcountry")
      .transform((v) => v.toLowerCase()),
  ),
  DISCREET_STATEMENT_DESCRIPTOR: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9 .-]{5,22}$/, "must be 5 to 22 letters, digits, spaces, dots or hyphens (what a card statement can show)")
      .regex(/[A-Za-z]/, "must contain at least one letter (Stripe refuses a descriptor without one)")
      .default("ONLINE SERVICES"),
  ),
  ADMIN_EMAILS: optional(
    z
      .string()
      .max(2000)
      .transform((v, ctx) => {
        const given = v.split(",").map((p) => p.trim()).filter(Boolean);
        // As sign-in normalises an address, so an admin's role is found for the address they sign in with.
        const addresses = given.map((address) => normalizeSignInEmail(address) ?? "");
        for (const [index, address] of addresses.entries()) {
          if (address === "") {
            ctx.addIssue({ code: "custom", message: `must be a comma-separated list of email addresses ("${given[index]!.slice(0, 40)}" is not one)` });
          }
        }
        if (addresses.length === 0) ctx.addIssue({ code: "custom", message: "must name at least one address" });

        return addresses;
      }),
  ),
  NEWSROOM_ORIGINS: optional(
    z
      .string()
      .max(2000)
      .transform((v, ctx) => {
        const origins: string[] = [];
        for (const part of v.split(",").map((p) => p.trim()).filter(Boolean)) {
          try {
            const url = new URL(part);
            if ((url.protocol !== "https:" && url.protocol !== "http:") || part.includes("*")) throw new Error("not an origin");
            origins.push(url.origin);
          } catch {
            ctx.addIssue({ code: "custom", message: `must be a comma-separated list of origins like https://news.example.org ("${part.slice(0, 40)}" is not one)` });
          }
        }

        return origins;
      }),
  ),
  REDIS_URL: optional(z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL, or unset to keep rate limits in PostgreSQL" })),
  CRON_SECRET: optional(z.string().min(32, "must be at least 32 characters (a random secret a platform cron sends as a bearer token)")),
  // Auth.js reads these itself when they are set; sign-in takes its origin from APP_URL and its
  // secret from APP_SECRET instead, so a value here would be ignored or, worse, disagree.
  AUTH_SECRET: optional(z.string()),
  NEXTAUTH_SECRET: optional(z.string()),
  AUTH_URL: optional(z.string()),
  NEXTAUTH_URL: optional(z.string()),
  // Set by Next itself: "production" under `next start`.
  NODE_ENV: optional(z.string()),
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(["debug", "info", "warn", "error", "silent"], { error: "must be debug, info, warn, error or silent" }).default("info"),
  ),
});

export type Env = ReturnType<typeof parseEnv>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee the environment table in README.md.`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>) {
  const parsed = ZRawEnv.safeParse(source);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
    throw new EnvError(problems);
  }
  const raw = parsed.data;

  const usingSandbox = raw.STRIPE_SECRET_KEY === undefined;
  if (!usingSandbox && raw.STRIPE_WEBHOOK_SECRET === undefined) {
    problems.push("STRIPE_WEBHOOK_SECRET: is required when STRIPE_SECRET_KEY is set (the endpoint's whsec_… secret)");
  }
  // A live key moves real money from real people: it gets every production requirement, whatever
  // APP_ENV says, rather than a forgotten variable leaving links forgeable and receipts unsent.
  const liveKey = raw.STRIPE_SECRET_KEY !== undefined && LIVE_KEY.test(raw.STRIPE_SECRET_KEY);
  const production = raw.APP_ENV === "production" || liveKey;
  if (production) {
    const why = raw.APP_ENV === "production" ? "when APP_ENV=production" : "with a live Stripe key";
    if (usingSandbox) problems.push(`STRIPE_SECRET_KEY: is required ${why}`);
    if (raw.DATABASE_URL === undefined) problems.push(`DATABASE_URL: is required ${why}`);
    if (raw.APP_URL === undefined || !raw.APP_URL.startsWith("https://")) {
      problems.push(`APP_URL: must be an https:// URL ${why}`);
    }
    if (raw.STRIPE_API_BASE !== undefined) {
      problems.push(`STRIPE_API_BASE: must be unset ${why} (it points the app away from Stripe)`);
    }
    if (raw.SMTP_URL === undefined) problems.push(`SMTP_URL: is required ${why} (receipts must reach supporters)`);
    if (raw.APP_SECRET === undefined) problems.push(`APP_SECRET: is required ${why} (it signs links and proof-of-work challenges)`);
    if (raw.EMAIL_FROM === undefined) problems.push(`EMAIL_FROM: is required ${why} (the address receipts come from)`);
    if (raw.CLIENT_IP_HEADER === undefined) {
      problems.push(`CLIENT_IP_HEADER: is required ${why} (the header your proxy puts the client's address in; without it every reader shares one rate limit)`);
    }
    if (raw.ADMIN_EMAILS === undefined) {
      problems.push(`ADMIN_EMAILS: is required ${why} (the first admins, who grant finance staff their access; the local default is only for a demo)`);
    }
  }
  if (production && raw.TEST_KILL_AT !== undefined) problems.push("TEST_KILL_AT: must be unset in production (it makes the process kill itself)");
  if (raw.WORKERS === "separate" && raw.DATABASE_URL === undefined) {
    problems.push("WORKERS: separate needs DATABASE_URL (a PostgreSQL server): the embedded database lives inside one process, which a worker process cannot reach");
  }
  for (const name of ["AUTH_SECRET", "NEXTAUTH_SECRET", "AUTH_URL", "NEXTAUTH_URL"] as const) {
    if (raw[name] !== undefined) {
      problems.push(`${name}: must be unset (sign-in takes its address from APP_URL and its secret from APP_SECRET)`);
    }
  }
  if (problems.length > 0) throw new EnvError(problems);

  const appUrl = (raw.APP_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, "");

  return {
    appEnv: raw.APP_ENV,
    /** APP_ENV=production, or a live Stripe key: every production requirement holds. */
    production,
    port: raw.PORT,
    appUrl,
    newsroomName: raw.NEWSROOM_NAME,
    database: raw.DATABASE_URL
      ? ({ kind: "postgres", url: raw.DATABASE_URL, poolMax: raw.DATABASE_POOL_MAX } as const)
      : ({ kind: "pglite", dataDir: raw.PGLITE_DATA_DIR } as const),
    stripe: {
      secretKey: raw.STRIPE_SECRET_KEY ?? SANDBOX_STRIPE_SECRET_KEY,
      webhookSecret: raw.STRIPE_WEBHOOK_SECRET ?? SANDBOX_STRIPE_WEBHOOK_SECRET,
      apiBase: raw.STRIPE_API_BASE ?? (usingSandbox ? SANDBOX_STRIPE_API_BASE : undefined),
      usingSandbox,
      /** A live key: money facts are live, and reports show live figures only. */
      live: liveKey,
      /** How long Continue waits for Stripe before telling the reader to try again. */
      checkoutDeadlineMs: raw.STRIPE_CHECKOUT_DEADLINE_MS,
      /**
       * What the workers of every instance together may ask of Stripe's API in a second. Stripe
       * allows about 100 a second in live mode and 25 in test mode, per account; the rest is left
       * for Continue, which is never made to wait for the workers' budget.
       */
      workerRequestsPerSecond: raw.STRIPE_WORKER_REQUESTS_PER_SECOND ?? (liveKey ? 80 : 20),
    },
    webhookWorkerPollMs: raw.WEBHOOK_WORKER_POLL_MS,
    /** Where the crash tests make this process SIGKILL itself (lib/kill-point.ts); never in production. */
    killAt: raw.TEST_KILL_AT ?? null,
    /** Whether this web process applies webhooks and sends email itself, or leaves them to `npm run worker`. */
    workers: raw.WORKERS,
    email: {
      smtpUrl: raw.SMTP_URL ?? null,
      from: raw.EMAIL_FROM ?? `${raw.NEWSROOM_NAME.replace(/[<>"]/g, "")} <gifts@${new URL(appUrl).hostname}>`,
      // The domain of our Message-IDs: the sender's, so they are ours.
      messageDomain: (raw.EMAIL_FROM?.match(/@([^\s>]+)>?$/)?.[1] ?? new URL(appUrl).hostname).toLowerCase(),
    },
    cronSecret: raw.CRON_SECRET ?? null,
    // Locally a fixed secret: links signed with it are worth nothing outside this machine.
    appSecret: raw.APP_SECRET ?? LOCAL_APP_SECRET,
    // Null: no proxy we trust says who the client is (a client reaching us directly can write any
    // header it likes), so such requests share one rate limit.
    clientIpHeader: raw.CLIENT_IP_HEADER ?? null,
    redisUrl: raw.REDIS_URL ?? null,
    // Where the newsroom's articles live: the thank-you page links back only there (or to us).
    newsroomOrigins: raw.NEWSROOM_ORIGINS ?? [],
    // Admins by configuration, not by a row an admin could revoke. Locally, an address whose
    // sign-in link lands in the local mailbox (/mailbox), so the finance pages can be tried.
    adminEmails: raw.ADMIN_EMAILS ?? [LOCAL_ADMIN_EMAIL],
    countryHeader: raw.COUNTRY_HEADER ?? null,
    discreetStatementDescriptor: raw.DISCREET_STATEMENT_DESCRIPTOR.toUpperCase(),
    logLevel: raw.LOG_LEVEL,
    nodeEnv: raw.NODE_ENV ?? "development",
  };
}

let cached: Env | undefined;

/** The parsed environment; the first call parses and throws EnvError on any bad variable. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
