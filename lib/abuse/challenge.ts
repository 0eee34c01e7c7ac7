import { timingSafeEqual } from "node:crypto";
import { createChallenge as createAltchaChallenge, extractParams } from "altcha-lib/v1";
import { getDb, type Queryable } from "@/db";
import { spentChallenges } from "@/db/schema";
import { keyFor } from "@/lib/security/secrets";

/** Long enough for a slow phone to solve one and send the form, short enough to be useless in bulk. */
export const CHALLENGE_TTL_SECONDS = 10 * 60;

/**
 * The server picks the secret number below this; a solver tries on average half of them. Fifty
 * thousand SHA-256 digests take a desktop browser a fraction of a second and an old phone a second
 * or two: a pause a reader barely notices, paid again for every attempt past a soft limit.
 */
export const CHALLENGE_MAX_NUMBER = 50_000;

/** ALTCHA's classic challenge, as the browser receives it. */
export type Challenge = { algorithm: "SHA-256"; challenge: string; maxnumber: number; salt: string; signature: string };

/** A solution that checked out: its signature names the challenge, which expires at `expiresAt`. */
export type VerifiedSolution = { signature: string; expiresAt: Date };

// A solution is about 250 characters; anything much longer is not one and is not worth parsing.
const MAX_PAYLOAD_LENGTH = 1_000;

function hmacKey(): string {
  return keyFor("altcha").toString("hex");
}

export async function createChallenge(options: { maxNumber?: number; now?: Date } = {}): Promise<Challenge> {
  const now = options.now ?? new Date();
  const challenge = await createAltchaChallenge({
    algorithm: "SHA-256",
    hmacKey: hmacKey(),
    maxnumber: options.maxNumber ?? CHALLENGE_MAX_NUMBER,
    expires: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
  });

  return { ...challenge, algorithm: "SHA-256", maxnumber: challenge.maxnumber ?? CHALLENGE_MAX_NUMBER };
}

/**
 * Checks a solution (base64 of `{algorithm, challenge, number, salt, signature}`, as altcha-lib's
 * `verifySolution` reads it) without spending it. This is `verifySolution`'s check with three
 * additions: only SHA-256 (the algorithm is the client's to name), an expiry is required (every
 * challenge we sign has one), and the signature is compared in constant time.
 */
export async function verifyChallengeSolution(payload: string, now: Date = new Date()): Promise<VerifiedSolution | null> {
  if (payload.length > MAX_PAYLOAD_LENGTH) return null;
  let solution: unknown;
  try {
    solution = JSON.parse(atob(payload));
  } catch {
    return null;
  }
  if (typeof solution !== "object" || solution === null) return null;
  const { algorithm, challenge, number, salt, signature } = solution as Record<string, unknown>;
  if (algorithm !== "SHA-256" || typeof challenge !== "string" || typeof salt !== "string" || typeof signature !== "string") return null;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0) return null;

  const expires = Number(extractParams({ algorithm, challenge, salt, signature }).expires);
  if (!Number.isSafeInteger(expires) || expires * 1000 <= now.getTime()) return null;

  const expected = await createAltchaChallenge({ algorithm, hmacKey: hmacKey(), number, salt });
  if (!sameText(expected.challenge, challenge) || !sameText(expected.signature, signature)) return null;

  return { signature, expiresAt: new Date(expires * 1000) };
}

/**
 * Accepts a valid, unexpired solution once: its signature goes into `spent_challenges` (kept until
 * the challenge would have expired anyway), and a second request with it finds the row and is refused,
 * whichever instance it reaches.
 */
export async function verifyAndSpend(payload: string, db: Queryable = getDb()): Promise<boolean> {
  const verified = await verifyChallengeSolution(payload);
  if (!verified) return false;
  const inserted = await db
    .insert(spentChallenges)
    .values({ signature: verified.signature, expiresAt: verified.expiresAt })
    .onConflictDoNothing()
    .returning({ signature: spentChallenges.signature });

  return inserted.length === 1;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);

  return left.length === right.length && timingSafeEqual(left, right);
}
