import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { securityHeaderRules } from "@/lib/security/headers";
import { staleBuildProblem, startupSummary } from "@/lib/server-process";

const production = { development: false };

describe("startupSummary", () => {
  it("says in the start-up line which email delivery is in use, without the SMTP URL's password", () => {
    expect(startupSummary(parseEnv({}))).toMatchObject({ delivery: "local mailbox at http://localhost:3000/mailbox" });
    const smtp = startupSummary(parseEnv({ SMTP_URL: "smtps://user:hunter2hunter2@mail.example.org:465" }));
    expect(smtp).toMatchObject({ delivery: "smtp via mail.example.org:465" });
    expect(JSON.stringify(smtp)).not.toMatch(/hunter2|user:/);
  });
});

describe("staleBuildProblem", () => {
  it("refuses to start a production server whose build recorded another environment's headers", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "readerfund-build-"));
    try {
      const writeManifest = (appUrl: string) =>
        writeFileSync(path.join(dir, "routes-manifest.json"), JSON.stringify({ headers: securityHeaderRules({ ...production, appUrl }) }));
      const https = parseEnv({ NODE_ENV: "production", APP_URL: "https://give.example.org" });
      writeManifest("http://localhost:3000");
      expect(staleBuildProblem(https, dir)).toMatch(/Run `npm run build` again/);
      writeManifest("https://give.example.org");
      expect(staleBuildProblem(https, dir)).toBeNull();
      // Not a production server (next dev, tests): nothing to compare.
      writeManifest("http://localhost:3000");
      expect(staleBuildProblem(parseEnv({ APP_URL: "https://give.example.org" }), dir)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
