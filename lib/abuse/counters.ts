import { RateLimiterRes } from "rate-limiter-flexible";
import { hashEmail, hashIp, hashVisitorId } from "./hash";
import type { AbuseLimits, GuardScope, Limit, LimitLevel, LimitSubject } from "./limits";

/** Who a request is, as the counters see it: hashes only, by the time anything is stored. */
export type Subjects = { scope: GuardScope; clientAddress: string; visitorId?: string | null; email?: string | null };

/** One counter this request touches: a subject's level in a scope, keyed by today's hash. */
export type Counter = { prefix: string; level: LimitLevel; limit: Limit; key: string; previousDayKey: string | null };

export type Store = { consume(key: string, points?: number): Promise<RateLimiterRes>; get(key: string): Promise<RateLimiterRes | null> };

export type Decision = { kind: "ok" } | { kind: "limited"; retryAfterSeconds: number } | { kind: "challenge" };

const SUBJECTS: LimitSubject[] = ["ip", "visitor", "email"];

/** Every counter a request touches, in a fixed order. */
export function countersFor(limits: AbuseLimits, input: Subjects, now: Date): Counter[] {
  const { visitorId, email, clientAddress: ip } = input;
  const hashers: Record<LimitSubject, ((at: Date) => string) | null> = {
    ip: (at) => hashIp(ip, at),
    visitor: visitorId ? (at) => hashVisitorId(visitorId, at) : null,
    email: email?.trim() ? (at) => hashEmail(email, at) : null,
  };
  const previousDay = new Date(now.getTime() - 24 * 60 * 60 * 1000);
  const secondsIntoDay = (now.getTime() - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) / 1000;
  const counters: Counter[] = [];
  // A fixed order (ip, visitor, email; soft, hard) so that concurrent transactions lock rows in the
  // same order and cannot deadlock.
  for (const subject of SUBJECTS) {
    const hash = hashers[subject];
    const levels = limits[input.scope][subject];
    if (!hash || !levels) continue;
    const today = hash(now);
    const yesterday = hash(previousDay);
    for (const level of ["soft", "hard"] as const) {
      const limit = levels[level];
      if (!limit) continue;
      counters.push({
        prefix: `${input.scope}:${subject}:${level}`,
        level,
        limit,
        key: today,
        // The hash changes at midnight UTC; a window that began yesterday still counts until it ends.
        previousDayKey: secondsIntoDay < limit.seconds ? yesterday : null,
      });
    }
  }

  return counters;
}

/** A counter's window after this request: its points (this request's included) and how long until it ends. */
export type Window = { points: number; msBeforeNext: number };
/** What one counter holds once this request is counted: today's window, and yesterday's while it is still open. */
export type Tally = { current: Window; carried: Window | null };
/** Counts one attempt against every counter, in their order, and reads yesterday's windows: one tally per counter. */
export type Tallier = (counters: Counter[]) => Promise<Tally[]>;

/** The tally for stores that count one key at a time (Redis, memory): each counter in turn. */
export function tallyInStores(storeFor: (counter: Counter) => Store): Tallier {
  return async (counters) => {
    const tallies: Tally[] = [];
    for (const counter of counters) {
      const store = storeFor(counter);
      let current: RateLimiterRes;
      try {
        current = await store.consume(counter.key, 1);
      } catch (outcome) {
        // The library rejects with the counter's state when it is over its points, and with an Error when the store failed.
        if (!(outcome instanceof RateLimiterRes)) throw outcome;
        current = outcome;
      }
      const previous = counter.previousDayKey ? await store.get(counter.previousDayKey) : null;
      tallies.push({
        current: { points: current.consumedPoints, msBeforeNext: current.msBeforeNext },
        carried: previous && previous.msBeforeNext > 0 ? { points: previous.consumedPoints, msBeforeNext: previous.msBeforeNext } : null,
      });
    }

    return tallies;
  };
}

export async function decide(counters: Counter[], tally: Tallier, challenge: string | null | undefined, spend: (payload: string) => Promise<boolean>): Promise<Decision> {
  let hardWaitMs: number | null = null;
  let softExceeded = false;
  const tallies = await tally(counters);
  for (const [index, counter] of counters.entries()) {
    const { exceeded, msBeforeReset } = judge(tallies[index]!, counter);
    if (!exceeded) continue;
    if (counter.level === "hard") hardWaitMs = Math.max(hardWaitMs ?? 0, msBeforeReset);
    else softExceeded = true;
  }
  if (hardWaitMs !== null) return { kind: "limited", retryAfterSeconds: Math.max(1, Math.ceil(hardWaitMs / 1000)) };
  if (!softExceeded) return { kind: "ok" };
  if (challenge && (await spend(challenge))) return { kind: "ok" };

  return { kind: "challenge" };
}

/** Whether a counter is over its points today, or together with what is left of yesterday's window. */
function judge({ current, carried }: Tally, counter: Counter): { exceeded: boolean; msBeforeReset: number } {
  const points = counter.limit.points;
  if (current.points > points) return { exceeded: true, msBeforeReset: current.msBeforeNext };
  // Yesterday's window began first and is as long, so it ends first: then only today's count remains.
  if (carried && current.points + carried.points > points) return { exceeded: true, msBeforeReset: carried.msBeforeNext };

  return { exceeded: false, msBeforeReset: 0 };
}
