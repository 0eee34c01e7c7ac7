import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REMINDER_CANCEL_PURPOSE, REMINDER_LINK_PURPOSE, reminderIdFromToken, reminderLinks } from "@/lib/reminders/links";
import { sign } from "@/lib/security/secrets";

describe("reminder links", () => {
  const id = "0b7f6c1e-3d2a-4c5b-9e8f-7a6b5c4d3e2f";

  it("carry tokens that name the reminder for their own purpose only", () => {
    const links = reminderLinks(id);
    const reopen = decodeURIComponent(new URL(links.reopenUrl).searchParams.get("reminder")!);
    const cancel = decodeURIComponent(new URL(links.cancelUrl).searchParams.get("token")!);
    expect(links.reopenUrl.startsWith("http://localhost:3000/donate?reminder=")).toBe(true);
    expect(links.cancelUrl.startsWith("http://localhost:3000/reminders/cancel?token=")).toBe(true);
    expect(links.oneClickUnsubscribeUrl).toBe(links.cancelUrl.replace("/reminders/cancel", "/api/reminders/cancel"));
    expect(reminderIdFromToken(REMINDER_LINK_PURPOSE, reopen)).toBe(id);
    expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, cancel)).toBe(id);
    expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, reopen)).toBeNull();
    expect(reminderIdFromToken(REMINDER_LINK_PURPOSE, cancel)).toBeNull();
  });

  it("refuse altered tokens and signed values that are not reminder ids", () => {
    expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, sign(REMINDER_CANCEL_PURPOSE, "'; drop table reminders; --"))).toBeNull();
    expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, null)).toBeNull();
    fc.assert(
      fc.property(fc.string(), (token) => {
        expect(reminderIdFromToken(REMINDER_CANCEL_PURPOSE, token)).toBeNull();
      }),
    );
  });
});
