import { type FormEvent, useState } from "react";
import { ApiError, api } from "../api.ts";

// Choosing one's own password: the current one, the new one twice. The server has the last word
// (docs/api.md: at least 12 characters, neither the current password nor the email); the form checks
// the same first, so that a typo in the repeat costs no round trip.

export const MIN_PASSWORD = 12;

/** What is wrong with the new password before asking the server, or null. */
function problem(current: string, next: string, repeat: string, email: string): string | null {
  if ([...next].length < MIN_PASSWORD) return `The new password needs at least ${MIN_PASSWORD} characters.`;
  if (next !== repeat) return "The two new passwords are not the same.";
  if (next === current) return "The new password must differ from the current one.";
  if (next.trim().toLowerCase() === email.toLowerCase())
    return "The new password must not be your email address.";
  return null;
}

/** The server's message as a sentence ("the current password is wrong" -> "The current ... wrong."). */
function sentence(message: string): string {
  const s = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

export function PasswordForm({
  email,
  submitLabel,
  onChanged,
  knownCurrent,
}: {
  email: string;
  submitLabel: string;
  /** Called once the server has changed the password. */
  onChanged: () => void;
  /**
   * The current password when the person has just typed it (the one-time password of the first
   * sign-in, held in memory only): the form then does not ask for it again. The server still checks it.
   */
  knownCurrent?: string;
}) {
  const [typed, setCurrent] = useState("");
  const current = knownCurrent ?? typed;
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const wrong = problem(current, next, repeat, email);
    setError(wrong);
    if (wrong) return;
    setBusy(true);
    try {
      await api.changePassword(current, next);
      setCurrent("");
      setNext("");
      setRepeat("");
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? sentence(err.message) : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="password-form" onSubmit={submit} data-testid="password-form" noValidate>
      {error && (
        <p className="alert alert-error" role="alert" data-testid="password-error">
          {error}
        </p>
      )}
      {knownCurrent === undefined && (
        <label className="field">
          <span>Current password</span>
          <input
            type="password"
            name="current-password"
            autoComplete="current-password"
            required
            value={typed}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
      )}
      <label className="field">
        <span>New password</span>
        <input
          type="password"
          name="new-password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          aria-describedby="new-password-hint"
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
      </label>
      <p className="hint" id="new-password-hint">
        At least {MIN_PASSWORD} characters; not your email address.
      </p>
      <label className="field">
        <span>Repeat the new password</span>
        <input
          type="password"
          name="repeat-password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
        />
      </label>
      <div className="button-row">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
