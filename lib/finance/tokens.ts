import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { financeApiTokens } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { audit, requireStaff } from "@/lib/staff/staff";
import type { Actor } from "@/lib/supporters/actor";
import { fieldErrors } from "@/lib/validation";
import { type TTokenNameInput, ZTokenName } from "./token-schema";

/**
 * Bearer tokens for accounting tools (the finance API). A token is `rf_fin_` and 32 random bytes in
 * base64url, shown once when it is made; only its SHA-256 is kept, so a copy of the database opens
 * nothing. Its first characters are kept too, to tell tokens apart in the list and in a tool's settings.
 */

const TOKEN_PREFIX = "rf_fin_";
// What a well-formed token is: anything else is refused before the database is asked.
const TOKEN_SHAPE = /^rf_fin_[A-Za-z0-9_-]{43}$/;
const SHOWN_PREFIX_LENGTH = 12;

export { type TTokenName, type TTokenNameInput, ZTokenName } from "./token-schema";

/** A token as the admins' list shows it: never its hash, which only verifyBearer has any use for. */
export type FinanceToken = {
  id: string;
  name: string;
  prefix: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
};

/** A token just made: `token` is the only time anyone sees it. */
export type CreatedToken = { id: string; name: string; prefix: string; token: string };

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

/** Makes a token (admins only), with the audit line in the same transaction; returns it, once. */
export async function createToken(actor: Actor, input: TTokenNameInput, page: string): Promise<CreatedToken> {
  return getDb().transaction(async (tx) => {
    const admin = await requireStaff(actor, "admin", tx);
    const parsed = ZTokenName.safeParse(input);
    if (!parsed.success) throw new AppError("INVALID_INPUT", "The token's name is not valid.", { fieldErrors: fieldErrors(parsed.error) });
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
    const prefix = token.slice(0, SHOWN_PREFIX_LENGTH);
    const [row] = await tx
      .insert(financeApiTokens)
      .values({ name: parsed.data.name, tokenHash: hashOf(token), prefix, createdBy: admin.email })
      .returning({ id: financeApiTokens.id });
    await audit(tx, admin, { action: "token.create", target: row!.id, page, details: { name: parsed.data.name, prefix } });

    return { id: row!.id, name: parsed.data.name, prefix, token };
  });
}

/** Every token, newest first, revoked ones included (the list says which). Admins only. */
export async function listTokens(actor: Actor): Promise<FinanceToken[]> {
  const db = getDb();
  await requireStaff(actor, "admin", db);

  return db
    .select({
      id: financeApiTokens.id,
      name: financeApiTokens.name,
      prefix: financeApiTokens.prefix,
      createdBy: financeApiTokens.createdBy,
      createdAt: financeApiTokens.createdAt,
      lastUsedAt: financeApiTokens.lastUsedAt,
      revokedAt: financeApiTokens.revokedAt,
      revokedBy: financeApiTokens.revokedBy,
    })
    .from(financeApiTokens)
    .orderBy(desc(financeApiTokens.createdAt), desc(financeApiTokens.id));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Stops a token working from its next request (admins only). Revoking a token already revoked
 * changes nothing and writes no audit line; an id that is no token is NOT_FOUND.
 */
export async function revokeToken(actor: Actor, id: string, page: string): Promise<void> {
  await getDb().transaction(async (tx) => {
    const admin = await requireStaff(actor, "admin", tx);
    if (!UUID.test(id)) throw new AppError("NOT_FOUND", "There is no such token.");
    const [token] = await tx.select({ name: financeApiTokens.name, prefix: financeApiTokens.prefix, revokedAt: financeApiTokens.revokedAt }).from(financeApiTokens).where(eq(financeApiTokens.id, id)).for("update");
    if (!token) throw new AppError("NOT_FOUND", "There is no such token.");
    if (token.revokedAt) return;
    await tx.update(financeApiTokens).set({ revokedAt: sql`now()`, revokedBy: admin.email }).where(eq(financeApiTokens.id, id));
    await audit(tx, admin, { action: "token.revoke", target: id, page, details: { name: token.name, prefix: token.prefix } });
  });
}

/**
 * The token an `Authorization: Bearer …` header carries, if it is one we made and have not revoked;
 * null otherwise (no header, another scheme, unknown, revoked). Looked up by its hash alone, so no
 * comparison of secrets happens here to time. Records when it was last used, at most once a minute
 * (by the database's clock), so a tool polling every second does not write on every request.
 */
export async function verifyBearer(header: string | null): Promise<{ tokenId: string; name: string } | null> {
  const token = /^Bearer +(\S+)$/i.exec((header ?? "").trim())?.[1];
  if (!token || !TOKEN_SHAPE.test(token)) return null;
  const db = getDb();
  const hash = hashOf(token);
  const stale = sql<boolean>`(${financeApiTokens.lastUsedAt} is null or ${financeApiTokens.lastUsedAt} < now() - interval '1 minute')`;
  const [row] = await db
    .select({ id: financeApiTokens.id, name: financeApiTokens.name, stale })
    .from(financeApiTokens)
    .where(and(eq(financeApiTokens.tokenHash, hash), isNull(financeApiTokens.revokedAt)))
    .limit(1);
  if (!row) return null;
  // The same condition again in the write: of concurrent requests, one writes.
  if (row.stale) await db.update(financeApiTokens).set({ lastUsedAt: sql`now()` }).where(and(eq(financeApiTokens.id, row.id), stale));

  return { tokenId: row.id, name: row.name };
}
