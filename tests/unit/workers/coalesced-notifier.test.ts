import { describe, expect, it } from "vitest";
import { coalescedNotifier } from "@/lib/workers/notify";

/** A notifier whose sends finish only when the test says, recording when each began. */
function slowNotifier() {
  const sends: Array<{ name: string; finish: () => void; fail: (error: Error) => void }> = [];
  const notify = (name: string) =>
    new Promise<void>((resolve, reject) => {
      sends.push({ name, finish: resolve, fail: reject });
    });

  return { sends, notify };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("coalescedNotifier", () => {
  it("sends one notification for the wakes that come while one is on its way, after it, and each caller resolves once a send that began after its call is done", async () => {
    const { sends, notify } = slowNotifier();
    const coalesced = coalescedNotifier(notify);
    const done: string[] = [];
    void coalesced("stripe-webhooks").then(() => done.push("first"));
    const waiting = Array.from({ length: 50 }, (_, i) => coalesced("stripe-webhooks").then(() => done.push(`later ${i}`)));
    expect(sends.map((s) => s.name)).toEqual(["stripe-webhooks"]);

    sends[0]!.finish();
    await settled();
    expect(done).toEqual(["first"]);
    // The fifty later wakes share one send, begun after the first was done.
    expect(sends).toHaveLength(2);
    sends[1]!.finish();
    await Promise.all(waiting);
    expect(done).toHaveLength(51);
    expect(sends).toHaveLength(2);

    // Nothing on its way: the next wake is sent at once.
    void coalesced("stripe-webhooks");
    expect(sends).toHaveLength(3);
  });

  it("keeps loops apart, and a failed send fails its own callers only, the next one still going out", async () => {
    const { sends, notify } = slowNotifier();
    const coalesced = coalescedNotifier(notify);
    const first = coalesced("stripe-webhooks");
    void coalesced("emails");
    expect(sends.map((s) => s.name)).toEqual(["stripe-webhooks", "emails"]);
    const second = coalesced("stripe-webhooks");
    sends[0]!.fail(new Error("connection lost"));
    await expect(first).rejects.toThrow("connection lost");
    await settled();
    expect(sends.map((s) => s.name)).toEqual(["stripe-webhooks", "emails", "stripe-webhooks"]);
    sends[2]!.finish();
    await expect(second).resolves.toBeUndefined();
  });
});
