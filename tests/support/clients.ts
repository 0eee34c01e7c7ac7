import { randomBytes } from "node:crypto";

/**
 * The header our proxy would add for a client of its own (a random 10.x.y.z address): requests
 * from different clients meet none of each other's rate limits. Tests of the limits themselves
 * choose their addresses.
 */
export function someClient(): { "x-forwarded-for": string } {
  const [a, b, c] = randomBytes(3);

  return { "x-forwarded-for": `10.${a}.${b}.${1 + (c! % 254)}` };
}
