import { type StartedSandbox, startSandbox } from "../../stripe-sandbox/server";

export const SANDBOX_WEBHOOK_SECRET = "whsec_readerfund_sandbox_local_only";

/**
 * A stand-in as the integration tests use it: on a free port, delivering no webhooks (the tests
 * fetch the events it produced and deliver them themselves, in every order and with duplicates).
 * Kept free of the app's modules: the run's global setup starts one before any environment exists.
 */
export function startTestSandbox(): Promise<StartedSandbox> {
  return startSandbox({
    port: 0,
    webhooks: {
      url: null,
      secret: SANDBOX_WEBHOOK_SECRET,
      duplicate: false,
      shuffle: false,
      timeoutMs: 5000,
      retryBaseMs: 50,
      maxAttempts: 3,
      concurrency: 4,
    },
  });
}
