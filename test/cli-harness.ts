import { spawn } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CwFake, startConnectwiseFake } from "./fakes/connectwise.ts";
import { type HuntressFake, startHuntressFake } from "./fakes/huntress.ts";
import { type NinjaFake, startNinjaFake } from "./fakes/ninjaone.ts";
import type { FakePsaSeed } from "./fakes/psa.ts";
import { startSentinelOneFake } from "./fakes/sentinelone.ts";
import type { FakeServer } from "./fakes/server.ts";
import { repoRoot } from "./fixtures.ts";
import { NOW } from "./sync-harness.ts";

// What the pull, sync, secret and schedule tests share: an MSP whose devices come from NinjaOne,
// whose EDR and MDR agents come from Huntress and SentinelOne and whose billing comes from
// ConnectWise, every one a fake server with secrets of distinctive values; the real binary run as a
// child process; and a proxy in front of a fake that slows requests down, counts them, and can kill
// the child at a chosen request.

/** Every secret the fakes accept: none may ever appear in output, logs or exports. */
export const SECRETS = {
  TRUEUP_CONN_T_NINJA_ID: "ninja-id-Qz7wLEAK01",
  TRUEUP_CONN_T_NINJA_SECRET: "ninja-secret-Kp4vLEAK02",
  TRUEUP_CONN_T_HUNT_KEY: "hunt-key-Xr8mLEAK03",
  TRUEUP_CONN_T_HUNT_SECRET: "hunt-secret-Bn2cLEAK04",
  TRUEUP_CONN_T_S1_TOKEN: "s1-token-Wd9fLEAK05",
  TRUEUP_CONN_T_CW_PUBLIC: "cw-pub-Ty6hLEAK06",
  TRUEUP_CONN_T_CW_PRIVATE: "cw-priv-Js3kLEAK07",
  TRUEUP_CONN_T_CW_CLIENT: "cw-client-Lm5nLEAK08",
} as const;

const day = (d: number) => 1793400000 - d * 86400; // epoch seconds, a day or more before 2026-11-01

const PSA: FakePsaSeed = {
  companies: [
    { id: "101", name: "Acme" },
    { id: "102", name: "Beta" },
  ],
  agreements: [
    { id: "501", company: "101", name: "Acme managed", active: true },
    { id: "502", company: "102", name: "Beta managed", active: true },
  ],
  lines: (
    [
      ["9001", "501", "EDR", 2, "9.00"],
      ["9002", "501", "MDR", 3, "6.00"],
      ["9003", "502", "EDR", 5, "9.00"],
    ] as const
  ).map(([id, agreement, product, quantity, unitPrice]) => ({
    id,
    agreement,
    product,
    quantity,
    unitPrice,
    startDate: "2026-01-01",
    active: true,
  })),
};

export interface PullFakes {
  ninja: NinjaFake;
  hunt: HuntressFake;
  s1: FakeServer;
  cw: CwFake;
  psa: FakePsaSeed;
  env: Record<string, string>;
  /** trueup.yaml of the MSP; `edit` replaces text in it. */
  yaml(edit?: (text: string) => string): string;
  close(): Promise<void>;
}

export async function startPullFakes(): Promise<PullFakes> {
  const devices = [1, 1, 1, 2, 2].map((org, i) => ({
    id: 10 + i,
    organizationId: org,
    nodeClass: "WINDOWS_WORKSTATION",
    approvalStatus: "APPROVED",
    systemName: `PC-${i + 1}`,
    lastContact: day(i),
    system: { serialNumber: `SN${i + 1}`, chassisType: "DESKTOP" },
  }));
  const ninja = await startNinjaFake({
    clientId: SECRETS.TRUEUP_CONN_T_NINJA_ID,
    clientSecret: SECRETS.TRUEUP_CONN_T_NINJA_SECRET,
    organizations: [
      { id: 1, name: "Acme" },
      { id: 2, name: "Beta" },
    ],
    devices,
  });
  const hunt = await startHuntressFake({
    key: SECRETS.TRUEUP_CONN_T_HUNT_KEY,
    secret: SECRETS.TRUEUP_CONN_T_HUNT_SECRET,
    organizations: [
      { id: 7, name: "Acme" },
      { id: 9, name: "Beta" },
    ],
    agents: [7, 7, 7, 9, 9].map((org, i) => ({
      id: 100 + i,
      organization_id: org,
      hostname: `PC-${i + 1}`,
      serial_number: `SN${i + 1}`,
      last_callback_at: "2026-10-30T10:00:00Z",
    })),
  });
  const s1 = await startSentinelOneFake({
    token: SECRETS.TRUEUP_CONN_T_S1_TOKEN,
    sites: [{ id: "1001", name: "Acme" }],
    agents: [1, 2, 3].map((i) => ({
      id: `s1-${i}`,
      computerName: `PC-${i}`,
      siteId: "1001",
      serialNumber: `SN${i}`,
      lastActiveDate: "2026-10-30T08:30:00Z",
      isDecommissioned: false,
      isUninstalled: false,
    })),
  });
  const cw = await startConnectwiseFake(PSA, {
    now: () => NOW,
    credentials: {
      publicKey: SECRETS.TRUEUP_CONN_T_CW_PUBLIC,
      privateKey: SECRETS.TRUEUP_CONN_T_CW_PRIVATE,
      clientId: SECRETS.TRUEUP_CONN_T_CW_CLIENT,
    },
  });
  const cwConn = cw.connection("cw");
  const text = `currency: USD
asOf: '2026-11-01'
services:
  - { id: edr, name: EDR, unit: device, cost: '4.00', price: '9.00', psaProduct: EDR, deployment: edr }
  - { id: mdr, name: MDR, unit: device, cost: '3.00', price: '6.00', psaProduct: MDR, deployment: mdr }
clients:
  - { id: acme, name: Acme, ids: { psa: '101', rmm: '1', edr: '7', mdr: '1001' }, plans: [{ service: edr }, { service: mdr }] }
  - { id: beta, name: Beta, ids: { psa: '102', rmm: '2', edr: '9' }, plans: [{ service: edr }] }
connections:
  ninja:
    kind: ninjaone
    url: ${ninja.url}
    clientIdEnv: TRUEUP_CONN_T_NINJA_ID
    clientSecretEnv: TRUEUP_CONN_T_NINJA_SECRET
  hunt:
    kind: huntress
    url: ${hunt.url}
    apiKeyEnv: TRUEUP_CONN_T_HUNT_KEY
    apiSecretEnv: TRUEUP_CONN_T_HUNT_SECRET
  s1:
    kind: sentinelone
    url: ${s1.url}
    apiTokenEnv: TRUEUP_CONN_T_S1_TOKEN
  cw:
    kind: connectwise
    url: ${cwConn.url}
    companyId: ${cwConn.settings.companyId}
    publicKeyEnv: TRUEUP_CONN_T_CW_PUBLIC
    privateKeyEnv: TRUEUP_CONN_T_CW_PRIVATE
    clientIdEnv: TRUEUP_CONN_T_CW_CLIENT
sources:
  - { kind: devices, connection: ninja }
  - { kind: deployments, connection: hunt, deployment: edr }
  - { kind: deployments, connection: s1, deployment: mdr }
  - { kind: billing, connection: cw }
`;
  return {
    ninja,
    hunt,
    s1,
    cw,
    psa: PSA,
    env: { ...SECRETS },
    yaml: (edit) => (edit ? edit(text) : text),
    async close() {
      await Promise.all([ninja.close(), hunt.close(), s1.close(), cw.close()]);
    },
  };
}

