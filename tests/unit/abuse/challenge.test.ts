import { verifySolution } from "altcha-lib/v1";
import { describe, expect, it } from "vitest";
import { CHALLENGE_MAX_NUMBER, CHALLENGE_TTL_SECONDS, createChallenge, verifyChallengeSolution } from "@/lib/abuse/challenge";
import { solveChallenge } from "@/lib/abuse/solve-challenge";
import { keyFor } from "@/lib/security/secrets";
import { solveQuickly } from "../../support/solve";

const decode = (payload: string) => JSON.parse(atob(payload)) as Record<string, unknown>;
const encode = (solution: Record<string, unknown>) => btoa(JSON.stringify(solution));

describe("proof-of-work challenges", () => {
  it("hands out classic SHA-256 challenges at production difficulty by default, expiring in ten minutes", async () => {
    const before = Math.floor(Date.now() / 1000);
    const challenge = await createChallenge();
    expect(challenge).toMatchObject({ algorithm: "SHA-256", maxnumber: CHALLENGE_MAX_NUMBER });
    expect(challenge.challenge).toMatch(/^[0-9a-f]{64}$/);
    expect(challenge.signature).toMatch(/^[0-9a-f]{64}$/);
    const expires = Number(/[?&]expires=(\d+)&/.exec(challenge.salt)?.[1]);
    expect(expires - before).toBeGreaterThanOrEqual(CHALLENGE_TTL_SECONDS - 1);
    expect(expires - before).toBeLessThanOrEqual(CHALLENGE_TTL_SECONDS + 1);
  });

  it("are solved by the browser solver into a payload both we and altcha-lib accept", async () => {
    const challenge = await createChallenge({ maxNumber: 2_000 });
    const payload = await solveChallenge(JSON.stringify(challenge));
    expect(payload).not.toBeNull();
    expect(await verifySolution(payload!, keyFor("altcha").toString("hex"))).toBe(true);
    expect(await verifyChallengeSolution(payload!)).toEqual({ signature: challenge.signature, expiresAt: expect.any(Date) });
  });

  it("are solved the same by the integration tests' quick solver, and by neither past maxnumber", async () => {
    for (let i = 0; i < 5; i++) {
      const challenge = await createChallenge({ maxNumber: 2_000 });
      expect(solveQuickly(challenge)).toBe(await solveChallenge(challenge));
      const beyondReach = { ...challenge, maxnumber: 0 };
      const number = (JSON.parse(atob(solveQuickly(challenge)!)) as { number: number }).number;
      if (number > 0) {
        expect(solveQuickly(beyondReach)).toBeNull();
        expect(await solveChallenge(beyondReach)).toBeNull();
      }
    }
  });

  it("refuse altered, foreign, expired and malformed solutions", async () => {
    const challenge = await createChallenge({ maxNumber: 2_000 });
    const solution = decode((await solveChallenge(challenge))!);
    const refused = [
      encode({ ...solution, number: (solution.number as number) + 1 }),
      encode({ ...solution, number: String(solution.number) }),
      encode({ ...solution, signature: "0".repeat(64) }),
      encode({ ...solution, algorithm: "SHA-1" }),
      encode({ ...solution, salt: (solution.salt as string).replace(/expires=\d+/, "expires=9999999999") }),
      "not base64 at all!",
      btoa("not json"),
      btoa("null"),
      "A".repeat(5_000),
    ];
    for (const payload of refused) expect(await verifyChallengeSolution(payload)).toBeNull();

    const expiredChallenge = await createChallenge({ maxNumber: 500, now: new Date(Date.now() - (CHALLENGE_TTL_SECONDS + 5) * 1000) });
    expect(await verifyChallengeSolution((await solveChallenge(expiredChallenge))!)).toBeNull();
    // A challenge not yet expired is refused once its expiry has passed.
    const afterExpiry = new Date(Date.now() + (CHALLENGE_TTL_SECONDS + 5) * 1000);
    expect(await verifyChallengeSolution(encode(solution), afterExpiry)).toBeNull();
  });
});
