import { existsSync, renameSync } from "node:fs";
import path from "node:path";
import { EnvError, env } from "@/lib/env";
import { stateFilesOf } from "../stripe-sandbox/state-file";
import { ROOT, ensureBuilt, startApp, startStripeSandbox, type Started, stopAllProcesses } from "./lib/processes";

/**
 * `npm start`: the whole app, demo-ready, on a fresh clone. Builds if the sources changed since the
 * last build, starts the Stripe stand-in unless STRIPE_SECRET_KEY is set, then the app.
 *
 * SIGINT or SIGTERM to this process (what npm forwards, and what a process manager or container
 * runtime sends) stops every child it started, also half-way through starting, then exits.
 * package.json runs it with `exec`: npm signals only its own child, and Debian's sh neither
 * replaces itself with the command nor passes signals on, so without `exec` the signal ends sh
 * and leaves this process and its children running.
 */
let config: ReturnType<typeof env>;
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
  await stopAllProcesses();
  process.exit(code);
};
process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

/**
 * Where the stand-in keeps its customers, subscriptions and clock, so that a restarted demo goes on
 * renewing what the ledger remembers: beside the embedded database and named after it, or under
 * .data/ named after the PostgreSQL database. One file per ledger, so switching databases never
 * pairs a ledger with another one's subscriptions. SANDBOX_STATE_FILE overrides (empty: memory).
 */
function sandboxStateFile(database: ReturnType<typeof env>["database"]): string | null {
  if (process.env.SANDBOX_STATE_FILE !== undefined) return process.env.SANDBOX_STATE_FILE || null;
  if (database.kind === "pglite") {
    if (database.dataDir.startsWith("memory://")) return null;
    const dataDir = path.resolve(ROOT, database.dataDir);
    const file = path.join(path.dirname(dataDir), `stripe-sandbox.${path.basename(dataDir)}.json`);
    // A new embedded database is a new ledger: the stand-in's state from the one deleted would
    // renew subscriptions the ledger never recorded. Kept aside, not deleted.
    if (!existsSync(dataDir) && existsSync(file)) {
      for (const part of Object.values(stateFilesOf(file))) if (existsSync(part)) renameSync(part, `${part}.old`);
      console.log(`The embedded database is new, so the Stripe stand-in starts empty too (its previous state: ${file}.old).`);
    }

    return file;
  }
  const url = new URL(database.url);
  const name = `${decodeURIComponent(url.pathname.slice(1)) || "postgres"}@${url.hostname}-${url.port || "5432"}`.replace(/[^A-Za-z0-9@._-]/g, "_");

  return path.join(ROOT, ".data", `stripe-sandbox.${name}.json`);
}

const shown = (file: string) => (file.startsWith(ROOT + path.sep) ? path.relative(ROOT, file) : file);

try {
  console.log("Checking the production build…");
  const build = await ensureBuilt();
  console.log(build === "reused" ? "Build is current." : "Build finished.");

  let sandbox: Started | null = null;
  let stateFile: string | null = null;
  if (config.stripe.usingSandbox) {
    const port = Number(new URL(config.stripe.apiBase ?? "http://localhost:12111").port || 12111);
    stateFile = sandboxStateFile(config.database);
    sandbox = await startStripeSandbox({
      port,
      webhookUrl: `http://localhost:${config.port}/api/stripe/webhook`,
      webhookSecret: config.stripe.webhookSecret,
      stateFile,
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
    An article embedding the picker: ${config.appUrl}/article-demo.html (the tag: ${config.appUrl}/embed)
    Database:                        ${config.database.kind === "pglite" ? `embedded (PGlite) in ${config.database.dataDir}` : "PostgreSQL server (DATABASE_URL)"}
    Stripe:                          ${sandbox ? `local stand-in at ${sandbox.url} (test card 4242 4242 4242 4242)${stateFile ? `, state in ${shown(stateFile)}` : ""}` : "Stripe (STRIPE_SECRET_KEY)"}
    Email:                           ${config.email.smtpUrl ? "sent through SMTP_URL" : `kept in the local mailbox: ${config.appUrl}/mailbox`}
${
  sandbox
    ? `
  Renewals come on the stand-in's clock; move it forward 32 days to see the next one:
    curl -X POST ${sandbox.url}/_sandbox/clock -d '{"seconds": 2764800}'
`
    : ""
}
  Press Ctrl+C to stop.
`);
} catch (error) {
  // Stopped while starting: the children were stopped on purpose, which is not a failure to report.
  if (!stopping) console.error(`Could not start: ${(error as Error).message}`);
  await stopAll(1);
}
