import { EnvError, env } from "@/lib/env";
import { ensureBuilt, startApp, startStripeSandbox, type Started, stopProcess } from "./lib/processes";

/**
 * `npm start`: the whole app, demo-ready, on a fresh clone. Builds if the sources changed since the
 * last build, starts the Stripe stand-in unless STRIPE_SECRET_KEY is set, then the app.
 */
let config;
try {
  config = env();
} catch (error) {
  if (error instanceof EnvError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const children: Started[] = [];
let stopping = false;
const stopAll = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await Promise.all(children.map((c) => stopProcess(c.child)));
  process.exit(code);
};
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

try {
  console.log("Checking the production build…");
  const build = await ensureBuilt();
  console.log(build === "reused" ? "Build is current." : "Build finished.");

  let sandbox: Started | null = null;
  if (config.stripe.usingSandbox) {
    const port = Number(new URL(config.stripe.apiBase ?? "http://localhost:12111").port || 12111);
    sandbox = await startStripeSandbox({
      port,
      webhookUrl: `http://localhost:${config.port}/api/stripe/webhook`,
      webhookSecret: config.stripe.webhookSecret,
      inheritOutput: true,
    });
    children.push(sandbox);
  }
  const app = await startApp({
    port: config.port,
    // The app reads its own environment through lib/env; pass through what the user set.
    env: { ...process.env },
    inheritOutput: true,
  });
  children.push(app);

  for (const child of children) {
    child.child.on("exit", (code) => {
      if (!stopping) {
        console.error(`A process stopped unexpectedly (exit ${code}); stopping.`);
        void stopAll(code ?? 1);
      }
    });
  }

  console.log(`
  Readerfund is running.

    Sample article with the picker:  ${config.appUrl}/
    Give page:                       ${config.appUrl}/donate
    Database:                        ${config.database.kind === "pglite" ? `embedded (PGlite) in ${config.database.dataDir}` : "PostgreSQL server (DATABASE_URL)"}
    Stripe:                          ${sandbox ? `local stand-in at ${sandbox.url} (test card 4242 4242 4242 4242)` : "Stripe (STRIPE_SECRET_KEY)"}
    Email:                           ${config.email.smtpUrl ? "sent through SMTP_URL" : `kept in the local mailbox: ${config.appUrl}/mailbox`}

  Press Ctrl+C to stop.
`);
} catch (error) {
  console.error(`Could not start: ${(error as Error).message}`);
  await stopAll(1);
}
