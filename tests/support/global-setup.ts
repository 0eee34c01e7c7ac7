import type { TestProject } from "vitest/node";
import { startTestSandbox } from "./sandbox";

declare module "vitest" {
  export interface ProvidedContext {
    stripeApiBase: string;
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

  return async () => {
    await started.close();
  };
}
