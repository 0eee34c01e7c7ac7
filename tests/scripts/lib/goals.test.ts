import { describe, expect, it } from "vitest";
import { atLeast, atMost } from "../../../scripts/lib/goals";

describe("a goal beside its measure", () => {
  it("says met or missed, and by how much, either way", () => {
    expect(atMost("p99", 35, 100, " ms")).toEqual({ name: "p99", goal: "≤ 100 ms", measured: "35 ms", met: true, margin: "65 ms to spare" });
    expect(atMost("p99", 130, 100, " ms")).toMatchObject({ met: false, margin: "over by 30 ms" });
    expect(atMost("bytes", 100, 100, " B")).toMatchObject({ met: true, margin: "0 B to spare" });
    expect(atLeast("ratio", 0.63, 0.8, "")).toEqual({ name: "ratio", goal: "≥ 0.80", measured: "0.63", met: false, margin: "short by 0.17" });
    expect(atLeast("ratio", 0.91, 0.8, "")).toMatchObject({ met: true, margin: "0.11 to spare" });
  });
});
