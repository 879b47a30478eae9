// Generated from the API's OpenAPI document by `npm run web-types` (src/server/web-types.ts).
// Do not edit: change the route's zod schema and run the command. test/web-types.test.ts fails
// when this file and the routes drift apart.

/** The named shapes of the API (components of the OpenAPI document). */
export interface Schemas {
  ApplyResult: {
    applied: number;
    alreadyDone: number;
    conflicts: number;
    failed: number;
    notApproved: number;
    finished: number;
  };
  AuditEntry: {
    id: number;
    at: string;
    actor: string;
    action: string;
    entity: string;
    details: Record<string, unknown>;
    /** the entry as a sentence, with client and catalogue names */
    sentence: string;
  };
  Change: {
    seq: number;
    action: "set" | "create" | "choose";
    client: string;
    clientName: string;
    account: string;
    subject: string;
    product: string;
    agreement?: string;
    agreementName?: string;
    /** the PSA line as read when planning */
    line?: {
      id: string;
      account: string;
      agreement: string;
      agreementName: string;
      product: string;
      quantity: string;
      unitPrice: string;
      startDate?: string;
      ref: Record<string, string>;
    };
    from: string;
    to: string;
    fromPrice?: string;
    toPrice?: string;
    /** two-place decimal, such as 140.00 */
    unitPrice: string;
    /** two-place decimal, such as 140.00 */
    monthlyImpact: string;
    why: string;
    candidates?: {
      id: string;
      account: string;
      name: string;
    }[];
    /** every finding the change fixes was accepted: saved approved, by the one who accepted */
    preApproved?: {
      by: string;
    };
  };
  ConnectionView: {
    name: string;
    kind: string;
    title: string;
    url?: string;
    /** cron, UTC */
    schedule: string;
    provides: string[];
    /** the source kinds that read this connection */
    sources: string[];
    psa: boolean;
    secrets: {
      name: string;
      /** unbound: a value is stored, but for another kind or address of the connection (unusable until an admin enters it again); refused: the variable is outside the operator's allowance */
      source: "stored" | "environment" | "missing" | "unbound" | "refused";
      variable?: string;
      note?: string;
    }[];
    lastPullAt?: string;
    lastSuccessAt?: string;
    counts: Record<string, number>;
    lastError?: string;
    nextPullAt?: string;
  };
  DetachedSource: {
    id: number;
    kind: string;
    format: string;
    file: string;
    connection?: string;
    lastImport?: Schemas["ImportView"];
  };
  Error: {
    error: string;
    message?: string;
    issues?: {
      path: string;
      message: string;
    }[];
  };
  FindingView: {
    runId: number;
    clientId: string;
    clientName: string;
    type: string;
    subject: string;
    expected: number | string | null;
    actual: number | string | null;
    /** two-place decimal, such as 140.00 */
    monthlyImpact: string;
    /** the first 50; GET /api/findings/evidence pages the rest */
    evidence: string[];
    /** how many items of evidence the finding has */
    evidenceTotal: number;
    /** the catalogue name of a bundle:… or service:… subject */
    subjectName?: string;
    /** what the finding means in one sentence, as the CLI table prints it */
    why: string;
    /** client|type|subject: the same finding across runs */
    key: string;
    status: "open" | "accepted" | "dismissed";
    reason?: string;
    decidedBy?: string;
    /** a dismissal that holds until this date (YYYY-MM-DD): from that day on it is open again */
    until?: string;
  };
  ImportPreview: {
    header: string[];
    rows: string[][];
    rowCount: number;
    issues: Schemas["Issue"][];
  };
  ImportView: {
    id: number;
    sourceId: number;
    fileName: string;
    format: string;
    rowCount: number;
    importedBy: string;
    importedAt: string;
  };
  Issue: {
    severity: "error" | "warning";
    file: string;
    line?: number;
    column?: number;
    field?: string;
    message: string;
  };
  LeftAsAgreed: {
    client: string;
    clientName: string;
    account: string;
    type: string;
    subject: string;
    product: string;
    lineId?: string;
    expected: number | string | null;
    actual: number | string | null;
    /** the finding's monthly impact, left as it is */
    monthlyImpact: string;
    reason: string;
    decidedBy: string;
    until?: string;
  };
  Mapping:
    | {
        kind: "account";
        system: string;
        value: string;
        clientId: string;
      }
    | {
        kind: "former";
        system: string;
        value: string;
        /** a client in the catalogue, or the id of a new one */
        clientId: string;
        /** the new client's name (a new client only) */
        name?: string;
        /** from this date on the client is owed nothing (spec 4.6) */
        ended: string;
      }
    | {
        kind: "sku";
        system: string;
        value: string;
        serviceId: string;
      }
    | {
        kind: "product";
        value: string;
        target: {
          kind: "bundle" | "service";
          id: string;
        };
      }
    | {
        kind: "ignore";
        item: "account" | "sku" | "product";
        system: string;
        value: string;
      };
  Margin: {
    asOf: string;
    currency: string;
    /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
    targetMargin: string | null;
    totals: {
      /** two-place decimal, such as 140.00 */
      revenue: string;
      /** two-place decimal, such as 140.00 */
      cost: string;
      /** two-place decimal, such as 140.00 */
      margin: string;
      /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
      marginPct: string | null;
    };
    belowTarget: {
      kind: "client" | "bundle" | "client-bundle";
      client?: string;
      bundle?: string;
      name: string;
      /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
      marginPct: string | null;
      /** two-place decimal, such as 140.00 */
      shortfall: string;
    }[];
    bundles: {
      bundle: string;
      name: string;
      units: number;
      clients: number;
      /** two-place decimal, such as 140.00 */
      revenue: string;
      /** two-place decimal, such as 140.00 */
      cost: string;
      /** two-place decimal, such as 140.00 */
      margin: string;
      /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
      marginPct: string | null;
      belowTarget: boolean;
    }[];
    clients: {
      id: string;
      name: string;
      former: boolean;
      /** two-place decimal, such as 140.00 */
      revenue: string;
      /** two-place decimal, such as 140.00 */
      cost: string;
      /** two-place decimal, such as 140.00 */
      margin: string;
      /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
      marginPct: string | null;
      belowTarget: boolean;
      subjects: {
        subject: string;
        name: string;
        billed: number;
        units: number;
        /** two-place decimal, such as 140.00 */
        revenue: string;
        /** two-place decimal, such as 140.00 */
        cost: string;
        /** two-place decimal, such as 140.00 */
        margin: string;
        /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
        marginPct: string | null;
        perUnit: {
          /** two-place decimal, such as 140.00 */
          revenue: string;
          /** two-place decimal, such as 140.00 */
          cost: string;
          /** two-place decimal, such as 140.00 */
          margin: string;
        } | null;
        components: {
          service: string;
          quantity: number;
          /** two-place decimal, such as 140.00 */
          cost: string;
        }[];
        belowTarget: boolean;
      }[];
      services: {
        service: string;
        name: string;
        required: number;
        purchased: number | null;
        basis: "distributor" | "catalogue" | "client-paid";
        /** two-place decimal, such as 140.00 */
        cost: string;
        /** two-place decimal, such as 140.00 */
        unallocated: string;
      }[];
      unmapped: {
        kind: "billing" | "licence";
        subject: string;
        ref: string;
        /** two-place decimal, such as 140.00 */
        money: string;
      }[];
    }[];
    unmapped: {
      /** two-place decimal, such as 140.00 */
      revenue: string;
      /** two-place decimal, such as 140.00 */
      cost: string;
      rows: {
        kind: "billing" | "licence";
        subject: string;
        ref: string;
        /** two-place decimal, such as 140.00 */
        money: string;
      }[];
    };
  };
  PullOutcome: {
    connection: string;
    ok: boolean;
    counts: Record<string, number>;
    error?: string;
    runId?: number;
  };
  /** the reconciliation report (spec section 6) */
  Report: {
    asOf: string;
    currency: string;
    totals: Record<string, unknown>;
    clients: {
      id: string;
      name: string;
      [key: string]: unknown;
    }[];
    [key: string]: unknown;
  };
  RunDiff: {
    from: number;
    to: number;
    appeared: Schemas["FindingView"][];
    fixed: Schemas["FindingView"][];
    changed: {
      before: Schemas["FindingView"];
      after: Schemas["FindingView"];
    }[];
  };
  RunView: {
    id: number;
    asOf: string;
    createdAt: string;
    createdBy: string;
    totals: Record<string, string | number>;
  };
  SourceView: {
    id: number;
    kind: string;
    format: string;
    file: string;
    vendor?: string;
    deployment?: string;
    client?: string;
    lastImport?: Schemas["ImportView"];
  };
  SyncChangeView: {
    seq: number;
    change: Schemas["Change"];
    decision: "pending" | "approved" | "rejected";
    decidedBy?: string;
    decidedAt?: string;
    state: "planned" | "applying" | "applied" | "conflict" | "failed";
    attempts: number;
    result?: string;
  };
  SyncEventView: {
    id: number;
    planId: number;
    connection: string;
    seq?: number;
    at: string;
    actor: string;
    kind: string;
    details: Record<string, unknown>;
  };
  SyncPlanSummary: {
    id: number;
    connection: string;
    effective: string;
    includePrices: boolean;
    createdAt: string;
    createdBy: string;
    status: "open" | "superseded";
    /** two-place decimal, such as 140.00 */
    monthlyImpact: string;
  };
  SyncPlanView: {
    id: number;
    connection: string;
    effective: string;
    includePrices: boolean;
    createdAt: string;
    createdBy: string;
    status: "open" | "superseded";
    /** two-place decimal, such as 140.00 */
    monthlyImpact: string;
    /** differences a person dismissed (figures unchanged): no change proposed for them */
    leftAsAgreed: Schemas["LeftAsAgreed"][];
    changes: Schemas["SyncChangeView"][];
  };
  UnmappedItem: {
    kind: "account" | "sku" | "product";
    system: string;
    value: string;
    evidence: string[];
    /** the money on its rows a month, unreconciled while it is unmapped */
    monthly: string;
    /** the rows behind it, most money first */
    rows: {
      /** file:line */
      ref: string;
      kind: "billing" | "licences" | "users" | "devices" | "deployments";
      account?: string;
      agreement?: string;
      product?: string;
      sku?: string;
      vendor?: string;
      /** a user's UPN or a device's hostname */
      name?: string;
      quantity?: number;
      unitPrice?: string;
      unitCost?: string;
      /** two-place decimal, such as 140.00 */
      monthly: string;
    }[];
  };
  UserView: {
    id: number;
    email: string;
    role: "admin" | "billing" | "viewer";
    createdAt: string;
  };
  WhatIf: {
    currency: string;
    total: {
      before: {
        /** two-place decimal, such as 140.00 */
        revenue: string;
        /** two-place decimal, such as 140.00 */
        cost: string;
        /** two-place decimal, such as 140.00 */
        margin: string;
        /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
        marginPct: string | null;
      };
      after: {
        /** two-place decimal, such as 140.00 */
        revenue: string;
        /** two-place decimal, such as 140.00 */
        cost: string;
        /** two-place decimal, such as 140.00 */
        margin: string;
        /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
        marginPct: string | null;
      };
    };
    clients: {
      id: string;
      name: string;
      before: {
        /** two-place decimal, such as 140.00 */
        revenue: string;
        /** two-place decimal, such as 140.00 */
        cost: string;
        /** two-place decimal, such as 140.00 */
        margin: string;
        /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
        marginPct: string | null;
      };
      after: {
        /** two-place decimal, such as 140.00 */
        revenue: string;
        /** two-place decimal, such as 140.00 */
        cost: string;
        /** two-place decimal, such as 140.00 */
        margin: string;
        /** margin as a percentage of revenue, one decimal (75.9); null without revenue */
        marginPct: string | null;
      };
    }[];
    lines: {
      client: string;
      clientName: string;
      subject: string;
      product: string;
      /** the PSA line's source row; null for a line the change creates */
      line: string | null;
      from: {
        quantity: number;
        unitPrice: string;
      };
      to: {
        quantity: number;
        unitPrice: string;
      };
      /** two-place decimal, such as 140.00 */
      monthly: string;
    }[];
  };
}

