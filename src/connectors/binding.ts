import { createHash } from "node:crypto";
import { CONNECTORS } from "./index.ts";
import type { Connection } from "./types.ts";

// A secret stored in the app is bound to where it may be sent: its connection's kind and every
// address (url, and the authUrl, tokenUrl, zoneUrl settings). Changing one makes the stored secrets
// unusable until an admin enters them again, so a changed address never receives them.

export function secretBinding(conn: Pick<Connection, "kind" | "url" | "settings">): string {
  const addresses = Object.entries(conn.settings)
    .filter(([k]) => /Url$/.test(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([conn.kind, conn.url ?? CONNECTORS[conn.kind].defaultUrl ?? "", addresses]);
}

/** A short digest of the binding, kept beside the sealed value to tell a stale secret at once. */
export function bindingTag(conn: Pick<Connection, "kind" | "url" | "settings">): string {
  return createHash("sha256").update(secretBinding(conn)).digest("base64url").slice(0, 16);
}
