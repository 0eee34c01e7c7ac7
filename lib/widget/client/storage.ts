/** Where the widget keeps its two facts in the reader's browser (on the article's own origin). */
export const HIDE_UNTIL_KEY = "readerfund.hideUntil";
const VISITOR_KEY = "readerfund.visitor";

/**
 * Random hex from getRandomValues: crypto.randomUUID is missing in Safari before 15.4 and on pages
 * served over plain http.
 */
export function randomHex(bytes: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A random id for this browser, made on first use: it names no one, and lets limits and reminders tell visitors apart. */
export function visitorId(): string {
  try {
    let id = localStorage.getItem(VISITOR_KEY);
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      id = randomHex(16);
      localStorage.setItem(VISITOR_KEY, id);
    }

    return id;
  } catch {
    return randomHex(16);
  }
}

/** Whether the reader asked to be reminded later and that date has not come yet. */
export function snoozed(): boolean {
  try {
    return Number(localStorage.getItem(HIDE_UNTIL_KEY)) > Date.now();
  } catch {
    // No storage: the box shows.
    return false;
  }
}

/** Keeps the box away until the reminder's date. */
export function snoozeUntil(due: Date): void {
  try {
    localStorage.setItem(HIDE_UNTIL_KEY, String(due.getTime()));
  } catch {
    // Storage refused (private mode): the reminder stands; the box just shows again.
  }
}
