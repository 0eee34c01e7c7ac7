import { describe, expect, it } from "vitest";
import { describeWait } from "@/lib/abuse/guard";

describe("describeWait", () => {
  it("describe waits rounded up, in words", () => {
    expect(describeWait(1)).toBe("a minute");
    expect(describeWait(61)).toBe("2 minutes");
    expect(describeWait(12 * 60)).toBe("12 minutes");
    expect(describeWait(3600)).toBe("an hour");
    expect(describeWait(86_400)).toBe("24 hours");
  });
});
