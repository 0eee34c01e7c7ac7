import { listenToDatabase, rawQuery } from "@/db";

// One channel for every loop; the payload names the loop.
const WORK_CHANNEL = "readerfund_work";

/**
 * Tells the worker processes, through the database every instance shares, that a loop has work. A
 * notification is delivered when the statement commits, to every listener, so any worker wakes,
 * and a claim in the database decides which does the work.
 */
export async function notifyWorkers(name: string): Promise<void> {
  await rawQuery("select pg_notify($1, $2)", [WORK_CHANNEL, name]);
}

/**
 * Calls onWork with a loop's name for each notification; onListening whenever listening (re)starts,
 * since notifications sent while the connection was down are not kept for anyone.
 */
export function listenForWork(onWork: (name: string) => void, onListening: () => void) {
  return listenToDatabase(WORK_CHANNEL, onWork, onListening);
}

/**
 * One notification at a time per loop, and at most one more after it: wakes that come while one is
 * on its way share the next, which is sent after theirs were asked for (so after their work was
 * committed). A burst of webhooks then costs the database a handful of notifications instead of
 * one statement per delivery, and a worker that is already draining is woken no more often.
 */
export function coalescedNotifier(notify: (name: string) => Promise<void>): (name: string) => Promise<void> {
  const sending = new Map<string, Promise<void>>();
  const following = new Map<string, Promise<void>>();

  const send = (name: string): Promise<void> => {
    const sent = notify(name).finally(() => {
      if (sending.get(name) === sent) sending.delete(name);
    });
    sending.set(name, sent);

    return sent;
  };

  return (name) => {
    const current = sending.get(name);
    if (!current) return send(name);
    let next = following.get(name);
    if (!next) {
      // Sent once the current one has settled, whether it failed or not: its failure is its callers'.
      next = current
        .catch(() => {})
        .then(() => {
          following.delete(name);

          return send(name);
        });
      following.set(name, next);
    }

    return next;
  };
}
