import { type ReactNode, useEffect, useRef, useState } from "react";
import { useAuth, useCan } from "../hooks.ts";
import { Link, useLocation } from "../router.tsx";

interface NavItem {
  to: string;
  label: string;
  admin?: boolean;
}

const NAV: NavItem[] = [
  { to: "/", label: "Dashboard" },
  { to: "/clients", label: "Clients" },
  { to: "/findings", label: "Findings" },
  { to: "/margin", label: "Margin" },
  { to: "/catalogue", label: "Catalogue" },
  { to: "/mappings", label: "Mappings" },
  { to: "/imports", label: "Imports" },
  { to: "/connections", label: "Connections" },
  { to: "/sync", label: "PSA sync" },
  { to: "/runs", label: "Runs" },
  { to: "/users", label: "Users", admin: true },
  { to: "/audit", label: "Audit log", admin: true },
];

function isCurrent(item: NavItem, pathname: string): boolean {
  if (item.to === "/") return pathname === "/";
  return pathname === item.to || pathname.startsWith(`${item.to}/`);
}

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useAuth();
  const can = useCan();
  const { pathname } = useLocation();
  const shown = useRef(pathname);
  // On a narrow screen the navigation folds behind a Menu button; a choice closes it again.
  const [menuOpen, setMenuOpen] = useState(false);

  // After a navigation (not on the first page), start the keyboard and the screen reader at the
  // new page's heading.
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    setMenuOpen(false);
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, [pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside
        className={menuOpen ? "sidebar menu-open" : "sidebar"}
        onKeyDown={(e) => {
          if (e.key === "Escape" && menuOpen) {
            setMenuOpen(false);
            document.querySelector<HTMLElement>(".menu-button")?.focus();
          }
        }}
      >
        <div className="sidebar-top">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Trueup
          </Link>
          <button
            type="button"
            className="btn btn-small menu-button"
            aria-expanded={menuOpen}
            aria-controls="main-menu"
            onClick={() => setMenuOpen((open) => !open)}
          >
            Menu
          </button>
        </div>
        <div className="sidebar-menu" id="main-menu">
          <nav aria-label="Main">
            <ul className="nav">
              {NAV.filter((i) => !i.admin || can.admin).map((item) => (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    className="nav-link"
                    aria-current={isCurrent(item, pathname) ? "page" : undefined}
                  >
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="account" data-testid="account">
            <span className="account-email" title={session.user.email}>
              {session.user.email}
            </span>
            <span className="badge" data-testid="account-role">
              {session.user.role}
            </span>
            <Link
              to="/password"
              className="account-link"
              data-testid="change-password-link"
              aria-current={pathname === "/password" ? "page" : undefined}
            >
              Change password
            </Link>
            <button type="button" className="btn btn-small" onClick={signOut}>
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
