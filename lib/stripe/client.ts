import "server-only";
import Stripe from "stripe";
import { env } from "@/lib/env";

// One client per process. Only host/port/protocol differ between Stripe and the stand-in: the code
// path (SDK, API version, idempotency keys, webhooks) is the same in every configuration.
const globalKey = Symbol.for("readerfund.stripe");
type GlobalWithStripe = typeof globalThis & { [globalKey]?: Stripe };

function create(): Stripe {
  const { secretKey, apiBase } = env().stripe;
  const target = apiBase ? new URL(apiBase) : null;

  return new Stripe(secretKey, {
    apiVersion: Stripe.API_VERSION,
    appInfo: { name: "Readerfund", url: "https://github.com/readerfund/readerfund" },
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
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

export { Stripe };
