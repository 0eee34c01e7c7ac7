import type { TestProject } from "vitest/node";
import { makePgliteTemplate } from "./database";
import { startTestSandbox } from "./sandbox";

declare module "vitest" {
  export interface ProvidedContext {
    stripeApiBase: string;
    /** A migrated embedded database's directory, copied for each test file (none on the server). */
    pgliteTemplate: string | null;
  }
}

/**
 * One Stripe stand-in for the whole run, reached over HTTP through the real SDK. It delivers no
 * webhooks here: integration tests fetch the events it produced and deliver them themselves, in
 * every order and with duplicates.
 */
export default async function setup(project: TestProject) {
  const started = await startTestSandbox();
  project.provide("stripeApiBase", started.url);
  const template = process.env.TEST_ADMIN_DATABASE_URL ?? process.env.DATABASE_URL ? null : await makePgliteTemplate();
  project.provide("pgliteTemplate", template?.dir ?? null);

  return async () => {
    await started.close();
    template?.remove();
  };
}
