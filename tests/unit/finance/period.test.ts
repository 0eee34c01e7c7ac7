import { describe, expect, it } from "vitest";
import { ZPeriod } from "@/lib/finance/period";

describe("ZPeriod", () => {
  it("refuses an empty day, a month 13 and a 30 February with a message, rather than throwing", () => {
    for (const from of ["", "2026-13-45", "2026-02-30", "yesterday"]) {
      const parsed = ZPeriod.safeParse({ from, to: "2026-03-01" });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(["from"]);
    }
    expect(ZPeriod.parse({ from: "2026-02-28", to: "2026-03-01" })).toEqual({ from: "2026-02-28", to: "2026-03-01" });
  });
});
