import { useRef, useState } from "react";
import { ApiError, api, queries } from "../api.ts";
import { Money } from "../components/Figures.tsx";
import { IssueList } from "../components/IssueList.tsx";
import { MspPanel } from "../components/MspPanel.tsx";
import { PageHeader, Section } from "../components/Page.tsx";
import { RunButton } from "../components/RunButton.tsx";
import { ActionError, Empty, ErrorState, Loading, Notice } from "../components/States.tsx";
import { WhatIfPanel } from "../components/WhatIfPanel.tsx";
import { formatCount, plural } from "../format.ts";
import { useCan, useGet } from "../hooks.ts";
import type { BundleView, Catalogue, DetachedSource, Issue, ServiceView } from "../types.ts";

export function CataloguePage() {
  const cat = useGet(queries.catalogue());
  return (
    <>
      <PageHeader
        title="Catalogue"
        subtitle="The services you buy and resell, the bundles you sell, and trueup.yaml."
      />
      {cat.error ? (
        <ErrorState error={cat.error} onRetry={cat.reload} />
      ) : !cat.data ? (
        <Loading what="Loading the catalogue" />
      ) : (
        <>
          <Section title={`Services (${formatCount(cat.data.services.length)})`} id="services">
            <Services services={cat.data.services} />
          </Section>
          <Section title={`Bundles (${formatCount(cat.data.bundles.length)})`} id="bundles">
            <Bundles bundles={cat.data.bundles} />
          </Section>
          <Section title="Your details on statements" id="msp" testId="msp-settings">
            <MspPanel />
          </Section>
          <Section title="Edit trueup.yaml" id="yaml">
            <Editor catalogue={cat.data} onSaved={cat.reload} />
          </Section>
          <Section title="What if" id="whatif">
            <WhatIfPanel />
          </Section>
        </>
      )}
    </>
  );
}

