import { parseClockStart } from "./clock-start";
import { startSandbox } from "./server";

/**
 * `npm run stripe-sandbox`: runs the stand-in on its own. Configuration comes from the environment
 * (this program's own variables, listed in stripe-sandbox/README.md), so the launcher and tests
 * can start it as a child process exactly as a newcomer would.
 */
const config = process.env;

function integer(name: string, fallback: number): number {
  const raw = config[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`stripe-sandbox: ${name} must be a non-negative whole number`);
    process.exit(2);
  }

  return value;
}

function flag(name: string, fallback: boolean): boolean {
  const raw = config[name];
  if (raw === undefined || raw === "") return fallback;

  return raw === "1" || raw === "true";
}

const secret = config.SANDBOX_WEBHOOK_SECRET || "whsec_readerfund_sandbox_local_only";
if (!secret.startsWith("whsec_")) {
  console.error("stripe-sandbox: SANDBOX_WEBHOOK_SECRET must start with whsec_");
  process.exit(2);
}

function clockStart(name: string): number | undefined {
  const raw = config[name];
  if (raw === undefined || raw === "") return undefined;
  try {
    return parseClockStart(raw);
  } catch (error) {
    console.error(`stripe-sandbox: ${name}: ${(error as Error).message}`);
    process.exit(2);
  }
}

const started = await startSandbox({
  port: integer("SANDBOX_PORT", 12111),
  host: config.SANDBOX_HOST || "127.0.0.1",
  publicUrl: config.SANDBOX_PUBLIC_URL || undefined,
  apiLatencyMs: integer("SANDBOX_API_LATENCY_MS", 0),
  balanceTransactionDelayMs: integer("SANDBOX_BALANCE_TRANSACTION_DELAY_MS", 0),
  stateFile: config.SANDBOX_STATE_FILE || null,
  clockStart: clockStart("SANDBOX_CLOCK_START"),
  payouts: flag("SANDBOX_PAYOUTS", true),
  webhooks: {
    url: config.SANDBOX_WEBHOOK_URL || null,
    secret,
    duplicate: flag("SANDBOX_WEBHOOK_DUPLICATE", false),
    shuffle: flag("SANDBOX_WEBHOOK_SHUFFLE", false),
    timeoutMs: integer("SANDBOX_WEBHOOK_TIMEOUT_MS", 10_000),
    retryBaseMs: integer("SANDBOX_WEBHOOK_RETRY_BASE_MS", 2_000),
    maxAttempts: integer("SANDBOX_WEBHOOK_MAX_ATTEMPTS", 8),
    concurrency: integer("SANDBOX_WEBHOOK_CONCURRENCY", 4),
  },
});

console.log(
  JSON.stringify({
    msg: "stripe-sandbox listening",
    url: started.url,
    now: new Date(started.sandbox.clock.now() * 1000).toISOString(),
    webhooks: started.sandbox.webhooks.config.url ?? "(none)",
    state: config.SANDBOX_STATE_FILE ? `${started.restored ? "restored from" : "kept in"} ${config.SANDBOX_STATE_FILE}` : "(memory only)",
  }),
);

// Closing saves the state one last time (SANDBOX_STATE_FILE), so a stop loses nothing.
const stop = async () => {
  await started.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
