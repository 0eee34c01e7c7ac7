import { describe, expect, it } from "vitest";
import { checkLimits, DEFAULT_LIMITS, MAX_WINDOW_SECONDS } from "@/lib/abuse/limits";

describe("limits", () => {
  it("keep every window within a day, so no hash outlives its day by more than that", () => {
    expect(checkLimits(DEFAULT_LIMITS)).toBe(DEFAULT_LIMITS);
    const windows = Object.values(DEFAULT_LIMITS).flatMap((scope) => Object.values(scope).flatMap((levels) => Object.values(levels).map((limit) => limit.seconds)));
    expect(Math.max(...windows)).toBeLessThanOrEqual(MAX_WINDOW_SECONDS);
  });

  it("refuse windows over a day and empty counts", () => {
    expect(() => checkLimits({ ...DEFAULT_LIMITS, reminder: { email: { hard: { points: 3, seconds: MAX_WINDOW_SECONDS + 1 } } } })).toThrow(/reminder\.email\.hard/);
    expect(() => checkLimits({ ...DEFAULT_LIMITS, checkout: { ip: { hard: { points: 0, seconds: 60 } } } })).toThrow(/checkout\.ip\.hard/);
  });
});
