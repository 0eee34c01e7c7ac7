import { parseClockStart } from "../../stripe-sandbox/clock-start";
import { type StartedSandbox, startSandbox } from "../../stripe-sandbox/server";

export const SANDBOX_WEBHOOK_SECRET = "whsec_readerfund_sandbox_local_only";

/**
 * Where every stand-in the tests start sets its clock: TEST_CLOCK_START (unix seconds or ISO 8601
 * with an offset, as the stand-in's SANDBOX_CLOCK_START), or real time when unset. `npm test` runs
 * the suites that depend on billing periods again with it at awkward dates (month ends, leap days,
 * daylight-saving changes), so no test may assume what today's date is.
 */
export function testClockStart(): number | undefined {
  const raw = process.env.TEST_CLOCK_START;
  if (raw === undefined || raw === "") return undefined;
  try {
    return parseClockStart(raw);
  } catch (error) {
    throw new Error(`TEST_CLOCK_START: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * A stand-in as the integration tests use it: on a free port, delivering no webhooks (the tests
 * fetch the events it produced and deliver them themselves, in every order and with duplicates).
 * Kept free of the app's modules: the run's global setup starts one before any environment exists.
 */
export function startTestSandbox(): Promise<StartedSandbox> {
  return startSandbox({
    port: 0,
    clockStart: testClockStart(),
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
