import { useEffect, useState } from "react";
import { PageHeader, Section } from "../components/Page.tsx";
import { PasswordForm } from "../components/PasswordForm.tsx";
import { Notice } from "../components/States.tsx";
import { useAuth } from "../hooks.ts";
import type { Session } from "../types.ts";

/**
 * Shown instead of the app after signing in with a one-time password: the server answers nothing
 * else (403 password_change_required) until the account has chosen its own.
 */
export function ChoosePasswordPage({
  session,
  oneTime,
  onChosen,
  onSignOut,
}: {
  session: Session;
  /** The one-time password just typed on the sign-in page (in memory; absent after a reload). */
  oneTime?: string;
  onChosen: () => void;
  onSignOut: () => void;
}) {
  useEffect(() => {
    document.title = "Choose your password · Trueup";
    document.querySelector<HTMLElement>("#choose-password-title")?.focus();
  }, []);

  return (
    <main className="login-page">
      <section className="login-card" aria-labelledby="choose-password-title" data-testid="choose-password">
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Trueup
        </div>
        <h1 id="choose-password-title" tabIndex={-1}>
          Choose your password
        </h1>
        <p className="hint">
          You signed in as <strong>{session.user.email}</strong> with a one-time password. Choose your own
          password to go on.
        </p>
        <PasswordForm
          email={session.user.email}
          submitLabel="Choose password"
          onChanged={onChosen}
          knownCurrent={oneTime}
        />
        <button type="button" className="btn btn-small" onClick={onSignOut}>
          Sign out
        </button>
      </section>
    </main>
  );
}

/** Every account's own page for changing its password (linked from the account menu). */
export function ChangePasswordPage() {
  const { session } = useAuth();
  const [changed, setChanged] = useState(false);
  return (
    <>
      <PageHeader title="Change password" subtitle={`The password of ${session.user.email}.`} />
      <Section title="Your password" id="your-password" testId="change-password">
        {changed && (
          <Notice testId="password-changed">
            Your password has changed. Your other sessions have been signed out; this one stays signed in.
          </Notice>
        )}
        <div className="password-panel">
          <PasswordForm
            email={session.user.email}
            submitLabel="Change password"
            onChanged={() => setChanged(true)}
          />
        </div>
      </Section>
    </>
  );
}
