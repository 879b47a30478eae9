import type { Issue } from "../types.ts";

// Problems pinned to a place: "Line 14, column 3 · quantity: expected a whole number".

export function issueWhere(i: Issue): string {
  const parts: string[] = [];
  if (i.line !== undefined) parts.push(`Line ${i.line}`);
  if (i.column !== undefined) parts.push(`column ${i.column}`);
  return parts.join(", ");
}

export function IssueList({
  issues,
  testId = "issues",
  onPick,
}: {
  issues: Issue[];
  testId?: string;
  /** When given, each line number is a button that shows the line (the catalogue editor). */
  onPick?: (i: Issue) => void;
}) {
  return (
    <ol className="issues" data-testid={testId}>
      {issues.map((i, n) => {
        const where = issueWhere(i);
        const field = i.field ?? i.path;
        return (
          <li
            // Issues have no id; their order is the server's and stable for one answer.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            key={n}
            className={i.severity === "warning" ? "issue issue-warning" : "issue"}
            data-testid="issue"
            data-line={i.line}
          >
            {where &&
              (onPick && i.line !== undefined ? (
                <button type="button" className="link-button issue-where" onClick={() => onPick(i)}>
                  {where}
                </button>
              ) : (
                <span className="issue-where">{where}</span>
              ))}
            {i.file && where === "" && <span className="issue-where">{i.file}</span>}{" "}
            {i.severity === "warning" && <span className="badge badge-warn">warning</span>}{" "}
            {field && <code className="issue-field">{field}</code>}{" "}
            <span className="issue-message">{i.message}</span>
          </li>
        );
      })}
    </ol>
  );
}
