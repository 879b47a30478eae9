import { StrictMode, useCallback, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { ApiError, api, setUnauthenticatedHandler } from "./api.ts";
import { Layout } from "./components/Layout.tsx";
import { ErrorState, Loading } from "./components/States.tsx";
import { setCurrency } from "./format.ts";
import { AuthContext } from "./hooks.ts";
import { AuditPage } from "./pages/AuditPage.tsx";
import { CataloguePage } from "./pages/CataloguePage.tsx";
import { ClientPage } from "./pages/ClientPage.tsx";
import { ClientsPage } from "./pages/ClientsPage.tsx";
import { ConnectionsPage } from "./pages/ConnectionsPage.tsx";
import { DashboardPage } from "./pages/DashboardPage.tsx";
import { FindingsPage } from "./pages/FindingsPage.tsx";
import { ImportsPage } from "./pages/ImportsPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { MappingsPage } from "./pages/MappingsPage.tsx";
import { MarginPage } from "./pages/MarginPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { ChangePasswordPage, ChoosePasswordPage } from "./pages/PasswordPage.tsx";
import { RunsPage } from "./pages/RunsPage.tsx";
import { SyncPage } from "./pages/SyncPage.tsx";
import { UsersPage } from "./pages/UsersPage.tsx";
import { navigate, useLocation } from "./router.tsx";
import "./styles.css";
import type { Session } from "./types.ts";

function Routes({ pathname }: { pathname: string }) {
  if (pathname === "/") return <DashboardPage />;
  if (pathname === "/clients") return <ClientsPage />;
  const client = /^\/clients\/([^/]+)$/.exec(pathname);
  if (client?.[1]) return <ClientPage id={decodeURIComponent(client[1])} />;
  if (pathname === "/findings") return <FindingsPage />;
  if (pathname === "/margin") return <MarginPage />;
  if (pathname === "/catalogue") return <CataloguePage />;
  if (pathname === "/mappings") return <MappingsPage />;
  if (pathname === "/imports") return <ImportsPage />;
  if (pathname === "/connections") return <ConnectionsPage />;
  if (pathname === "/sync") return <SyncPage />;
  if (pathname === "/runs") return <RunsPage />;
  if (pathname === "/users") return <UsersPage />;
  if (pathname === "/audit") return <AuditPage />;
  if (pathname === "/password") return <ChangePasswordPage />;
  return <NotFoundPage />;
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

type State =
  | { kind: "checking" }
  | { kind: "signed-out"; notice?: string }
  | { kind: "failed"; error: ApiError }
  | { kind: "signed-in"; session: Session; oneTime?: string };

function App() {
  const [state, setState] = useState<State>({ kind: "checking" });
  const { pathname } = useLocation();

  const check = useCallback(() => {
    setState({ kind: "checking" });
    api.me().then(
      (session) => setState({ kind: "signed-in", session }),
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setState({ kind: "signed-out" });
        else
          setState({
            kind: "failed",
            error: e instanceof ApiError ? e : new ApiError(0, "client", String(e)),
          });
      },
    );
  }, []);

  useEffect(() => {
    check();
    setUnauthenticatedHandler(() =>
      setState({ kind: "signed-out", notice: "Your session has ended. Sign in again." }),
    );
  }, [check]);

  const signOut = useCallback(() => {
    api.logout().then(
      () => undefined,
      () => undefined, // Signed out either way: the cookie is the server's to drop.
    );
    setState({ kind: "signed-out" });
    navigate("/login");
  }, []);

  const auth = useMemo(
    () => (state.kind === "signed-in" ? { session: state.session, signOut } : null),
    [state, signOut],
  );
  // Every amount is shown in the workspace's currency, which the session carries.
  if (state.kind === "signed-in") setCurrency(state.session.currency);

  if (state.kind === "checking") return <Loading what="Opening Trueup" />;
  if (state.kind === "failed")
    return (
      <main className="center-page">
        <ErrorState error={state.error} onRetry={check} />
      </main>
    );
  if (state.kind === "signed-out" || !auth)
    return (
      <LoginPage
        notice={state.kind === "signed-out" ? state.notice : undefined}
        onSignedIn={(session, password) => {
          // A one-time password stays in memory (never storage) for the page that replaces it.
          setState({
            kind: "signed-in",
            session,
            oneTime: session.mustChangePassword ? password : undefined,
          });
          if (window.location.pathname === "/login") navigate("/", { replace: true });
        }}
      />
    );
  // A one-time password: nothing else until the account has chosen its own (the server agrees).
  if (state.session.mustChangePassword)
    return (
      <ChoosePasswordPage
        session={state.session}
        oneTime={state.oneTime}
        onSignOut={signOut}
        onChosen={() => {
          setState({ kind: "signed-in", session: { ...state.session, mustChangePassword: false } });
          if (window.location.pathname === "/login") navigate("/", { replace: true });
        }}
      />
    );
  if (pathname === "/login") return <Redirect to="/" />;
  return (
    <AuthContext.Provider value={auth}>
      <Layout>
        <Routes pathname={pathname} />
      </Layout>
    </AuthContext.Provider>
  );
}

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
