import type { TestProject } from "vitest/node";
import { startSandbox } from "../../stripe-sandbox/server";

declare module "vitest" {
  export interface ProvidedContext {
    stripeApiBase: string;
  }
}

/**
 * One Stripe stand-in for the whole run, reached over HTTP through the real SDK. It delivers no
 * webhooks here: integration tests fetch the events it produced and deliver them themselves, in
 * every order and with duplicates.
 */
export default async function setup(project: TestProject) {
  const started = await startSandbox({
    port: 0,
    webhooks: {
      url: null,
      secret: "whsec_readerfund_sandbox_local_only",
      duplicate: false,
      shuffle: false,
      timeoutMs: 5000,
      retryBaseMs: 50,
      maxAttempts: 3,
      concurrency: 4,
    },
  });
  project.provide("stripeApiBase", started.url);

  return async () => {
    await started.close();
  };
}