function Services({ services }: { services: ServiceView[] }) {
  if (services.length === 0) return <Empty title="No services yet: add them to trueup.yaml below." />;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="services-table">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Unit</th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col">PSA product</th>
            <th scope="col">Vendor SKUs</th>
            <th scope="col">Deployment</th>
          </tr>
        </thead>
        <tbody>
          {services.map((s) => (
            <tr key={s.id} data-testid="service-row" data-service-id={s.id}>
              <th scope="row">
                <span className="line-name">{s.name}</span>
                <code className="subject">{s.id}</code>
              </th>
              <td>{s.unit}</td>
              <td className="num">
                <Money value={String(s.cost)} />
              </td>
              <td className="num">
                <Money value={String(s.price)} />
              </td>
              <td>{s.psaProduct ? <code>{s.psaProduct}</code> : <span className="muted">—</span>}</td>
              <td>
                {s.vendorSkus.length === 0 ? (
                  <span className="muted">—</span>
                ) : (
                  <ul className="plain-list">
                    {s.vendorSkus.map((v) => (
                      <li key={`${v.vendor}:${v.sku}`}>
                        {v.vendor} <code>{v.sku}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>{s.deployment ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Bundles({ bundles }: { bundles: BundleView[] }) {
  if (bundles.length === 0) return <Empty title="No bundles yet: add them to trueup.yaml below." />;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="bundles-table">
        <thead>
          <tr>
            <th scope="col">Bundle</th>
            <th scope="col">Per</th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col">PSA product</th>
            <th scope="col">Includes</th>
            <th scope="col">Device allowance</th>
          </tr>
        </thead>
        <tbody>
          {bundles.map((b) => (
            <tr key={b.id} data-testid="bundle-row" data-bundle-id={b.id}>
              <th scope="row">
                <span className="line-name">{b.name}</span>
                <code className="subject">{b.id}</code>
              </th>
              <td>
                {b.per}
                {b.deviceTypes && b.per === "device" && (
                  <div className="muted small">{b.deviceTypes.join(", ")}</div>
                )}
              </td>
              <td className="num">
                <Money value={String(b.price)} />
              </td>
              <td>{b.psaProduct ? <code>{b.psaProduct}</code> : <span className="muted">—</span>}</td>
              <td>
                <ul className="plain-list">
                  {b.includes.map((c) => (
                    <li key={c.service}>
                      <code>{c.service}</code>
                      {c.deviceTypes && <span className="muted small"> ({c.deviceTypes.join(", ")})</span>}
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                {b.devicesPerUser !== undefined ? (
                  <>
                    {plural(b.devicesPerUser, "device")} per user, then <code>{b.extraDevice}</code>
                  </>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The trueup.yaml text. Saving validates it as `trueup validate` does; with any error nothing is saved. */
function Editor({ catalogue, onSaved }: { catalogue: Catalogue; onSaved: () => void }) {
  const can = useCan();
  const [baseline, setBaseline] = useState(catalogue.yaml);
  const [text, setText] = useState(catalogue.yaml);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [error, setError] = useState<ApiError | undefined>();
  const [saved, setSaved] = useState<Issue[] | null>(null);
  const [busy, setBusy] = useState(false);
  /** Sources whose imported data the checked text would detach, waiting for a yes. */
  const [detached, setDetached] = useState<DetachedSource[] | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const dirty = text !== baseline;

  const save = async (confirmed = false) => {
    setBusy(true);
    setError(undefined);
    setSaved(null);
    setDetached(null);
    try {
      if (!confirmed) {
        // Checked first, so that a save that would cut sources off their imported data asks first.
        const check = await api.checkCatalogue(text);
        if (check.issues.some((i) => i.severity !== "warning")) {
          setIssues(check.issues);
          return;
        }
        if (check.detached.length > 0) {
          setIssues([]);
          setDetached(check.detached);
          return;
        }
      }
      const res = await api.saveCatalogue(text);
      setIssues([]);
      setSaved(res.issues ?? []);
      setBaseline(text);
      onSaved();
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, "client", String(e));
      if (err.code === "invalid" || (err.status === 400 && err.issues.some((i) => i.line !== undefined)))
        setIssues(err.issues);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  const goTo = (i: Issue) => {
    const el = area.current;
    if (!el || i.line === undefined) return;
    const lines = text.split("\n");
    const start = lines.slice(0, i.line - 1).reduce((n, l) => n + l.length + 1, 0);
    const end = start + (lines[i.line - 1]?.length ?? 0);
    el.focus();
    el.setSelectionRange(start, end);
    const lineHeight = Number.parseFloat(getComputedStyle(el).lineHeight) || 20;
    el.scrollTop = Math.max(0, (i.line - 4) * lineHeight);
  };

  const errorLines = new Set(issues.map((i) => i.line).filter((l): l is number => l !== undefined));
  const lineCount = text.split("\n").length;
  const errors = issues.filter((i) => i.severity !== "warning").length;

  return (
    <div className="editor" data-testid="catalogue-editor">
      {!can.edit && (
        <p className="hint">Your role reads the catalogue; billing and admin accounts edit it.</p>
      )}
      {issues.length > 0 && (
        <div className="alert alert-error" role="alert" data-testid="catalogue-errors">
          <p>
            <strong>Nothing was saved.</strong> trueup.yaml has {plural(errors, "error")}; choose a line to go
            to it.
          </p>
          <IssueList issues={issues} testId="catalogue-issues" onPick={goTo} />
        </div>
      )}
      {detached && (
        <div className="alert alert-error" role="alert" data-testid="catalogue-detach-warning">
          <p>
            <strong>Not saved yet.</strong> This change starts {plural(detached.length, "source")} afresh:
            their imported data stays in the history but no longer counts, until a file is imported again.
          </p>
          <ul>
            {detached.map((d) => (
              <li key={d.id} data-testid="catalogue-detached-source">
                <code>{d.connection ?? d.file}</code> ({d.kind}, {d.format})
                {d.lastImport && (
                  <>
                    {" "}
                    — last import {d.lastImport.fileName}, {d.lastImport.rowCount} rows
                  </>
                )}
              </li>
            ))}
          </ul>
          <div className="button-row">
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => void save(true)}
              data-testid="catalogue-save-anyway"
            >
              Save and detach the imported data
            </button>
            <button type="button" className="btn" onClick={() => setDetached(null)}>
              Keep editing
            </button>
          </div>
        </div>
      )}
      {saved && !dirty && (
        <Notice testId="catalogue-saved">
          Saved. The change shows on the next run. <RunButton label="Run the reconciliation now" />
          {saved.length > 0 && <IssueList issues={saved} />}
        </Notice>
      )}
      <ActionError error={error} />
      <label htmlFor="catalogue-yaml" className="visually-hidden">
        trueup.yaml text
      </label>
      <div className="code-editor">
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, n) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the line number is the identity
            <div key={n} className={errorLines.has(n + 1) ? "gutter-line gutter-error" : "gutter-line"}>
              {n + 1}
            </div>
          ))}
        </div>
        <textarea
          id="catalogue-yaml"
          ref={area}
          className="code"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          readOnly={!can.edit}
          value={text}
          wrap="off"
          data-testid="catalogue-yaml"
          onChange={(e) => {
            setText(e.target.value);
            setSaved(null);
            setDetached(null);
          }}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      {can.edit && (
        <div className="button-row">
          <button
            type="button"
            className="btn btn-primary"
            disabled={!dirty || busy}
            onClick={() => void save()}
          >
            {busy ? "Checking and saving…" : "Check and save"}
          </button>
          <button
            type="button"
            className="btn"
            disabled={!dirty || busy}
            onClick={() => {
              setText(baseline);
              setIssues([]);
            }}
          >
            Discard changes
          </button>
          <span className="hint">
            {dirty ? "Unsaved changes. " : ""}Every error is listed with its line; with any error nothing is
            saved.
          </span>
        </div>
      )}
    </div>
  );
}
