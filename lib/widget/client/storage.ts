/** Where the widget keeps its two facts in the reader's browser (on the article's own origin). */
export const HIDE_UNTIL_KEY = "readerfund.hideUntil";
const VISITOR_KEY = "readerfund.visitor";

/** A random id for this browser, made on first use: it names no one, and lets limits and reminders tell visitors apart. */
export function visitorId(): string {
  try {
    let id = localStorage.getItem(VISITOR_KEY);
    if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
      id = crypto.randomUUID().replace(/-/g, "");
      localStorage.setItem(VISITOR_KEY, id);
    }

    return id;
  } catch {
    return crypto.randomUUID().replace(/-/g, "");
  }
}
