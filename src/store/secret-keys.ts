import type { Connection } from "../connectors/types.ts";
import { writeAudit } from "./audit.ts";
import { aad, configured, isBound, sealedPart } from "./connections.ts";
import { createContext } from "./context.ts";
import type { Db } from "./db.ts";
import { StoreError } from "./errors.ts";
import { seal, secretKey, unseal } from "./secrets.ts";
import type { Actor } from "./store.ts";

// The key that seals connection secrets, as an operator handles it: checked at start (which stored
// secrets this process cannot read), and rotated (every secret re-sealed under a new key, all or
// nothing). A stored value is `tag.sealed`, bound to its connection's kind and addresses
// (connections.ts); a value not bound to the connection as configured now is never used, so it is
// neither checked nor re-sealed: an admin enters it again.

export interface SecretRef {
  connection: string;
  name: string;
}

interface StoredSecret extends SecretRef {
  sealed: string;
}

/** The connections as configured now, by name (read outside any transaction: the catalogue has its own). */
async function connectionsNow(db: Db, names: Iterable<string>): Promise<Map<string, Connection>> {
  const ctx = createContext(db);
  const out = new Map<string, Connection>();
  for (const name of new Set(names)) {
    const conn = await configured(ctx, name);
    if (conn) out.set(name, conn);
  }
  return out;
}

/** The stored secrets bound to their connection as configured now, with the connection. */
function boundSecrets(rows: readonly StoredSecret[], conns: ReadonlyMap<string, Connection>) {
  const out: { row: StoredSecret; conn: Connection }[] = [];
  for (const row of rows) {
    const conn = conns.get(row.connection);
    if (conn && isBound(row.sealed, conn)) out.push({ row, conn });
  }
  return out;
}

function opens(s: { row: StoredSecret; conn: Connection }, key: Buffer): boolean {
  try {
    unseal(sealedPart(s.row.sealed), key, aad(s.conn, s.row.name));
    return true;
  } catch {
    return false;
  }
}

/** The stored secrets that `keyText` (TRUEUP_SECRET_KEY) cannot decrypt: all of them without a key. */
export async function undecryptableSecrets(db: Db, keyText: string | undefined): Promise<SecretRef[]> {
  const rows = await db
    .selectFrom("connection_secrets")
    .select(["connection", "name", "sealed"])
    .orderBy("connection")
    .orderBy("name")
    .execute();
  let key: Buffer | undefined;
  try {
    key = secretKey(keyText);
  } catch {
    key = undefined;
  }
  return boundSecrets(
    rows,
    await connectionsNow(
      db,
      rows.map((r) => r.connection),
    ),
  )
    .filter((s) => !key || !opens(s, key))
    .map(({ row }) => ({ connection: row.connection, name: row.name }));
}

/** "cw (privateKey, publicKey), ninja (clientSecret)": secrets grouped by connection. */
export function describeSecrets(refs: readonly SecretRef[]): string {
  const by = new Map<string, string[]>();
  for (const r of refs) by.set(r.connection, [...(by.get(r.connection) ?? []), r.name]);
  return [...by].map(([c, names]) => `${c} (${names.join(", ")})`).join(", ");
}

/**
 * Re-seals every stored secret from the old key to the new one in one transaction. Any secret the old
 * key cannot open stops it before anything is written (StoreError naming them).
 */
export async function rotateSecrets(
  db: Db,
  oldText: string | undefined,
  newText: string | undefined,
  actor: Actor,
): Promise<{ secrets: number; connections: string[] }> {
  const oldKey = secretKey(oldText);
  if (newText === undefined || newText === "")
    throw new StoreError(
      "invalid",
      "TRUEUP_NEW_SECRET_KEY is not set: the key to re-encrypt the secrets with",
    );
  let newKey: Buffer;
  try {
    newKey = secretKey(newText);
  } catch (e) {
    throw new StoreError(
      "invalid",
      (e as Error).message.replace("TRUEUP_SECRET_KEY", "TRUEUP_NEW_SECRET_KEY"),
    );
  }
  if (newKey.equals(oldKey))
    throw new StoreError("invalid", "TRUEUP_NEW_SECRET_KEY is the same key as TRUEUP_SECRET_KEY");
  const ctx = createContext(db);
  const stored = await db.selectFrom("connection_secrets").select("connection").execute();
  const conns = await connectionsNow(
    db,
    stored.map((r) => r.connection),
  );
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("connection_secrets")
      .select(["connection", "name", "sealed"])
      .orderBy("connection")
      .orderBy("name")
      .forUpdate()
      .execute();
    const bound = boundSecrets(rows, conns);
    const unreadable = bound.filter((s) => !opens(s, oldKey)).map((s) => s.row);
    if (unreadable.length > 0)
      throw new StoreError(
        "invalid",
        `TRUEUP_SECRET_KEY cannot decrypt the stored secrets of ${describeSecrets(unreadable)}: nothing was ` +
          "re-encrypted (give the key they were stored with, or have an admin enter those secrets again first)",
      );
    for (const { row: r, conn } of bound) {
      const tag = r.sealed.slice(0, r.sealed.indexOf("."));
      const value = unseal(sealedPart(r.sealed), oldKey, aad(conn, r.name));
      const sealed = `${tag}.${seal(value, newKey, aad(conn, r.name))}`;
      await trx
        .updateTable("connection_secrets")
        .set({ sealed })
        .where("connection", "=", r.connection)
        .where("name", "=", r.name)
        .execute();
    }
    const connections = [...new Set(bound.map((s) => s.row.connection))];
    await writeAudit(trx, ctx, actor, "secrets.rotate", "secrets", { secrets: bound.length, connections });
    return { secrets: bound.length, connections };
  });
}
