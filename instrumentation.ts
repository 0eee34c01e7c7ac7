// Runs once when a Next.js server process starts: validate the environment, migrate, start the
// webhook worker. Next calls it for every runtime; the database and worker live in Node only.
export async function register(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties -- Next's own runtime marker, inlined at build
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServerProcess } = await import("./lib/server-process");
  await startServerProcess();
}
