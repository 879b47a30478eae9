import type { Client, ExternalIds, Owner } from "./types.ts";

/** An `ids` entry as a list: a single id, or each of several. */
export function idList(ids: ExternalIds | undefined): readonly string[] {
  if (ids === undefined) return [];
  return typeof ids === "string" ? [ids] : ids;
}

/**
 * Resolves a source row's `account` to a client (spec 2): matched without regard to case against
 * the client's id for the source's system.
 */
export class AccountIndex {
  private readonly bySystem = new Map<string, Map<string, string>>();

  constructor(clients: readonly Client[]) {
    for (const client of clients) {
      for (const [system, values] of Object.entries(client.ids)) {
        const sys = system.toLowerCase();
        let ids = this.bySystem.get(sys);
        if (!ids) {
          ids = new Map();
          this.bySystem.set(sys, ids);
        }
        for (const id of idList(values)) {
          const key = id.trim().toLowerCase();
          if (!ids.has(key)) ids.set(key, client.id);
        }
      }
    }
  }

  /** Owners already given, by system and account as written: rows of one account share one. */
  private readonly owners = new Map<string, Map<string, Owner>>();

  /** The client that owns `account` in `system`, or an unmapped owner that keeps the raw value. */
  owner(system: string, account: string): Owner {
    let given = this.owners.get(system);
    if (!given) {
      given = new Map();
      this.owners.set(system, given);
    }
    const known = given.get(account);
    if (known) return known;
    const client = this.bySystem.get(system.toLowerCase())?.get(account.trim().toLowerCase());
    const owner: Owner = Object.freeze(
      client === undefined ? { account: account.trim(), system } : { client },
    );
    given.set(account, owner);
    return owner;
  }

  /** Which client holds an id in a system, for detecting two clients claiming one account. */
  clientFor(system: string, account: string): string | undefined {
    return this.bySystem.get(system.toLowerCase())?.get(account.trim().toLowerCase());
  }
}
