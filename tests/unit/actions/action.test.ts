import { describe, expect, it } from "vitest";
import { z } from "zod";
import { action, formDataToObject, publicAccess } from "@/lib/actions/action";
import { AppError } from "@/lib/errors";

const ZRename = z.object({ name: z.string().trim().min(1, "Enter a name").max(20, "Enter at most 20 characters"), tags: z.array(z.string()).optional() });

const form = (fields: Array<[string, string]>) => {
  const data = new FormData();
  for (const [key, value] of fields) data.append(key, value);

  return data;
};

describe("action", () => {
  const rename = action({ name: "rename", schema: ZRename, authorize: publicAccess, run: async (input) => ({ greeting: `Hello, ${input.name}` }) });

  it("parses the form with the shared schema and answers the result", async () => {
    expect(await rename(null, form([["name", "  Anna "]]))).toEqual({ ok: true, data: { greeting: "Hello, Anna" } });
  });

  it("answers each bad field with its message, and runs nothing", async () => {
    let ran = false;
    const guarded = action({ name: "guarded", schema: ZRename, authorize: publicAccess, run: async () => (ran = true) });
    expect(await guarded(null, form([["name", " "]]))).toEqual({ ok: false, fieldErrors: { name: "Enter a name" }, formError: null, code: "INVALID_INPUT" });
    expect(ran).toBe(false);
  });

  it("refuses before reading the input when the caller may not run it", async () => {
    let ran = false;
    const staffOnly = action({
      name: "staff-only",
      schema: ZRename,
      authorize: async () => {
        throw new AppError("FORBIDDEN", "Only finance staff can do this.");
      },
      run: async () => (ran = true),
    });
    expect(await staffOnly(null, form([["name", "Anna"]]))).toEqual({ ok: false, fieldErrors: {}, formError: "Only finance staff can do this.", code: "FORBIDDEN" });
    expect(ran).toBe(false);
  });

  it("shows an AppError the action raised as written, and hides anything else", async () => {
    const conflict = action({ name: "conflict", schema: ZRename, authorize: publicAccess, run: async () => Promise.reject(new AppError("CONFLICT", "That gift has already ended.")) });
    expect(await conflict(null, form([["name", "Anna"]]))).toMatchObject({ ok: false, formError: "That gift has already ended.", code: "CONFLICT" });
    const broken = action({ name: "broken", schema: ZRename, authorize: publicAccess, run: async () => Promise.reject(new Error("relation \"x\" does not exist at 10.0.0.5")) });
    const answer = await broken(null, form([["name", "Anna"]]));
    expect(answer).toMatchObject({ ok: false, code: "INTERNAL" });
    expect(JSON.stringify(answer)).not.toMatch(/relation|10\.0\.0\.5/);
  });

  it("lets Next's redirect through: it is how an action ends on another page", async () => {
    const redirecting = action({
      name: "redirecting",
      schema: ZRename,
      authorize: publicAccess,
      run: async () => {
        throw Object.assign(new Error("NEXT_REDIRECT"), { digest: "NEXT_REDIRECT;replace;/account;307;" });
      },
    });
    await expect(redirecting(null, form([["name", "Anna"]]))).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_REDIRECT/) });
  });
});

describe("formDataToObject", () => {
  it("keeps repeated names as arrays and drops Next's own action fields", () => {
    expect(formDataToObject(form([["tags", "a"], ["tags", "b"], ["name", "x"], ["$ACTION_ID_abc", ""]]))).toEqual({ tags: ["a", "b"], name: "x" });
  });
});
