import { describe, expect, it } from "vitest";
import { bundle, bundlePlan, clientOf, findingsOf, run, type Spec, summary, user } from "./testing.ts";
import type { Rules, UserRow } from "./types.ts";

// Spec 4.1, users: who counts. A per-user bundle plan with no filter takes every billable user, and
// with a billing source but no PSA line its UNDER_BILLED evidence lists exactly those users.

function report(users: UserRow[], rules: Partial<Rules> = {}, extra: Partial<Spec> = {}) {
  return run({
    bundles: [bundle("gold")],
    plans: [bundlePlan("gold")],
    users,
    rules,
    sources: { billing: true },
    ...extra,
  });
}

function billable(users: UserRow[], rules: Partial<Rules> = {}): string[] {
  const r = report(users, rules);
  const evidence = findingsOf(r, "UNDER_BILLED")[0]?.evidence ?? [];
  expect(clientOf(r).counts.billableUsers).toBe(evidence.length);
  return evidence;
}

describe("billable users (4.1)", () => {
  it("an enabled member holding a licence is billable", () => {
    expect(billable([user("ann@acme.com")])).toEqual(["ann@acme.com"]);
  });

  it("a disabled user is not billable", () => {
    expect(billable([user("ann@acme.com"), user("ned@acme.com", { enabled: false })])).toEqual([
      "ann@acme.com",
    ]);
  });

  it("a guest is not billable, even when enabled and licensed", () => {
    expect(billable([user("ann@acme.com"), user("gus@partner.com", { guest: true })])).toEqual([
      "ann@acme.com",
    ]);
  });

  it("a UPN matching an excludeUsers glob such as svc-* is not billable", () => {
    const users = [user("ann@acme.com"), user("svc-backup@acme.com"), user("svc-scan@acme.com")];
    expect(billable(users, { excludeUsers: ["svc-*"] })).toEqual(["ann@acme.com"]);
  });

  it("the *@*.onmicrosoft.com glob excludes tenant admin accounts only", () => {
    const users = [user("admin@acme.onmicrosoft.com"), user("ann@acme.com"), user("bob@onmicrosoft.com")];
    expect(billable(users, { excludeUsers: ["svc-*", "*@*.onmicrosoft.com"] })).toEqual([
      "ann@acme.com",
      "bob@onmicrosoft.com",
    ]);
  });

  it("excludeUsers globs match without regard to case, both ways", () => {
    const users = [user("SVC-Backup@Acme.com"), user("Admin@ACME.OnMicrosoft.com"), user("ann@acme.com")];
    expect(billable(users, { excludeUsers: ["svc-*", "*@*.onmicrosoft.com"] })).toEqual(["ann@acme.com"]);
    expect(
      billable([user("svc-backup@acme.com"), user("ann@acme.com")], { excludeUsers: ["SVC-*"] }),
    ).toEqual(["ann@acme.com"]);
  });

  it("a glob must match the whole UPN, not a part of it", () => {
    const users = [user("ann.svc-x@acme.com"), user("xsvc-1@acme.com")];
    expect(billable(users, { excludeUsers: ["svc-*"] })).toEqual(["ann.svc-x@acme.com", "xsvc-1@acme.com"]);
  });

  it("a glob's dot is a literal dot, not any character", () => {
    expect(billable([user("admin@acme-onmicrosoft-com")], { excludeUsers: ["*@*.onmicrosoft.com"] })).toEqual(
      ["admin@acme-onmicrosoft-com"],
    );
  });

  it("under requireLicence an unlicensed user is not billable", () => {
    const users = [user("ann@acme.com"), user("kiosk@acme.com", { licences: [] })];
    expect(billable(users, { requireLicence: true })).toEqual(["ann@acme.com"]);
  });

  it("under requireLicence any one licence is enough, whatever its SKU", () => {
    expect(billable([user("ann@acme.com", { licences: ["SOMETHING_ELSE"] })])).toEqual(["ann@acme.com"]);
  });

  it("without requireLicence an unlicensed enabled member is billable", () => {
    const users = [user("ann@acme.com"), user("kiosk@acme.com", { licences: [] })];
    expect(billable(users, { requireLicence: false })).toEqual(["ann@acme.com", "kiosk@acme.com"]);
  });

  it("without requireLicence disabled users, guests and excluded UPNs still do not count", () => {
    const users = [
      user("ann@acme.com", { licences: [] }),
      user("ned@acme.com", { licences: [], enabled: false }),
      user("gus@partner.com", { licences: [], guest: true }),
      user("svc-x@acme.com", { licences: [] }),
    ];
    expect(billable(users, { requireLicence: false, excludeUsers: ["svc-*"] })).toEqual(["ann@acme.com"]);
  });

  it("UPNs compare and are reported lower-case", () => {
    expect(billable([user("Ann.Smith@ACME.com")])).toEqual(["ann.smith@acme.com"]);
  });

  it("a user who is not billable is never reported as uncovered", () => {
    const r = run({
      bundles: [bundle("gold")],
      plans: [bundlePlan("gold", { licencesAny: ["SPB"] })],
      users: [
        user("kiosk@acme.com", { licences: [] }),
        user("ned@acme.com", { enabled: false, licences: ["O365"] }),
        user("gus@partner.com", { guest: true, licences: ["O365"] }),
      ],
    });
    expect(summary(r)).toEqual([]);
    expect(clientOf(r).counts.billableUsers).toBe(0);
  });

  it("counts billable users per client, each in its own client's report", () => {
    const r = run({
      clients: [
        { id: "acme", name: "Acme", ids: {}, plans: [] },
        { id: "beta", name: "Beta", ids: {}, plans: [] },
      ],
      users: [user("a@acme.com"), user("b@acme.com"), user("c@beta.com", { client: "beta" })],
    });
    expect(clientOf(r, "acme").counts.billableUsers).toBe(2);
    expect(clientOf(r, "beta").counts.billableUsers).toBe(1);
  });
});

describe("inactive users (4.1, inactiveUserDays)", () => {
  const inactive = { inactiveUserDays: 90 };

  it("a user last active more than inactiveUserDays before asOf is not billable", () => {
    const users = [
      user("ann@acme.com", { lastActive: "2026-08-03" }),
      user("ned@acme.com", { lastActive: "2026-08-02T23:59:00.000Z" }),
    ];
    // asOf 2026-11-01: 90 days after 2026-08-03, 91 after 2026-08-02.
    expect(billable(users, inactive)).toEqual(["ann@acme.com"]);
  });

  it("a user with no lastActive is not judged by it", () => {
    expect(billable([user("ann@acme.com")], inactive)).toEqual(["ann@acme.com"]);
  });

  it("without inactiveUserDays, lastActive changes nothing", () => {
    expect(billable([user("ann@acme.com", { lastActive: "2020-01-01" })])).toEqual(["ann@acme.com"]);
  });

  it("a user active after asOf is billable", () => {
    expect(billable([user("ann@acme.com", { lastActive: "2026-12-01" })], inactive)).toEqual([
      "ann@acme.com",
    ]);
  });
});
