import "server-only";
import Stripe from "stripe";
import { env } from "@/lib/env";
import { describeError, log } from "@/lib/log";
import { takeStripeRequest } from "./request-budget";

// One client per process. Only host/port/protocol differ between Stripe and the stand-in: the code
// path (SDK, API version, idempotency keys, webhooks) is the same in every configuration.
const globalKey = Symbol.for("readerfund.stripe");
type GlobalWithStripe = typeof globalThis & { [globalKey]?: Stripe };

function create(httpClient?: Stripe.HttpClient): Stripe {
  const { secretKey, apiBase } = env().stripe;
  const target = apiBase ? new URL(apiBase) : null;

  return new Stripe(secretKey, {
    apiVersion: Stripe.API_VERSION,
    appInfo: { name: "Readerfund", url: "https://github.com/readerfund/readerfund" },
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(httpClient ? { httpClient } : {}),
    ...(target
      ? {
          host: target.hostname,
          port: target.port || (target.protocol === "https:" ? 443 : 80),
          protocol: target.protocol.replace(":", "") as "http" | "https",
        }
      : {}),
  });
}

export function getStripe(): Stripe {
  const holder = globalThis as GlobalWithStripe;
  holder[globalKey] ??= create();

  return holder[globalKey];
}

const workerKey = Symbol.for("readerfund.stripe.worker");
type GlobalWithWorkerStripe = typeof globalThis & { [workerKey]?: Stripe };

/**
 * The client the workers read Stripe with (applying webhook events, backfill, reconciliation):
 * each request, the SDK's own retries included, first takes its place in the budget every instance's
 * workers share (STRIPE_WORKER_REQUESTS_PER_SECOND), so a burst of events waits its turn here
 * rather than being refused by Stripe. Continue uses getStripe(), outside the budget: a reader is
 * never made to wait for a worker.
 */
export function getWorkerStripe(): Stripe {
  const holder = globalThis as GlobalWithWorkerStripe;
  holder[workerKey] ??= create(budgeted(Stripe.createNodeHttpClient()));

  return holder[workerKey];
}

function budgeted(inner: Stripe.HttpClient): Stripe.HttpClient {
  return {
    getClientName: () => inner.getClientName(),
    makeRequest: async (...request: Parameters<Stripe.HttpClient["makeRequest"]>) => {
      try {
        await takeStripeRequest(env().stripe.workerRequestsPerSecond);
      } catch (error) {
        // The database went away mid-batch. Thrown here, the SDK would report (and retry) it as a
        // failed connection to Stripe; asked anyway, the worst is a 429, which leaves the event for later.
        log.warn("stripe request budget unreachable; asking Stripe without it", { error: describeError(error) });
      }

      return inner.makeRequest(...request);
    },
  } as Stripe.HttpClient;
}

export { Stripe };