/** What each route answers on success, by `METHOD /path`. */
export interface Answers {
  "GET /api/audit": {
    items: Schemas["AuditEntry"][];
    total: number;
    limit: number;
    offset: number;
  };
  "POST /api/auth/login": {
    user: Schemas["UserView"];
    csrf: string;
    /** true until an account created with a one-time password has chosen its own */
    mustChangePassword: boolean;
    /** the workspace's currency (trueup.yaml `currency`): every amount is in it */
    currency: string;
  };
  "GET /api/auth/me": {
    user: Schemas["UserView"];
    csrf: string;
    /** true until an account created with a one-time password has chosen its own */
    mustChangePassword: boolean;
    /** the workspace's currency (trueup.yaml `currency`): every amount is in it */
    currency: string;
  };
  "GET /api/catalogue": {
    yaml: string;
    services: Record<string, unknown>[];
    bundles: Record<string, unknown>[];
    clients: Record<string, unknown>[];
  };
  "PUT /api/catalogue": {
    issues: Schemas["Issue"][];
  };
  "POST /api/catalogue/check": {
    issues: Schemas["Issue"][];
    detached: Schemas["DetachedSource"][];
  };
  "GET /api/changes": {
    runId: number | null;
    /** the last run of the latest earlier month; null: none */
    sinceRunId: number | null;
    since: string | null;
    asOf: string | null;
    currency: string;
    thresholds: {
      /** two-place decimal, such as 140.00 */
      amount: string;
      percent: string;
    };
    alerts: {
      clientId: string;
      clientName: string;
      subject: string;
      subjectName: string;
      figure: "required" | "billed" | "purchased" | "deployed";
      before: number;
      after: number;
      delta: number;
      /** delta / before x 100, one decimal; null when before is 0 */
      percent: string | null;
      /** two-place decimal, such as 140.00 */
      money: string;
      alert: boolean;
      client: "both" | "new" | "gone";
      text: string;
    }[];
    /** every figure that moved: alerts first, then by money */
    changes: {
      clientId: string;
      clientName: string;
      subject: string;
      subjectName: string;
      figure: "required" | "billed" | "purchased" | "deployed";
      before: number;
      after: number;
      delta: number;
      /** delta / before x 100, one decimal; null when before is 0 */
      percent: string | null;
      /** two-place decimal, such as 140.00 */
      money: string;
      alert: boolean;
      client: "both" | "new" | "gone";
      text: string;
    }[];
  };
  "GET /api/clients": {
    items: {
      id: string;
      name: string;
      counts: {
        billableUsers: number;
        currentDevices: number;
        staleDevices: number;
      };
      /** two-place decimal, such as 140.00 */
      underBilled: string;
      /** two-place decimal, such as 140.00 */
      overBilled: string;
      /** two-place decimal, such as 140.00 */
      licenceWaste: string;
      /** two-place decimal, such as 140.00 */
      licenceShortfall: string;
      split: {
        /** of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH) */
        underBilled: {
          /** two-place decimal, such as 140.00 */
          quantity: string;
          /** two-place decimal, such as 140.00 */
          price: string;
        };
        /** of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH) */
        overBilled: {
          /** two-place decimal, such as 140.00 */
          quantity: string;
          /** two-place decimal, such as 140.00 */
          price: string;
        };
      };
      /** under-billed + licence waste − over-billed − licence shortfall: what fixing every finding gains a month */
      net: string;
      /** the net times 12 */
      annual: string;
      /** two-place decimal, such as 140.00 */
      impact: string;
      findings: number;
      coverageGaps: number;
      /** findings people dismissed: out of the totals beside it, their monthly impact and number */
      dismissed: {
        /** two-place decimal, such as 140.00 */
        impact: string;
        findings: number;
      };
    }[];
    total: number;
    limit: number;
    offset: number;
  };
  "GET /api/clients/{id}": {
    id: string;
    name: string;
    counts: {
      billableUsers: number;
      currentDevices: number;
      staleDevices: number;
    };
    /** two-place decimal, such as 140.00 */
    underBilled: string;
    /** two-place decimal, such as 140.00 */
    overBilled: string;
    /** two-place decimal, such as 140.00 */
    licenceWaste: string;
    /** two-place decimal, such as 140.00 */
    licenceShortfall: string;
    split: {
      /** of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH) */
      underBilled: {
        /** two-place decimal, such as 140.00 */
        quantity: string;
        /** two-place decimal, such as 140.00 */
        price: string;
      };
      /** of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH) */
      overBilled: {
        /** two-place decimal, such as 140.00 */
        quantity: string;
        /** two-place decimal, such as 140.00 */
        price: string;
      };
    };
    /** under-billed + licence waste − over-billed − licence shortfall: what fixing every finding gains a month */
    net: string;
    /** the net times 12 */
    annual: string;
    /** two-place decimal, such as 140.00 */
    impact: string;
    findings: Schemas["FindingView"][];
    coverageGaps: number;
    /** findings people dismissed: out of the totals beside it, their monthly impact and number */
    dismissed: {
      /** two-place decimal, such as 140.00 */
      impact: string;
      findings: number;
    };
    /** as in trueup.yaml */
    plans: Record<string, unknown>[];
    lines: {
      subject: string;
      name: string;
      required: number | null;
      billed: number | null;
      purchased: number | null;
      deployed: number | null;
      price: string | null;
    }[];
    users: {
      upn: string;
      plan: string | null;
    }[];
    devices: {
      hostname: string;
      type: string;
      lastSeen: string;
      current: boolean;
      plan: string | null;
      deployments: Record<string, boolean>;
      /** the deployments its plan includes: only these can be missing on it */
      inPlan: string[];
    }[];
  };
  "GET /api/clients/{id}/statement-links": {
    id: number;
    clientId: string;
    month: string;
    createdBy: string;
    createdAt: string;
    expiresAt: string;
    revokedAt: string | null;
    acknowledgedAt: string | null;
    acknowledgedBy: string | null;
    views: number;
  }[];
  "POST /api/clients/{id}/statement-links": {
    link: {
      id: number;
      clientId: string;
      month: string;
      createdBy: string;
      createdAt: string;
      expiresAt: string;
      revokedAt: string | null;
      acknowledgedAt: string | null;
      acknowledgedBy: string | null;
      views: number;
    };
    url: string;
  };
  "GET /api/connections": Schemas["ConnectionView"][];
  "POST /api/connections/{name}/pull": Schemas["PullOutcome"];
  "GET /api/dashboard": {
    run: Schemas["RunView"] | null;
    /** open totals of the latest run: dismissed findings are left out, in `dismissed` */
    totals: {
      /** two-place decimal, such as 140.00 */
      underBilled: string;
      /** two-place decimal, such as 140.00 */
      overBilled: string;
      /** two-place decimal, such as 140.00 */
      licenceWaste: string;
      /** two-place decimal, such as 140.00 */
      licenceShortfall: string;
      split: {
        /** of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH) */
        underBilled: {
          /** two-place decimal, such as 140.00 */
          quantity: string;
          /** two-place decimal, such as 140.00 */
          price: string;
        };
        /** of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH) */
        overBilled: {
          /** two-place decimal, such as 140.00 */
          quantity: string;
          /** two-place decimal, such as 140.00 */
          price: string;
        };
      };
      /** under-billed + licence waste − over-billed − licence shortfall: what fixing every finding gains a month */
      net: string;
      /** the net times 12 */
      annual: string;
      /** two-place decimal, such as 140.00 */
      unmapped: string;
      coverageGaps: number;
      findings: number;
      /** findings people dismissed: out of the totals beside it, their monthly impact and number */
      dismissed: {
        /** two-place decimal, such as 140.00 */
        impact: string;
        findings: number;
      };
    };
    byClient: {
      clientId: string;
      name: string;
      /** two-place decimal, such as 140.00 */
      underBilled: string;
      /** two-place decimal, such as 140.00 */
      overBilled: string;
      /** two-place decimal, such as 140.00 */
      licenceWaste: string;
      /** two-place decimal, such as 140.00 */
      licenceShortfall: string;
      split: {
        /** of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH) */
        underBilled: {
          /** two-place decimal, such as 140.00 */
          quantity: string;
          /** two-place decimal, such as 140.00 */
          price: string;
        };
        /** of a total: billed in the wrong quantity, and at the wrong price (PRICE_MISMATCH) */
        overBilled: {
          /** two-place decimal, such as 140.00 */
          quantity: string;
          /** two-place decimal, such as 140.00 */
          price: string;
        };
      };
      /** under-billed + licence waste − over-billed − licence shortfall: what fixing every finding gains a month */
      net: string;
      /** the net times 12 */
      annual: string;
      /** two-place decimal, such as 140.00 */
      impact: string;
      /** findings people dismissed: out of the totals beside it, their monthly impact and number */
      dismissed: {
        /** two-place decimal, such as 140.00 */
        impact: string;
        findings: number;
      };
    }[];
    byType: {
      type: string;
      count: number;
      /** two-place decimal, such as 140.00 */
      impact: string;
    }[];
    /** by month, oldest first: the latest run of each month (by as-of date) */
    trend: {
      /** YYYY-MM of the run's as-of date */
      month: string;
      runId: number;
      asOf: string;
      createdAt: string;
      /** two-place decimal, such as 140.00 */
      underBilled: string;
      /** two-place decimal, such as 140.00 */
      overBilled: string;
      /** two-place decimal, such as 140.00 */
      licenceWaste: string;
      /** two-place decimal, such as 140.00 */
      licenceShortfall: string;
      coverageGaps: number;
    }[];
  };
  "GET /api/findings": {
    items: Schemas["FindingView"][];
    total: number;
    limit: number;
    offset: number;
  };
  "GET /api/findings/evidence": {
    items: string[];
    total: number;
    limit: number;
    offset: number;
  };
  "GET /api/findings/totals": {
    open: {
      /** two-place decimal, such as 140.00 */
      impact: string;
      findings: number;
    };
    accepted: {
      /** two-place decimal, such as 140.00 */
      impact: string;
      findings: number;
    };
    dismissed: {
      /** two-place decimal, such as 140.00 */
      impact: string;
      findings: number;
    };
  };
  "GET /api/imports": {
    items: Schemas["ImportView"][];
    total: number;
    limit: number;
    offset: number;
  };
  "POST /api/imports": {
    import: Schemas["ImportView"];
  };
  "POST /api/imports/file": {
    import: Schemas["ImportView"];
  };
  "POST /api/imports/file/preview": Schemas["ImportPreview"];
  "POST /api/imports/preview": Schemas["ImportPreview"];
  "GET /api/mappings": {
    items: Schemas["UnmappedItem"][];
    clients: {
      id: string;
      name: string;
    }[];
    services: {
      id: string;
      name: string;
    }[];
    bundles: {
      id: string;
      name: string;
    }[];
  };
  "POST /api/mappings": {
    issues: Schemas["Issue"][];
  };
  "GET /api/margin": Schemas["Margin"];
  "POST /api/margin/whatif": Schemas["WhatIf"];
  "POST /api/pricing/apply": {
    applied: string[];
    plan: {
      asOf: string;
      windowDays: number;
      currency: string;
      due: {
        client: string;
        clientName: string;
        contractStart: string;
        anniversary: string;
        percent: string;
        cap?: string;
        capAmount?: string;
        appliedPercent: string;
        rises: {
          plan: number;
          subject: string;
          name: string;
          oldPrice: string;
          newPrice: string;
          increase: string;
          quantity: number;
          monthlyEffect: string;
          from: string;
        }[];
        excluded: {
          subject: string;
          name: string;
          price: string;
        }[];
        monthlyEffect: string;
      }[];
      later: {
        client: string;
        clientName: string;
        anniversary: string;
        applied: boolean;
      }[];
      monthlyEffect: string;
    };
    runId?: number;
  };
  "GET /api/pricing/plan": {
    asOf: string;
    windowDays: number;
    currency: string;
    due: {
      client: string;
      clientName: string;
      contractStart: string;
      anniversary: string;
      percent: string;
      cap?: string;
      capAmount?: string;
      appliedPercent: string;
      rises: {
        plan: number;
        subject: string;
        name: string;
        oldPrice: string;
        newPrice: string;
        increase: string;
        quantity: number;
        monthlyEffect: string;
        from: string;
      }[];
      excluded: {
        subject: string;
        name: string;
        price: string;
      }[];
      monthlyEffect: string;
    }[];
    later: {
      client: string;
      clientName: string;
      anniversary: string;
      applied: boolean;
    }[];
    monthlyEffect: string;
  };
  "GET /api/renewals": {
    runId: number | null;
    asOf: string | null;
    currency: string;
    horizons: {
      days: number;
      count: number;
      /** two-place decimal, such as 140.00 */
      savingPerMonth: string;
    }[];
    /** every licence surplus, soonest window first; no date known last */
    windows: {
      clientId: string;
      clientName: string;
      subject: string;
      serviceName: string;
      required: number;
      purchased: number;
      surplus: number;
      /** two-place decimal, such as 140.00 */
      savingPerMonth: string;
      status: "upcoming" | "passed" | "noTerm";
      opensOn?: string;
      days?: number;
      endedOn?: string;
      termMonths?: number;
    }[];
  };
  "GET /api/runs": {
    items: Schemas["RunView"][];
    total: number;
    limit: number;
    offset: number;
  };
  "POST /api/runs": Schemas["RunView"];
  "GET /api/runs/{id}": {
    run: Schemas["RunView"];
    report: Schemas["Report"];
  };
  "GET /api/runs/diff": Schemas["RunDiff"];
  "GET /api/sources": Schemas["SourceView"][];
  "GET /api/sync/history": {
    items: Schemas["SyncEventView"][];
    total: number;
    limit: number;
    offset: number;
  };
  "GET /api/sync/plans": {
    items: Schemas["SyncPlanSummary"][];
    total: number;
    limit: number;
    offset: number;
  };
  "POST /api/sync/plans": Schemas["SyncPlanView"];
  "GET /api/sync/plans/{id}": Schemas["SyncPlanView"];
  "POST /api/sync/plans/{id}/apply": Schemas["ApplyResult"];
  "POST /api/sync/sandbox/{name}/reset": {
    connection: string;
    reset: number;
    removed: number;
    runId?: number;
  };
  "GET /api/users": Schemas["UserView"][];
  "POST /api/users": {
    user: Schemas["UserView"];
    password: string;
  };
}

