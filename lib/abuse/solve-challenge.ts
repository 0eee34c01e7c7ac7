/**
 * Solves an ALTCHA challenge (the classic SHA-256 one from lib/abuse/challenge.ts): finds the
 * number whose SHA-256 of `salt + number` is `challenge`, and returns the payload the server
 * verifies. It goes into the embeddable widget, so it imports nothing and uses only what browsers
 * and Node 20 share (Web Crypto, TextEncoder, btoa).
 */
export type ChallengeToSolve = { algorithm: string; challenge: string; maxnumber?: number; salt: string; signature: string };

export async function solveChallenge(input: ChallengeToSolve | string): Promise<string | null> {
  const { algorithm, challenge, maxnumber = 1_000_000, salt, signature } = typeof input === "string" ? (JSON.parse(input) as ChallengeToSolve) : input;
  const target = (challenge.match(/../g) ?? []).map((pair) => parseInt(pair, 16));
  const encoder = new TextEncoder();
  for (let number = 0; number <= maxnumber; number++) {
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(salt + number)));
    if (digest.length === target.length && digest.every((byte, i) => byte === target[i])) {
      return btoa(JSON.stringify({ algorithm, challenge, number, salt, signature }));
    }
  }

  return null;
}
