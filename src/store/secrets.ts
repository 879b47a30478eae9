import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { StoreError } from "./errors.ts";

// Connection secrets at rest: AES-256-GCM under a 32-byte key from TRUEUP_SECRET_KEY (base64 or
// hex). The key never enters the database; without it nothing secret is stored, and a stored secret
// cannot be read (a wrong key fails authentication instead of giving garbage).

const IV = 12;
const TAG = 16;

export function secretKey(text: string | undefined): Buffer {
  if (text === undefined || text === "")
    throw new StoreError(
      "invalid",
      "TRUEUP_SECRET_KEY is not set: secrets are stored encrypted under it (make one with: openssl rand -base64 32)",
    );
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32)
    throw new StoreError(
      "invalid",
      "TRUEUP_SECRET_KEY must be 32 bytes, base64 or hex (openssl rand -base64 32)",
    );
  return key;
}

/** Associated data binds a sealed value to its connection and name: it cannot be moved to another. */
export function seal(value: string, key: Buffer, aad: string): string {
  const iv = randomBytes(IV);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
}

export function unseal(sealed: string, key: Buffer, aad: string, label = aad): string {
  const raw = Buffer.from(sealed, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(IV, IV + TAG));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV + TAG)), decipher.final()]).toString("utf8");
  } catch {
    throw new StoreError(
      "invalid",
      `the stored secret ${label} cannot be decrypted: is TRUEUP_SECRET_KEY the key it was stored with?`,
    );
  }
}
