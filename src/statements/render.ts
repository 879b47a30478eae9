import { statementCsv } from "./csv.ts";
import { statementHtml } from "./html.ts";
import { statementPdf } from "./pdf.ts";
import type { Statement } from "./statement.ts";

// One entry for every form of a statement, for the CLI and the server alike.

export const STATEMENT_FORMATS = ["html", "pdf", "csv", "json"] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export const CONTENT_TYPES: Record<StatementFormat, string> = {
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
};

export interface Logo {
  bytes: Buffer;
  mime: string;
}

export function logoMime(file: string): string {
  return /\.png$/i.test(file) ? "image/png" : "image/jpeg";
}

export async function renderStatement(s: Statement, format: StatementFormat, logo?: Logo): Promise<Buffer> {
  switch (format) {
    case "html":
      return Buffer.from(statementHtml(s, logo ? { logo } : {}));
    case "pdf":
      return statementPdf(s, logo?.bytes);
    case "csv":
      return Buffer.from(statementCsv(s));
    case "json":
      return Buffer.from(`${JSON.stringify(s, null, 2)}\n`);
  }
}

/** A statement read back from its JSON form (the previous month's); undefined when it is not one. */
export function parseStatement(text: string): Statement | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const s = v as Partial<Statement> | null;
  if (s?.version !== 1 || typeof s.month !== "string" || !Array.isArray(s.lines) || !s.client)
    return undefined;
  return s as Statement;
}

/** "2026-11" -> "2026-10". */
export function previousMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}