/** The JSON body each route takes. */
export interface Bodies {
  "POST /api/auth/login": {
    email: string;
    password: string;
    [key: string]: unknown;
  };
  "POST /api/auth/password": {
    current: string;
    /** at least 12 characters; neither the current password nor the account's email */
    next: string;
    [key: string]: unknown;
  };
  "PUT /api/catalogue": {
    yaml: string;
    [key: string]: unknown;
  };
  "POST /api/catalogue/check": {
    yaml: string;
    [key: string]: unknown;
  };
  "POST /api/clients/{id}/statement-links": {
    month?: string;
    days?: number;
    [key: string]: unknown;
  };
  "PUT /api/connections/{name}/secrets/{secret}": {
    value: string;
    [key: string]: unknown;
  };
  "POST /api/findings/decision": {
    key: string;
    status: "open" | "accepted" | "dismissed";
    reason?: string;
    /** a dismissal only: it holds until this date, then the finding is open again */
    until?: string;
    [key: string]: unknown;
  };
  "POST /api/imports": {
    sourceId: number;
    fileName: string;
    /** the file's text */
    content: string;
    [key: string]: unknown;
  };
  "POST /api/imports/preview": {
    sourceId: number;
    fileName: string;
    /** the file's text */
    content: string;
    [key: string]: unknown;
  };
  "POST /api/mappings": Schemas["Mapping"];
  "POST /api/margin/whatif": {
    yaml: string;
    [key: string]: unknown;
  };
  "POST /api/pricing/apply": {
    /** default: the workspace's asOf, else today */
    asOf?: string;
    /** days ahead; default 60 */
    window?: number;
    [key: string]: unknown;
  };
  "POST /api/runs": {
    /** YYYY-MM-DD */
    asOf?: string;
    [key: string]: unknown;
  };
  "PUT /api/settings/mail": {
    host: string;
    port: number;
    secure: boolean;
    user?: string;
    from: string;
    password?: string;
    [key: string]: unknown;
  };
  "PUT /api/settings/msp": {
    name: string;
    address: string[];
    logo?: string;
    paper: "A4" | "Letter";
    [key: string]: unknown;
  };
  "PUT /api/settings/msp/logo": {
    logo: string;
    [key: string]: unknown;
  };
  "POST /api/statement-links/{id}/send": {
    to: string;
    url: string;
    [key: string]: unknown;
  };
  "POST /api/sync/plans": {
    connection: string;
    /** default: the first day of next month */
    effective?: string;
    includePrices?: boolean;
    [key: string]: unknown;
  };
  "POST /api/sync/plans/{id}/decisions": {
    seqs: number[] | "all";
    decision: "approved" | "rejected" | "pending";
    [key: string]: unknown;
  };
  "POST /api/users": {
    email: string;
    role: "admin" | "billing" | "viewer";
    [key: string]: unknown;
  };
  "PATCH /api/users/{id}": {
    role: "admin" | "billing" | "viewer";
    [key: string]: unknown;
  };
}

