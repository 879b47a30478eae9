// The answers of GET /api/margin and POST /api/margin/whatif (src/server/routes/margin.ts).

export interface MarginFigures {
  revenue: string;
  cost: string;
  margin: string;
  /** Percentage with one decimal ("75.9"); null without revenue. */
  marginPct: string | null;
}

export interface MarginSubject extends MarginFigures {
  subject: string;
  name: string;
  billed: number;
  units: number;
  perUnit: { revenue: string; cost: string; margin: string } | null;
  components: { service: string; quantity: number; cost: string }[];
  belowTarget: boolean;
}

export interface MarginClient extends MarginFigures {
  id: string;
  name: string;
  former: boolean;
  belowTarget: boolean;
  subjects: MarginSubject[];
  services: {
    service: string;
    name: string;
    required: number;
    purchased: number | null;
    basis: "distributor" | "catalogue" | "client-paid";
    cost: string;
    unallocated: string;
  }[];
  unmapped: UnmappedMoney[];
}

export interface UnmappedMoney {
  kind: "billing" | "licence";
  subject: string;
  ref: string;
  money: string;
}

export interface Margin {
  asOf: string;
  currency: string;
  targetMargin: string | null;
  totals: MarginFigures;
  belowTarget: {
    kind: "client" | "bundle" | "client-bundle";
    client?: string;
    bundle?: string;
    name: string;
    marginPct: string | null;
    shortfall: string;
  }[];
  bundles: (MarginFigures & {
    bundle: string;
    name: string;
    units: number;
    clients: number;
    belowTarget: boolean;
  })[];
  clients: MarginClient[];
  unmapped: { revenue: string; cost: string; rows: UnmappedMoney[] };
}

export interface WhatIf {
  currency: string;
  total: { before: MarginFigures; after: MarginFigures };
  clients: { id: string; name: string; before: MarginFigures; after: MarginFigures }[];
  lines: {
    client: string;
    clientName: string;
    subject: string;
    product: string;
    line: string | null;
    from: { quantity: number; unitPrice: string };
    to: { quantity: number; unitPrice: string };
    monthly: string;
  }[];
}
