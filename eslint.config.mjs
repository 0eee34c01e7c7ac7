import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Today's date, read from this machine: argument-less `new Date()` and `Date.now()`.
const REAL_NOW = ["NewExpression[callee.name='Date'][arguments.length=0]", "CallExpression[callee.object.name='Date'][callee.property.name='now']"];
// Inside an expectation: `expect(…)` and `expect.…(…)` themselves, and a matcher's arguments (`.toBe(…)`, `.not.toBe(…)`, `.resolves.not.toBe(…)`).
const EXPECTATION = `:matches(${["callee.name", "callee.object.name", "callee.object.callee.name", "callee.object.object.callee.name", "callee.object.object.object.callee.name"]
  .map((path) => `CallExpression[${path}='expect']`)
  .join(", ")})`;
const NO_TODAY_IN_EXPECTATIONS = REAL_NOW.map((now) => ({
  selector: `${EXPECTATION} ${now}`,
  message:
    "An expectation must not depend on today's date: take the time from the stand-in's clock or the objects themselves. (Comparing with a clock the app itself reads in real time, such as a backoff, is fine: disable this on that line and say so.)",
}));

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "db/migrations/**", "public/embed/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // The app reads its environment only through lib/env.ts (parsed and validated once).
    files: ["app/**", "lib/**", "db/**", "emails/**", "instrumentation.ts", "next.config.ts"],
    ignores: ["lib/env.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Read configuration through env() from lib/env.ts." }],
    },
  },
  {
    // No test decides what to expect from the day it runs on (npm test runs the billing suites at awkward dates too).
    files: ["tests/**"],
    rules: { "no-restricted-syntax": ["error", ...NO_TODAY_IN_EXPECTATIONS] },
  },
  {
    // Suites that move a stand-in's clock: there, now is the stand-in's, never this machine's.
    files: ["tests/stripe-sandbox/**", "tests/support/stand-in.ts", "tests/support/clock.ts", "tests/integration/recurring/**", "tests/integration/email/**", "tests/integration/scheduled/yearly-statements.test.ts", "tests/support/email-suite.ts", "tests/e2e/give-monthly.spec.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        ...REAL_NOW.map((selector) => ({
          selector,
          message:
            "This suite moves the stand-in's clock, so now is the stand-in's (its clock, the objects' times), not this machine's: a run starts it at awkward dates. For real time (a signature, a deadline), disable this on that line and say why.",
        })),
      ],
    },
  },
  {
    // Nothing in the app may depend on the stand-in: it is reached over HTTP only, like Stripe.
    files: ["app/**", "lib/**", "db/**", "emails/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/stripe-sandbox/**", "*stripe-sandbox*"], message: "The app reaches the Stripe stand-in over HTTP only." }] }],
    },
  },
);
