import { type FormEvent, useState } from "react";
import { ApiError, api, queries } from "../api.ts";
import { PageHeader, Section } from "../components/Page.tsx";
import { ActionError, Empty, ErrorState, Loading, Notice } from "../components/States.tsx";
import { formatDateTime } from "../format.ts";
import { useAuth, useCan, useGet } from "../hooks.ts";
import type { Role, UserView } from "../types.ts";

const ROLES: { value: Role; label: string }[] = [
  { value: "viewer", label: "Viewer: reads everything but accounts" },
  { value: "billing", label: "Billing: also decides findings, edits, imports, runs" },
  { value: "admin", label: "Admin: everything, accounts included" },
];

export function UsersPage() {
  const can = useCan();
  if (!can.admin)
    return (
      <>
        <PageHeader title="Users" />
        <Empty title="Only an admin manages accounts." />
      </>
    );
  return <Users />;
}

function Users() {
  const users = useGet(queries.users());
  const me = useAuth().session.user;
  return (
    <>
      <PageHeader title="Users" subtitle="Accounts and their roles." />
      <Section title="Add an account" id="add">
        <AddUser onAdded={users.reload} />
      </Section>
      <Section title="Accounts" id="accounts">
        {users.error ? (
          <ErrorState error={users.error} onRetry={users.reload} />
        ) : !users.data ? (
          <Loading what="Loading accounts" />
        ) : users.data.length === 0 ? (
          <Empty title="No accounts." />
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="users-admin-table">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {users.data.map((u) => (
                  <UserRow key={u.id} user={u} self={u.id === me.id} onChanged={users.reload} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

function UserRow({ user, self, onChanged }: { user: UserView; self: boolean; onChanged: () => void }) {
  const [role, setRole] = useState<Role>(user.role);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api.setRole(user.id, role);
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "client", String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr data-testid="user-admin-row" data-email={user.email}>
      <th scope="row">
        {user.email}
        {self && <span className="badge">you</span>}
      </th>
      <td>
        <form className="map-form" onSubmit={save}>
          <label className="visually-hidden" htmlFor={`role-${user.id}`}>
            Role of {user.email}
          </label>
          <select
            id={`role-${user.id}`}
            value={role}
            disabled={self}
            onChange={(e) => setRole(e.target.value as Role)}
          >
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.value}
              </option>
            ))}
          </select>
          {role !== user.role && (
            <button type="submit" className="btn btn-small btn-primary" disabled={busy}>
              Save role
            </button>
          )}
          {self && <span className="hint">Another admin changes your own role.</span>}
        </form>
        <ActionError error={error} />
      </td>
      <td className="num">{formatDateTime(user.createdAt)}</td>
    </tr>
  );
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setCreated(null);
    try {
      const res = await api.addUser(email.trim(), role);
      setCreated({ email: res.user.email, password: res.password });
      setEmail("");
      onAdded();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "client", String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form className="form-row" onSubmit={submit} data-testid="add-user-form">
        <label className="field">
          <span>Email</span>
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? "Adding…" : "Add account"}
        </button>
      </form>
      <ActionError error={error} />
      {created && (
        <Notice testId="new-user">
          Account <strong>{created.email}</strong> created. Its one-time password, shown only now:{" "}
          <code className="secret" data-testid="new-user-password">
            {created.password}
          </code>{" "}
          (replaced at first sign-in by a password of the account's own).
        </Notice>
      )}
    </>
  );
}
