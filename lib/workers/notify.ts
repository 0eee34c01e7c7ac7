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
