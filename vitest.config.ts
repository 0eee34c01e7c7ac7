import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@\//, replacement: `${root}/` },
      // Next's guard against importing server code into the browser; tests are server code.
      { find: /^server-only$/, replacement: path.join(root, "tests/support/server-only.ts") },
    ],
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/stripe-sandbox/**/*.test.ts", "tests/scripts/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    setupFiles: ["tests/support/setup-env.ts"],
    pool: "forks",
    // Each integration file opens its own database; PGlite takes ~700 MB, so two at a time.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Everything the app logs, at its most talkative, is checked for personal data and secrets
    // (tests/support/setup-env.ts) and kept off the console.
    env: { LOG_LEVEL: "debug" },
    server: {
      deps: {
        // next-auth imports "next/server" without its extension, which Node's resolver refuses
        // from an externalised package ("Cannot find module .../next/server"); vite resolves it.
        inline: ["next-auth", "@auth/core"],
      },
    },
  },
});
