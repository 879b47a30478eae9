import { createContext, useCallback, useContext, useEffect, useState } from "react";
import { ApiError, get, type Query } from "./api.ts";
import type { Role, Session } from "./types.ts";

export interface Loaded<T> {
  /** The answer for this path; kept while reload() is under way so that tables do not flash. */
  data: T | undefined;
  loading: boolean;
  error: ApiError | undefined;
  reload: () => void;
}

/** Loads a GET (null: nothing yet) and loads it again whenever its path changes or on reload(). */
export function useGet<T>(q: Query<T> | null): Loaded<T> {
  const path = q?.path ?? null;
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<{ path: string | null; data?: T; error?: ApiError; loading: boolean }>({
    path: null,
    loading: path !== null,
  });

  useEffect(() => {
    if (path === null) return;
    void nonce;
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    get<T>({ path }, ctrl.signal).then(
      (data) => setState({ path, data, loading: false }),
      (e: unknown) => {
        if (ctrl.signal.aborted) return;
        const error = e instanceof ApiError ? e : new ApiError(0, "client", String(e));
        // Another resource's answer is not this one's: drop it rather than show stale data.
        setState((s) => ({ path, data: s.path === path ? s.data : undefined, error, loading: false }));
      },
    );
    return () => ctrl.abort();
  }, [path, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const fresh = state.path === path;
  return {
    data: fresh ? state.data : undefined,
    loading: state.loading || (!fresh && path !== null),
    error: fresh ? state.error : undefined,
    reload,
  };
}

export interface Auth {
  session: Session;
  signOut: () => void;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside the signed-in app");
  return auth;
}

/** What the signed-in role may do: viewers read; billing also changes; admin also manages accounts. */
export function useCan(): { edit: boolean; admin: boolean; role: Role } {
  const role = useAuth().session.user.role;
  return { edit: role === "billing" || role === "admin", admin: role === "admin", role };
}

/** An action's progress and failure, for buttons that call the API. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await fn(...args);
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError(0, "client", String(e)));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [fn],
  );
  return { run, busy, error, clearError: () => setError(undefined) };
}
