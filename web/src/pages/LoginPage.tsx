import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api } from "../api.ts";
import type { Session } from "../types.ts";

export function LoginPage({
  onSignedIn,
  notice,
}: {
  /** `password` is what was typed: a one-time password is carried to the next page in memory. */
  onSignedIn: (s: Session, password: string) => void;
  notice?: string;
}) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    document.title = "Sign in · Trueup";
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.login(email.trim(), password), password);
    } catch (err) {
      setPassword("");
      if (!(err instanceof ApiError)) setError(String(err));
      else if (err.status === 429) setError(err.message);
      else if (err.status === 401 || err.status === 403 || err.status === 400)
        setError("Wrong email or password.");
      else setError(err.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title" data-testid="login-form">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Trueup
        </div>
        <h1 id="login-title">Sign in</h1>
        {notice && !error && (
          <p className="alert alert-info" role="status">
            {notice}
          </p>
        )}
        {error && (
          <p className="alert alert-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