/** The query each route reads. */
export interface Queries {
  "GET /api/audit": {
    limit?: number;
    offset?: number;
  };
  "GET /api/clients": {
    limit?: number;
    offset?: number;
  };
  "GET /api/clients/{id}/evidence": {
    format?: "pdf" | "csv";
  };
  "GET /api/clients/{id}/statement": {
    month?: string;
    format?: "html" | "pdf" | "csv" | "json";
  };
  "GET /api/findings": {
    limit?: number;
    offset?: number;
    /** default: the latest run */
    runId?: number;
    clientId?: string;
    type?: string;
    status?: "open" | "accepted" | "dismissed";
    /** words that must all appear in the client, the subject (id or name) or the evidence */
    q?: string;
    /** only the findings that count towards this total of the dashboard */
    total?: "underBilled" | "overBilled" | "licenceWaste" | "licenceShortfall" | "unmapped";
    /** default: the report's order */
    sort?: "impact" | "client" | "type" | "subject" | "expected" | "actual" | "evidence" | "status";
    /** default: largest first for impact, else A to Z */
    order?: "asc" | "desc";
  };
  "GET /api/findings.csv": {
    /** default: the latest run */
    runId?: number;
    clientId?: string;
    type?: string;
    status?: "open" | "accepted" | "dismissed";
    /** words that must all appear in the client, the subject (id or name) or the evidence */
    q?: string;
    /** only the findings that count towards this total of the dashboard */
    total?: "underBilled" | "overBilled" | "licenceWaste" | "licenceShortfall" | "unmapped";
    /** default: the report's order */
    sort?: "impact" | "client" | "type" | "subject" | "expected" | "actual" | "evidence" | "status";
    /** default: largest first for impact, else A to Z */
    order?: "asc" | "desc";
  };
  "GET /api/findings/evidence": {
    /** default: the latest run */
    runId?: number;
    key: string;
    /** which finding of the key (PRICE_MISMATCH: one per PSA line) */
    n?: number;
    limit?: number;
    offset?: number;
  };
  "GET /api/findings/totals": {
    /** default: the latest run */
    runId?: number;
    clientId?: string;
    type?: string;
    /** words that must all appear in the client, the subject (id or name) or the evidence */
    q?: string;
    /** only the findings that count towards this total of the dashboard */
    total?: "underBilled" | "overBilled" | "licenceWaste" | "licenceShortfall" | "unmapped";
  };
  "GET /api/imports": {
    limit?: number;
    offset?: number;
  };
  "POST /api/imports/file": {
    sourceId: number;
    fileName: string;
  };
  "POST /api/imports/file/preview": {
    sourceId: number;
    fileName: string;
  };
  "GET /api/pricing/letters/{clientId}": {
    /** default: the workspace's asOf, else today */
    asOf?: string;
    /** days ahead; default 60 */
    window?: number;
    /** default html */
    format?: "html" | "pdf";
  };
  "GET /api/pricing/plan": {
    /** default: the workspace's asOf, else today */
    asOf?: string;
    /** days ahead; default 60 */
    window?: number;
  };
  "GET /api/renewals": {
    /** default: the run's asOf */
    asOf?: string;
  };
  "GET /api/reports/breakdown": {
    groupBy?: "service" | "bundle" | "client";
    /** comma-separated client ids */
    clients?: string;
    /** comma-separated service or bundle ids */
    subjects?: string;
    format?: "json" | "csv" | "xlsx";
  };
  "GET /api/runs": {
    limit?: number;
    offset?: number;
  };
  "GET /api/runs/diff": {
    from: number;
    to: number;
  };
  "GET /api/sync/history": {
    limit?: number;
    offset?: number;
    connection?: string;
    planId?: number;
  };
  "GET /api/sync/plans": {
    limit?: number;
    offset?: number;
  };
}
