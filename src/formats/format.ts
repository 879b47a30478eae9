import type { BillingRow, DeploymentRow, DeviceRow, LicenceRow, Owner, UserRow } from "../core/types.ts";
import type { Column, Fields } from "./fields.ts";

export interface RowsByKind {
  users: UserRow;
  devices: DeviceRow;
  deployments: DeploymentRow;
  licences: LicenceRow;
  billing: BillingRow;
}

export type Kind = keyof RowsByKind;

export interface RowContext {
  /** "data/psa.csv:17", for evidence. */
  ref: string;
  vendor?: string;
  deployment?: string;
  /** The row's owner from its account column, or the source's fixed client. */
  owner(f: Fields): Owner | undefined;
}

/** One input format: its columns and how a record becomes a core row. */
export interface Format<K extends Kind> {
  name: string;
  kind: K;
  columns: readonly Column[];
  row(f: Fields, ctx: RowContext): RowsByKind[K] | undefined;
}
