import { type ChangeEvent, useRef, useState } from "react";
import { ApiError, api, type ImportFile, queries } from "../api.ts";
import { Count } from "../components/Figures.tsx";
import { IssueList } from "../components/IssueList.tsx";
import { PageHeader, Section } from "../components/Page.tsx";
import { Pager } from "../components/Pager.tsx";
import { RunButton } from "../components/RunButton.tsx";
import { ActionError, Empty, ErrorState, Loading, Notice } from "../components/States.tsx";
import { formatCount, formatDateTime, formatDay, plural } from "../format.ts";
import { useCan, useGet } from "../hooks.ts";
import { Link } from "../router.tsx";
import type { ImportPreview, ImportView, RunView, SourceView } from "../types.ts";

const LIMIT = 20;

export function sourceLabel(s: SourceView): string {
  const who = s.deployment ?? s.vendor ?? s.client;
  return `${s.kind}${who ? ` (${who})` : ""} · ${s.format} · ${s.file}`;
}

export function ImportsPage() {
  const can = useCan();
  const sources = useGet(queries.sources());
  const [offset, setOffset] = useState(0);
  const imports = useGet(queries.imports({ limit: LIMIT, offset }));
  return (
    <>
      <PageHeader
        title="Imports"
        subtitle="Load a new export for a source. Every error is shown with its line before anything is stored."
      />
      {can.edit && (
        <Section title="Import a file" id="import">
          {sources.error ? (
            <ErrorState error={sources.error} onRetry={sources.reload} />
          ) : !sources.data ? (
            <Loading what="Loading sources" />
          ) : sources.data.length === 0 ? (
            <Empty title="No sources yet: list them under sources in trueup.yaml (Catalogue page)." />
          ) : (
            <Importer
              sources={sources.data}
              onImported={() => {
                sources.reload();
                imports.reload();
              }}
            />
          )}
        </Section>
      )}
      <Section title="Past imports" id="past">
        {imports.error ? (
          <ErrorState error={imports.error} onRetry={imports.reload} />
        ) : !imports.data ? (
          <Loading what="Loading imports" />
        ) : imports.data.items.length === 0 ? (
          <Empty title="No file has been imported yet." />
        ) : (
          <>
            <PastImports items={imports.data.items} sources={sources.data ?? []} />
            <Pager
              label="Imports"
              total={imports.data.total}
              limit={imports.data.limit}
              offset={imports.data.offset}
              onPage={setOffset}
            />
          </>
        )}
      </Section>
    </>
  );
}

type Step =
  | { kind: "choose" }
  | { kind: "previewing" }
  | { kind: "preview"; preview: ImportPreview }
  | { kind: "importing"; preview: ImportPreview }
  | {
      kind: "imported";
      imported: ImportView;
      /** The run started at once after the import (undefined while it runs). */
      run?: RunView;
      runError?: ApiError;
    };

function Importer({ sources, onImported }: { sources: SourceView[]; onImported: () => void }) {
  const [sourceId, setSourceId] = useState<number | "">("");
  const [file, setFile] = useState<File | null>(null);
  const [step, setStep] = useState<Step>({ kind: "choose" });
  const [error, setError] = useState<ApiError | undefined>();
  const input = useRef<HTMLInputElement>(null);
  const source = sources.find((s) => s.id === sourceId);

  const preview = async (f: ImportFile) => {
    setStep({ kind: "previewing" });
    setError(undefined);
    try {
      setStep({ kind: "preview", preview: await api.previewImport(f) });
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, "client", String(e)));
      setStep({ kind: "choose" });
    }
  };

  const chooseSource = (e: ChangeEvent<HTMLSelectElement>) => {
    const id = e.target.value === "" ? "" : Number(e.target.value);
    setSourceId(id);
    if (id !== "" && file) void preview({ sourceId: id, fileName: file.name, file });
    else setStep({ kind: "choose" });
  };

  const chooseFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0];
    setError(undefined);
    if (!f) {
      setFile(null);
      setStep({ kind: "choose" });
      return;
    }
    setFile(f);
    if (sourceId !== "") void preview({ sourceId, fileName: f.name, file: f });
  };

  const doImport = async (p: ImportPreview) => {
    if (sourceId === "" || !file) return;
    setStep({ kind: "importing", preview: p });
    setError(undefined);
    try {
      const res = await api.importFile({ sourceId, fileName: file.name, file });
      setStep({ kind: "imported", imported: res.import });
      onImported();
      // Reconcile at once, so that the dashboard and the findings reflect the file.
      try {
        const run = await api.startRun();
        setStep({ kind: "imported", imported: res.import, run });
      } catch (e) {
        const runError = e instanceof ApiError ? e : new ApiError(0, "client", String(e));
        setStep({ kind: "imported", imported: res.import, runError });
      }
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(0, "client", String(e));
      // The server found errors the preview did not: show them as the preview's.
      if (err.code === "invalid") setStep({ kind: "preview", preview: { ...p, issues: err.issues } });
      else {
        setError(err);
        setStep({ kind: "preview", preview: p });
      }
    }
  };

  const reset = () => {
    setFile(null);
    setStep({ kind: "choose" });
    if (input.current) input.current.value = "";
  };

  return (
    <div className="importer" data-testid="importer">
      <div className="form-row">
        <label className="field">
          <span>Source</span>
          <select value={sourceId} onChange={chooseSource} data-testid="import-source">
            <option value="">Choose the source this file is for…</option>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {sourceLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>CSV file</span>
          <input
            ref={input}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => void chooseFile(e)}
            data-testid="import-file"
          />
        </label>
      </div>
      {source && (
        <p className="hint" data-testid="import-source-info">
          {source.kind} in the <code>{source.format}</code> format, now <code>{source.file}</code>
          {source.lastImport
            ? `; last imported ${formatDateTime(source.lastImport.importedAt)} by ${source.lastImport.importedBy} (${plural(source.lastImport.rowCount, "row")}).`
            : "; never imported here."}
        </p>
      )}
      <ActionError error={error} />
      {step.kind === "choose" && (
        <p className="hint">
          {sourceId === "" || !file
            ? "Choose a source and a file: Trueup reads it and shows its first rows and every error before storing anything."
            : ""}
        </p>
      )}
      {step.kind === "previewing" && <Loading what="Reading the file" />}
      {(step.kind === "preview" || step.kind === "importing") && file && (
        <PreviewView
          preview={step.preview}
          fileName={file.name}
          busy={step.kind === "importing"}
          onImport={() => void doImport(step.preview)}
          onCancel={reset}
        />
      )}
      {step.kind === "imported" && (
        <Notice testId="import-done">
          Imported <strong>{step.imported.fileName}</strong>: {plural(step.imported.rowCount, "row")} stored
          for {source ? sourceLabel(source) : `source ${step.imported.sourceId}`}.{" "}
          {step.run ? (
            <span data-testid="import-run">
              Reconciled at once: run #{step.run.id} as of {formatDay(step.run.asOf)}
              {typeof step.run.totals.findings === "number"
                ? ` found ${plural(step.run.totals.findings, "finding")}`
                : ""}
              . <Link to="/">Dashboard</Link> ·{" "}
              <Link to={`/findings?runId=${step.run.id}`}>Its findings</Link>
            </span>
          ) : step.runError ? (
            <span>The reconciliation after it failed; start it again below.</span>
          ) : (
            <span role="status" data-testid="import-running">
              Reconciling…
            </span>
          )}
          <ActionError error={step.runError} />
          <div className="button-row">
            {step.runError && <RunButton label="Re-run the reconciliation" primary />}
            <button type="button" className="btn" onClick={reset}>
              Import another file
            </button>
          </div>
        </Notice>
      )}
    </div>
  );
}

