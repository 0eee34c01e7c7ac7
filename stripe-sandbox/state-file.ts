import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { StoredEvent } from "./sandbox";

/** Bumped when the saved shape changes; a state of another version is set aside, not misread. */
export const STATE_VERSION = 1;

/** The files a state lives in: the snapshot, and beside it the journal of its events. */
export function stateFilesOf(file: string): { snapshot: string; events: string } {
  return { snapshot: file, events: /\.json$/.test(file) ? file.replace(/\.json$/, ".events.ndjson") : `${file}.events.ndjson` };
}

export type StateSource = {
  /** Everything but the events' bodies, as JSON-ready data. */
  snapshot: () => Record<string, unknown>;
  /** Every event so far, oldest first; only ever appended to. */
  events: () => readonly StoredEvent[];
};

export type LoadedState = { snapshot: Record<string, unknown>; events: Array<Record<string, unknown>> };

/**
 * The stand-in's state kept on disk between runs (SANDBOX_STATE_FILE), so that a restarted demo still
 * knows the customers and subscriptions its ledger recorded. Two files: a snapshot of the objects,
 * replaced whole on each save (a temporary file renamed over it, so a stop at any moment leaves the
 * old snapshot or the new one, never half of either), and a journal of the events, which never
 * change once emitted and are most of the state: each save appends only the new ones, so a save
 * costs the objects, not the whole history. The snapshot says how many journal lines are its own;
 * lines past that (appended by a save that stopped before its rename) are cut off on loading.
 *
 * Saving is debounced: a burst of changes costs one save, taken once things are quiet for `quietMs`
 * and never later than `maxDelayMs` after the first change, plus a last one when the stand-in stops.
 */
export class StateFile {
  readonly files: { snapshot: string; events: string };
  private source: StateSource | null = null;
  /** Events already in the journal, and its length in bytes (what a failed append is cut back to). */
  private journaled = 0;
  private journalBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private changedSince: number | null = null;
  private closed = false;
  private lastError: string | null = null;

  constructor(
    file: string,
    private readonly timing = { quietMs: 250, maxDelayMs: 2000 },
  ) {
    this.files = stateFilesOf(file);
  }

  /**
   * The saved state, or null when there is none. A state that cannot be read as one of this
   * version is set aside (see setAside) and the stand-in starts empty, saying so.
   */
  load(): LoadedState | null {
    if (!existsSync(this.files.snapshot)) {
      // A journal without its snapshot is a state whose first save never finished: nothing to keep.
      if (existsSync(this.files.events)) truncateSync(this.files.events, 0);

      return null;
    }
    let snapshot: Record<string, unknown>;
    try {
      snapshot = JSON.parse(readFileSync(this.files.snapshot, "utf8")) as Record<string, unknown>;
    } catch (error) {
      this.setAside(`it is not JSON (${(error as Error).message})`);

      return null;
    }
    if (snapshot?.version !== STATE_VERSION) {
      this.setAside(`it is version ${JSON.stringify(snapshot?.version)}, this stand-in reads version ${STATE_VERSION}`);

      return null;
    }
    const count = snapshot.event_count;
    if (!Number.isInteger(count) || (count as number) < 0) {
      this.setAside("it does not say how many events it has");

      return null;
    }
    const journal = existsSync(this.files.events) ? readFileSync(this.files.events) : Buffer.alloc(0);
    const events: Array<Record<string, unknown>> = [];
    let bytes = 0;
    while (events.length < (count as number)) {
      // A newline byte never occurs inside a UTF-8 character, so lines can be cut on bytes.
      const end = journal.indexOf(10, bytes);
      if (end === -1) break;
      try {
        events.push(JSON.parse(journal.toString("utf8", bytes, end)) as Record<string, unknown>);
      } catch {
        break;
      }
      bytes = end + 1;
    }
    if (events.length < (count as number)) {
      this.setAside(`its journal ${this.files.events} has ${events.length} complete events of the ${count} it should`);

      return null;
    }
    if (bytes < journal.length) truncateSync(this.files.events, bytes);
    this.journaled = events.length;
    this.journalBytes = bytes;

    return { snapshot, events };
  }

  /** Moves an unusable state out of the way (`….unreadable`), so the stand-in can start empty without losing it. */
  setAside(reason: string): void {
    for (const file of [this.files.snapshot, this.files.events]) if (existsSync(file)) renameSync(file, `${file}.unreadable`);
    this.journaled = 0;
    this.journalBytes = 0;
    console.error(
      `stripe-sandbox: could not restore the saved state from ${this.files.snapshot}: ${reason}. Starting empty; the files are now ….unreadable.`,
    );
  }

  /** From now on, saves what `source` gives after each change. */
  watch(source: StateSource): void {
    this.source = source;
  }

  changed(): void {
    if (this.closed || this.source === null) return;
    const now = Date.now();
    this.changedSince ??= now;
    const at = Math.min(now + this.timing.quietMs, this.changedSince + this.timing.maxDelayMs);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), Math.max(0, at - now));
    this.timer.unref();
  }

  /**
   * Saves now. Synchronous on purpose: the state is captured synchronously anyway, and an
   * asynchronous rename still queued when the last save runs at shutdown could land after it and
   * put an older snapshot back.
   */
  save(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.changedSince = null;
    if (this.source === null) return;
    const temporary = `${this.files.snapshot}.${process.pid}.tmp`;
    try {
      mkdirSync(path.dirname(this.files.snapshot), { recursive: true });
      const events = this.source.events();
      if (events.length > this.journaled) {
        // Compact, one event a line; the text delivered (indented) is rebuilt from it on loading.
        const chunk = events
          .slice(this.journaled)
          .map((event) => `${JSON.stringify(JSON.parse(event.json))}\n`)
          .join("");
        try {
          appendFileSync(this.files.events, chunk);
        } catch (error) {
          // Half an append would sit before the next one: cut back to the last whole event.
          if (existsSync(this.files.events)) truncateSync(this.files.events, this.journalBytes);
          throw error;
        }
        this.journaled = events.length;
        this.journalBytes += Buffer.byteLength(chunk);
      }
      writeFileSync(temporary, JSON.stringify({ version: STATE_VERSION, saved_at: new Date().toISOString(), event_count: this.journaled, ...this.source.snapshot() }));
      renameSync(temporary, this.files.snapshot);
      this.lastError = null;
    } catch (error) {
      // A full disk must not stop the stand-in; say so once, and try again on the next change.
      const message = (error as Error).message;
      if (message !== this.lastError) console.error(`stripe-sandbox: could not save the state to ${this.files.snapshot}: ${message}`);
      this.lastError = message;
    }
  }

  /** The last save, when the stand-in stops; nothing is saved after it. */
  close(): void {
    if (this.closed) return;
    this.save();
    this.closed = true;
  }
}
