import { describe, expect, it, vi } from "vitest";
import { Clock } from "../../stripe-sandbox/clock";

describe("the clock", () => {
  it("starts its clock at a given instant, which then runs on with real time and only moves forward", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const realNow = Date.UTC(2026, 11, 6, 20, 0, 0);
      vi.setSystemTime(realNow);
      const start = Date.UTC(2028, 1, 29, 23, 30) / 1000;
      const clock = new Clock(start);
      const before = new Clock(Date.UTC(2020, 0, 1) / 1000);
      expect(clock.now()).toBe(start);
      expect(new Clock().now()).toBe(realNow / 1000);
      vi.setSystemTime(realNow + 10_000);
      expect(clock.now()).toBe(start + 10);
      expect(before.now()).toBe(Date.UTC(2020, 0, 1, 0, 0, 10) / 1000);
      expect(clock.advance(3600)).toBe(start + 3610);
      expect(() => clock.advance(-1)).toThrow(RangeError);
      expect(() => new Clock(1.5)).toThrow(RangeError);
    } finally {
      vi.useRealTimers();
    }
  });
});
