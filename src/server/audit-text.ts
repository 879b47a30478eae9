import type { Config } from "../workspace/config.ts";
import { subjectNames } from "./catalogue-view.ts";

// The audit log as sentences a person reads ("billing@… dismissed Over-billed Gold at Evergreen:
// client agreed to keep 28 seats"); the entry's JSON stays beside it for whoever needs the detail.

export interface AuditEntryLike {
  actor: string;
  action: string;
  entity: string;
  details: Record<string, unknown>;
}

/** UNDER_BILLED -> "Under-billed", LICENCE_SURPLUS -> "Licence surplus". */
export function findingTypeText(type: string): string {
  const words = type
    .toLowerCase()
    .replace(/_/g, " ")
    .replace(/^(over|under) billed/, "$1-billed")
    .replace(/\bsku\b/, "SKU");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Names of clients and catalogue items, for the sentences. */
export interface AuditNames {
  clients: ReadonlyMap<string, string>;
  subjects: ReadonlyMap<string, string>;
}

export function auditNames(config: Config): AuditNames {
  return { clients: new Map(config.clients.map((c) => [c.id, c.name])), subjects: subjectNames(config) };
}

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined;

/** "bundle:gold-user" -> its name, "device:EFC-NS03" -> "EFC-NS03". */
function subjectText(subject: string, names: AuditNames): string {
  return names.subjects.get(subject) ?? subject.slice(subject.indexOf(":") + 1);
}

function clientText(id: string, names: AuditNames): string {
  if (id === "_unmapped") return "no client (unmapped)";
  return names.clients.get(id) ?? id;
}

function findingDecision(e: AuditEntryLike, names: AuditNames): string {
  const key = e.entity.replace(/^finding:/, "");
  const [clientId = "", type = "", ...rest] = key.split("|");
  const subject = rest.join("|");
  const status = str(e.details.status);
  const verb = status === "accepted" ? "accepted" : status === "dismissed" ? "dismissed" : "reopened";
  const what = `${findingTypeText(type)} ${subjectText(subject, names)} at ${clientText(clientId, names)}`;
  const until = str(e.details.until);
  const reason = str(e.details.reason);
  return `${e.actor} ${verb} ${what}${until ? ` until ${until}` : ""}${reason ? `: ${reason}` : ""}`;
}

const plural = (n: unknown, one: string) => `${str(n) ?? "?"} ${n === 1 ? one : `${one}s`}`;

/** One sentence for an audit entry; an action it does not know reads "actor: action entity". */
export function auditSentence(e: AuditEntryLike, names: AuditNames): string {
  const d = e.details;
  const id = e.entity.slice(e.entity.indexOf(":") + 1);
  switch (e.action) {
    case "finding.decide":
      return findingDecision(e, names);
    case "run.create":
      return `${e.actor} ran reconciliation #${id} as of ${str(d.asOf) ?? "?"}: ${plural(d.findings, "finding")}`;
    case "import.create":
      return `${e.actor} imported ${str(d.fileName) ?? "a file"} (${plural(d.rows, "row")})`;
    case "login":
      return `${e.actor} signed in`;
    case "logout":
      return `${e.actor} signed out`;
    case "login.failed":
      return `A sign-in as ${e.actor} failed${str(d.reason) ? ` (${str(d.reason)})` : ""}`;
    case "password.failed":
      return `${e.actor} gave a wrong current password`;
    case "user.add":
      return `${e.actor} added ${str(d.email) ?? e.entity} as ${str(d.role) ?? "?"}`;
    case "user.role":
      return `${e.actor} changed ${str(d.email) ?? e.entity} from ${str(d.from) ?? "?"} to ${str(d.to) ?? "?"}`;
    case "user.password":
      return d.email === e.actor
        ? `${e.actor} changed their password`
        : `${e.actor} changed the password of ${str(d.email) ?? e.entity}`;
    case "workspace.import":
      return `${e.actor} loaded the workspace (${plural(d.imports, "import")}, ${plural(d.rows, "row")})`;
    case "mapping.apply":
      return `${e.actor} mapped ${e.entity}${str(d.client) ? ` to ${clientText(String(d.client), names)}` : ""}`;
    case "mapping.ignore":
      return `${e.actor} ignored ${e.entity} in the mappings`;
    case "config.save":
    case "config.save-yaml":
      return `${e.actor} saved the workspace: ${plural(d.services, "service")}, ${plural(d.bundles, "bundle")}, ${plural(d.clients, "client")}`;
    case "statement.share":
      return `${e.actor} shared the ${str(d.month) ?? ""} statement of ${clientText(id, names)}`.replace(
        "  ",
        " ",
      );
    case "statement.revoke":
      return `${e.actor} revoked a statement link of ${clientText(id, names)}`;
    case "statement.view":
      return `The ${clientText(id, names)} statement was opened by ${e.actor}`;
    case "statement.acknowledge":
      return `The ${clientText(id, names)} statement was acknowledged by ${e.actor}`;
    case "statement.send":
      return `${e.actor} sent the statement of ${clientText(id, names)}`;
    default:
      if (e.action.startsWith("sync."))
        return `${e.actor}: PSA sync plan ${id}, ${e.action.slice(5)}${str(d.changes) ? ` (${plural(d.changes, "change")})` : ""}`;
      return `${e.actor}: ${e.action} ${e.entity}`;
  }
}
