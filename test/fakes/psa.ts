// The shape every fake PSA (ConnectWise, Autotask, HaloPSA) is seeded with and reports, so one
// fault-injection suite can drive all three: seed a PSA, plan, apply under faults, compare states.

export interface FakePsaSeed {
  companies: { id: string; name: string }[];
  /** Agreements (ConnectWise), recurring-service contracts (Autotask), recurring invoices (Halo). */
  agreements: { id: string; company: string; name: string; active: boolean }[];
  lines: FakePsaLine[];
}

export interface FakePsaLine {
  id: string;
  agreement: string;
  /** The product as the connector reports it (CW product identifier, Autotask service, Halo item code). */
  product: string;
  quantity: number;
  unitPrice: string;
  /** ISO date. */
  startDate: string;
  active: boolean;
}

export interface FakePsaControls {
  /** Current state of every line (created ones included), quantities as of today's period. */
  lines(): FakePsaLine[];
  /** Every write the PSA applied, in order: a change sent twice shows here twice. */
  writes: { line: string; op: "set" | "create" | "adjust"; value: number }[];
  /** Simulates a person editing a line in the PSA between plan and apply. */
  setQuantity(lineId: string, quantity: number): void;
}
