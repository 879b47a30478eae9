// Problems found in a workspace, each pinned to a place a billing manager can open: a file, a
// line (the CSV header is line 1), and a column name or a YAML path.

export interface Issue {
  severity: "error" | "warning";
  file: string;
  line?: number;
  column?: number;
  /** CSV column name or YAML path such as `clients[2].plans[0].bundle`. */
  field?: string;
  message: string;
}

export function formatIssue(i: Issue): string {
  let where = i.file;
  if (i.line !== undefined) where += `:${i.line}`;
  if (i.column !== undefined) where += `:${i.column}`;
  const field = i.field ? ` ${i.field}:` : "";
  const tag = i.severity === "warning" ? " warning:" : "";
  return `${where}:${tag}${field} ${i.message}`;
}

/** Thrown when a workspace cannot be reconciled; carries every error found. */
export class WorkspaceError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "WorkspaceError";
  }
}

export function compareIssues(a: Issue, b: Issue): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
