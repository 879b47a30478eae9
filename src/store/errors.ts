// Expected refusals of the store, with the HTTP status an API would answer. Problems in a workspace,
// a catalogue or a file are not errors but `Issue`s (returned, or thrown as a WorkspaceError).

export type StoreErrorCode = "not_found" | "conflict" | "invalid" | "forbidden";

const STATUS: Record<StoreErrorCode, number> = {
  not_found: 404,
  conflict: 409,
  invalid: 400,
  forbidden: 403,
};

export class StoreError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
    this.statusCode = STATUS[code];
  }
}
