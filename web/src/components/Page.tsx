import { type ReactNode, useEffect } from "react";

// Each page's heading. It takes focus after a navigation (Layout moves it there), so that a
// keyboard or screen reader user starts at the new page's title.

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Trueup`;
  }, [title]);
  return (
    <header className="page-header">
      <div>
        <h1 tabIndex={-1}>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Section({
  title,
  id,
  children,
  actions,
  testId,
}: {
  title: string;
  id?: string;
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
}) {
  const headingId = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-heading`;
  return (
    <section className="section" aria-labelledby={headingId} data-testid={testId}>
      <div className="section-header">
        <h2 id={headingId}>{title}</h2>
        {actions && <div className="section-actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
