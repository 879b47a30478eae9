import type { BillingRow, DeploymentRow, DeviceRow, LicenceRow, Owner, UserRow } from "../core/types.ts";
import type { DateOrder } from "./dates.ts";
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
  /**
   * The owner of a row whose account is written in several columns or several ways (a tenant name, a
   * domain, an id): the source's fixed client, else the first value that names a client, else an
   * unmapped owner keeping the first non-empty value. All empty is an error at `column`.
   */
  ownerOf(f: Fields, column: string, accounts: readonly string[]): Owner | undefined;
  /**
   * The owner of a row that names no account itself (an unlicensed user of an M365 export): the
   * source's fixed client, else the one account the file's other rows name, settled when the file
   * ends. When they name none, or several, `why` says which `column` lacks it, in one error per file.
   */
  fileOwner(f: Fields, column: string, why: string): Owner;
  /** Leaves the row out for `reason` ("deleted", "Azure usage"), counted in validate's summary. */
  skip(reason: string): undefined;
  /** The workspace's own product names (`skuNames:`), by name in lower case -> part number. */
  skuNames?: ReadonlyMap<string, string>;
}

/** One input format: its columns and how a record becomes a core row. */
export interface Format<K extends Kind> {
  name: string;
  kind: K;
  columns: readonly Column[];
  /** The order of the vendor's slash dates when it writes them one way whatever the PC's locale. */
  dateOrder?: DateOrder;
  /** Groups of columns of which the header must have at least one (an account by id or by name). */
  anyOf?: readonly (readonly string[])[];
  /** A record becomes a row, or undefined: skipped when no error was reported (a cancelled line). */
  row(f: Fields, ctx: RowContext): RowsByKind[K] | undefined;
  /**
   * The rows of one file that count, once it is read (a later line may supersede an earlier one);
   * `skip` gives the reason each row left out is not counted.
   */
  combine?(rows: RowsByKind[K][], skip: (row: RowsByKind[K], reason: string) => void): RowsByKind[K][];
  /** Checks over all the rows of one file once it is read: each problem reported at a row's ref. */
  finish?(
    rows: readonly RowsByKind[K][],
    report: (ref: string, column: string, message: string) => void,
  ): void;
}
