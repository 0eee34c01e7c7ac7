import { rawQuery } from "@/db";

/** Asks the database the smallest question there is: whether it answers. */
export async function pingDatabase(): Promise<void> {
  await rawQuery("select 1", []);
}