function PreviewView({
  preview,
  fileName,
  busy,
  onImport,
  onCancel,
}: {
  preview: ImportPreview;
  fileName: string;
  busy: boolean;
  onImport: () => void;
  onCancel: () => void;
}) {
  const errors = preview.issues.filter((i) => i.severity !== "warning");
  const warnings = preview.issues.length - errors.length;
  return (
    <div className="preview" data-testid="import-preview">
      {errors.length > 0 ? (
        <div className="alert alert-error" role="alert" data-testid="import-errors">
          <p>
            <strong>
              {fileName} has {plural(errors.length, "error")}. Nothing has been stored.
            </strong>{" "}
            Fix the file and choose it again.
          </p>
          <IssueList issues={preview.issues} testId="import-issues" />
        </div>
      ) : (
        <div className="alert alert-ok" role="status" data-testid="import-ok">
          <p>
            <strong>{fileName}</strong>: {plural(preview.rowCount, "row")}, no errors
            {warnings > 0 ? `, ${plural(warnings, "warning")}` : ""}. Nothing is stored until you import it.
          </p>
          {warnings > 0 && <IssueList issues={preview.issues} testId="import-issues" />}
        </div>
      )}
      <h3>
        First {formatCount(preview.rows.length)} of {plural(preview.rowCount, "row")}
      </h3>
      {preview.header.length === 0 ? (
        <p className="muted">The file has no header line.</p>
      ) : (
        <div className="table-wrap table-scroll">
          <table className="table table-compact" data-testid="import-rows">
            <thead>
              <tr>
                <th scope="col" className="num">
                  Line
                </th>
                {preview.header.map((h, n) => (
                  // Header names may repeat in a bad file; the position is the identity.
                  // biome-ignore lint/suspicious/noArrayIndexKey: see above
                  <th key={n} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r, n) => {
                const line = n + 2;
                const bad = preview.issues.some((i) => i.line === line && i.severity !== "warning");
                return (
                  // biome-ignore lint/suspicious/noArrayIndexKey: rows are shown in file order
                  <tr key={n} className={bad ? "row-error" : undefined} data-line={line}>
                    <td className="num muted">{line}</td>
                    {r.map((cell, c) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: cells by column position
                      <td key={c}>{cell}</td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <div className="button-row">
        <button
          type="button"
          className="btn btn-primary"
          disabled={errors.length > 0 || busy}
          onClick={onImport}
          data-testid="import-submit"
        >
          {busy ? "Importing…" : `Import ${plural(preview.rowCount, "row")}`}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function PastImports({ items, sources }: { items: ImportView[]; sources: SourceView[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="imports-table">
        <thead>
          <tr>
            <th scope="col">Imported</th>
            <th scope="col">File</th>
            <th scope="col">Source</th>
            <th scope="col">Format</th>
            <th scope="col" className="num">
              Rows
            </th>
            <th scope="col">By</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => {
            const s = sources.find((x) => x.id === i.sourceId);
            return (
              <tr key={i.id} data-testid="import-row">
                <td className="num">{formatDateTime(i.importedAt)}</td>
                <td>
                  <code>{i.fileName}</code>
                </td>
                <td>{s ? sourceLabel(s) : `#${i.sourceId}`}</td>
                <td>{i.format}</td>
                <td className="num">
                  <Count value={i.rowCount} />
                </td>
                <td>{i.importedBy}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
