import { writeAudit } from "./audit.ts";
import { createContext } from "./context.ts";
import type { Db } from "./db.ts";
import { StoreError } from "./errors.ts";
import { seal, secretKey, unseal } from "./secrets.ts";
import type { Actor } from "./store.ts";

// The key that seals connection secrets, as an operator handles it: checked at start (which stored
// secrets this process cannot read), and rotated (every secret re-sealed under a new key, all or
// nothing). The associated data is the one connections.ts seals with: `connection/name`.

export interface SecretRef {
  connection: string;
  name: string;
}

const aadOf = (r: SecretRef) => `${r.connection}/${r.name}`;

function opens(sealed: string, key: Buffer, ref: SecretRef): boolean {
  try {
    unseal(sealed, key, aadOf(ref));
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
  return rows
    .filter((r) => !key || !opens(r.sealed, key, r))
    .map((r) => ({ connection: r.connection, name: r.name }));
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
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom("connection_secrets")
      .select(["connection", "name", "sealed"])
      .orderBy("connection")
      .orderBy("name")
      .forUpdate()
      .execute();
    const unreadable = rows.filter((r) => !opens(r.sealed, oldKey, r));
    if (unreadable.length > 0)
      throw new StoreError(
        "invalid",
        `TRUEUP_SECRET_KEY cannot decrypt the stored secrets of ${describeSecrets(unreadable)}: nothing was ` +
          "re-encrypted (give the key they were stored with, or have an admin enter those secrets again first)",
      );
    for (const r of rows) {
      const sealed = seal(unseal(r.sealed, oldKey, aadOf(r)), newKey, aadOf(r));
      await trx
        .updateTable("connection_secrets")
        .set({ sealed })
        .where("connection", "=", r.connection)
        .where("name", "=", r.name)
        .execute();
    }
    const connections = [...new Set(rows.map((r) => r.connection))];
    await writeAudit(trx, ctx, actor, "secrets.rotate", "secrets", { secrets: rows.length, connections });
    return { secrets: rows.length, connections };
  });
}
