import type { ReactNode } from "react";
import type { ApiError } from "../api.ts";
import { IssueList } from "./IssueList.tsx";

// Every page shows one of these while its data is not a plain answer: loading, failed, or empty.

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p className="state state-loading" role="status" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {what}…
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert" data-testid="error">
      <p>
        <strong>Could not load this.</strong> {error.message}
      </p>
      {error.issues.length > 0 && <IssueList issues={error.issues} />}
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-testid="empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** The failure of an action (a button), next to it. */
export function ActionError({ error }: { error: ApiError | undefined }) {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert" data-testid="action-error">
      <p>{error.message}</p>
      {error.issues.length > 0 && <IssueList issues={error.issues} />}
    </div>
  );
}

/** A confirmation that an action went through; read out by screen readers. */
export function Notice({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="alert alert-ok" role="status" data-testid={testId ?? "notice"}>
      {children}
    </div>
  );
}
