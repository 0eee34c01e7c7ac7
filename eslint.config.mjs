import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    // Nothing in the app may depend on the stand-in: it is reached over HTTP only, like Stripe.
    files: ["app/**", "lib/**", "db/**", "emails/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/stripe-sandbox/**", "*stripe-sandbox*"], message: "The app reaches the Stripe stand-in over HTTP only." }] }],
    },
  },
);
