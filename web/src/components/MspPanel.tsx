import { type ChangeEvent, type FormEvent, useState } from "react";
import { api, mspLogoUrl, queries } from "../api.ts";
import { useAction, useCan, useGet } from "../hooks.ts";
import type { MspSettings } from "../types.ts";
import { ActionError, ErrorState, Loading, Notice } from "./States.tsx";

// The MSP's name, address, paper size and logo, printed on client statements and evidence (issue 14).
// The app has no workspace folder: the logo is uploaded here (PNG or JPEG, at most 512 KB) and stored
// in the database. Admins edit; everyone else sees what is printed.

/** The server's limit (src/statements/logo.ts), checked here too so a large file is not sent. */
const MAX_LOGO_KB = 512;

function base64Of(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function MspPanel() {
  const msp = useGet(queries.msp());
  if (msp.error) return <ErrorState error={msp.error} onRetry={msp.reload} />;
  if (msp.data === undefined) return <Loading what="Loading your details" />;
  return (
    <>
      <MspForm msp={msp.data} onSaved={msp.reload} />
      <LogoField />
    </>
  );
}

function MspForm({ msp, onSaved }: { msp: MspSettings | null; onSaved: () => void }) {
  const can = useCan();
  const [name, setName] = useState(msp?.name ?? "");
  const [address, setAddress] = useState((msp?.address ?? []).join("\n"));
  const [paper, setPaper] = useState<MspSettings["paper"]>(msp?.paper ?? "A4");
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    const lines = address
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    await api.saveMsp({ ...(msp?.logo ? { logo: msp.logo } : {}), name: name.trim(), address: lines, paper });
    setSaved(true);
    onSaved();
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    void save.run();
  };
  return (
    <form className="msp-form" onSubmit={submit} data-testid="msp-form">
      <label className="field">
        <span>Name</span>
        <input required value={name} disabled={!can.admin} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="field">
        <span>Address (one line each)</span>
        <textarea
          rows={3}
          value={address}
          disabled={!can.admin}
          onChange={(e) => setAddress(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Paper</span>
        <select
          value={paper}
          disabled={!can.admin}
          onChange={(e) => setPaper(e.target.value as MspSettings["paper"])}
        >
          <option value="A4">A4</option>
          <option value="Letter">Letter</option>
        </select>
      </label>
      {can.admin && (
        <button type="submit" className="btn btn-primary" disabled={save.busy || name.trim() === ""}>
          Save details
        </button>
      )}
      <ActionError error={save.error} />
      {saved && <Notice>Saved: the next statements carry these details.</Notice>}
    </form>
  );
}

function LogoField() {
  const can = useCan();
  // Bumped on every change, so the preview is fetched again.
  const [version, setVersion] = useState(0);
  const [present, setPresent] = useState(true);
  const [tooLarge, setTooLarge] = useState<string | undefined>();
  const upload = useAction(async (file: File) => {
    await api.uploadMspLogo(base64Of(new Uint8Array(await file.arrayBuffer())));
    setPresent(true);
    setVersion((v) => v + 1);
  });
  const remove = useAction(async () => {
    await api.removeMspLogo();
    setPresent(false);
  });
  const choose = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    setTooLarge(undefined);
    if (!file) return;
    if (file.size > MAX_LOGO_KB * 1024) {
      setTooLarge(
        `${file.name} is ${Math.ceil(file.size / 1024)} KB: a logo may have at most ${MAX_LOGO_KB} KB.`,
      );
      return;
    }
    void upload.run(file);
  };
  return (
    <div className="msp-logo" data-testid="msp-logo">
      <span className="msp-logo-label">Logo</span>
      <div className="msp-logo-preview">
        {present ? (
          <img
            src={mspLogoUrl(version)}
            alt="Your logo as statements print it"
            onError={() => setPresent(false)}
            data-testid="msp-logo-preview"
          />
        ) : (
          <span className="muted">No logo: statements made in the app carry none.</span>
        )}
      </div>
      {can.admin && (
        <div className="button-row">
          <label className="btn">
            {present ? "Replace logo…" : "Upload logo…"}
            <input
              type="file"
              accept="image/png,image/jpeg"
              className="visually-hidden"
              onChange={choose}
              disabled={upload.busy}
              aria-label="Logo file (PNG or JPEG, at most 512 KB)"
            />
          </label>
          {present && (
            <button type="button" className="btn" disabled={remove.busy} onClick={() => void remove.run()}>
              Remove logo
            </button>
          )}
          <span className="muted">PNG or JPEG, at most {MAX_LOGO_KB} KB.</span>
        </div>
      )}
      {tooLarge && (
        <p className="alert alert-error" role="alert">
          {tooLarge}
        </p>
      )}
      <ActionError error={upload.error ?? remove.error} />
    </div>
  );
}
