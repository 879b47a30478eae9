// The report as its JSON (spec 6, report.schema.json): what a stored run or a saved report file holds,
// read by the pieces built on finished reports (renewal windows, month-over-month changes).

export interface JsonFinding {
  type: string;
  subject: string;
  expected: number | string | null;
  actual: number | string | null;
  monthlyImpact: string;
  evidence: string[];
  reducibleOn?: string;
}

export interface JsonLine {
  subject: string;
  required: number | null;
  billed: number | null;
  purchased: number | null;
  deployed: number | null;
  price: string | null;
}

export interface JsonClient {
  id: string;
  name: string;
  lines: JsonLine[];
  findings: JsonFinding[];
}

export interface JsonReport {
  asOf: string;
  currency: string;
  clients: JsonClient[];
}