/** A temp workspace holding `yaml` as trueup.yaml. */
export async function writeWorkspace(yaml: string, dir?: string): Promise<string> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), "trueup-pull-")));
  await mkdir(root, { recursive: true });
  await writeFile(join(root, "trueup.yaml"), yaml);
  return root;
}

export interface BinaryRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment of a child: this process's, without any database, plus `env`. */
export function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: undefined, TRUEUP_DATA: undefined, ...env };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * Runs `node bin/trueup.js ARGS` as a child process. `onSpawn` gets its pid (to kill it); the
 * promise resolves when it exits, however it exits.
 */
export function runBinary(
  args: string[],
  env: Record<string, string | undefined>,
  onSpawn?: (kill: () => void) => void,
): Promise<BinaryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "bin", "trueup.js"), ...args], {
      env: childEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(() => child.kill("SIGKILL"));
  });
}

export interface DelayProxy {
  url: string;
  /** Requests seen so far, and the most that were in flight at once. */
  seen: number;
  maxInFlight: number;
  /** Per-request delay in ms (a function so that it can be random). */
  delay: () => number;
  /**
   * Called with each request's number before it goes on; `before` stops it here, `after` lets the
   * fake process it and then loses its answer. The hook decides what to do (kill the client).
   */
  onRequest?: (n: number) => Promise<"before" | "after" | undefined> | "before" | "after" | undefined;
  onLost?: () => Promise<void> | void;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of `target` that delays every request, counts them, and rewrites the
 * target's address to its own in answers (Link headers and next-page URLs keep pointing at it).
 */
export async function startProxy(target: string): Promise<DelayProxy> {
  const to = new URL(target);
  let inFlight = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        proxy.seen += 1;
        inFlight += 1;
        proxy.maxInFlight = Math.max(proxy.maxInFlight, inFlight);
        try {
          const what = await proxy.onRequest?.(proxy.seen);
          await new Promise((r) => setTimeout(r, proxy.delay()));
          if (what === "before") {
            await proxy.onLost?.();
            req.socket.destroy();
            return;
          }
          const headers = { ...req.headers, host: to.host };
          const answer = await new Promise<{ status: number; headers: Record<string, string>; body: string }>(
            (resolve, reject) => {
              const out = httpRequest(
                { host: to.hostname, port: to.port, method: req.method, path: req.url, headers },
                (r) => {
                  const parts: Buffer[] = [];
                  r.on("data", (c: Buffer) => parts.push(c));
                  r.on("end", () => {
                    const h: Record<string, string> = {};
                    for (const [k, v] of Object.entries(r.headers))
                      if (v !== undefined && k !== "content-length" && k !== "transfer-encoding")
                        h[k] = Array.isArray(v) ? v.join(", ") : v;
                    resolve({
                      status: r.statusCode ?? 502,
                      headers: h,
                      body: Buffer.concat(parts).toString(),
                    });
                  });
                },
              );
              out.on("error", reject);
              out.end(Buffer.concat(chunks));
            },
          );
          if (what === "after") {
            await proxy.onLost?.();
            req.socket.destroy();
            return;
          }
          const swap = (s: string) => s.split(to.origin).join(proxy.url);
          for (const k of Object.keys(answer.headers)) answer.headers[k] = swap(answer.headers[k] ?? "");
          res.writeHead(answer.status, answer.headers);
          res.end(swap(answer.body));
        } catch {
          req.socket.destroy();
        } finally {
          inFlight -= 1;
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const proxy: DelayProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen: 0,
    maxInFlight: 0,
    delay: () => 0,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return proxy;
}
