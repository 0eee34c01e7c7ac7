import { afterEach, beforeEach } from "vitest";

export type LogLine = { level: string; msg: string } & Record<string, unknown>;

/**
 * Collects the JSON lines the app's logger writes, for tests of what reaches the log. Call at the
 * top level of a test file, before the app reads its environment. The lines still go on to the
 * console's methods as they were (tests/support/setup-env.ts checks them for personal data).
 */
export function captureLog(): { lines: () => LogLine[] } {
  process.env.LOG_LEVEL = "debug";
  const lines: LogLine[] = [];
  const originals = { log: console.log, error: console.error };
  const collect = (args: unknown[]) => {
    if (typeof args[0] !== "string") return;
    try {
      const parsed = JSON.parse(args[0]) as LogLine;
      if (typeof parsed.level === "string" && typeof parsed.msg === "string") lines.push(parsed);
    } catch {
      // Not one of ours.
    }
  };
  beforeEach(() => {
    lines.length = 0;
    console.log = (...args: unknown[]) => {
      collect(args);
      originals.log(...args);
    };
    console.error = (...args: unknown[]) => {
      collect(args);
      originals.error(...args);
    };
  });
  afterEach(() => {
    console.log = originals.log;
    console.error = originals.error;
  });

  return { lines: () => [...lines] };
}
