import { ConnectionError } from "../errors.ts";
import type { Connection, ConnectorContext, LineTarget, NewLine, PsaLine } from "../types.ts";
import { AutotaskClient } from "./client.ts";
import type { AtNamed } from "./map.ts";
import { effectiveDate, jsonPrice, samePrice, unitChange, wholeUnits } from "./map.ts";
import { idOf } from "./read.ts";

// Writing quantities. Autotask has no "set the units to N": a quantity changes through a
// ContractServiceAdjustment (bundles: ContractServiceBundleAdjustment) carrying the signed
// difference from an effective date. It can't be read back; ContractServiceUnits show its effect.
// A retried adjustment would count twice, so every write here is sent exactly once (POST is never
// retried by HttpClient on an unclear outcome) and the sync layer reads the line before any retry.
//
// Confirmed: the adjustment fields (Swagger); an adjustment for a service not yet on the contract
// creates the ContractService (ContractServiceAdjustments entity page), which makes creating a
// line one request; PATCH of a ContractService changes only adjustedPrice and invoiceDescription
// (ContractServices entity page: "On Update(), all fields are Read-Only except...").
// Guessed: that adjustedUnitPrice on an adjustment becomes the line's price; that PATCH
// /V1.0/Contracts/{id}/ServiceBundles takes {id, adjustedPrice} like services do.

export async function writeLine(
  conn: Connection,
  ctx: ConnectorContext,
  line: PsaLine,
  current: PsaLine,
  target: LineTarget,
): Promise<void> {
  const ref = { ...current.ref, ...line.ref };
  const bundle = ref.kind === "bundle";
  const delta = unitChange(current.quantity, target.quantity);
  const price = target.unitPrice ?? current.unitPrice;
  const repriced = target.unitPrice !== undefined && !samePrice(target.unitPrice, current.unitPrice);
  const at = new AutotaskClient(conn, ctx);
  const contractID = idOf(ref.contractID ?? "", `contract of line ${line.id}`);
  if (delta === 0) {
    // A zero unitChange is never sent: a price alone is changed on the contract line itself.
    if (!repriced) return;
    const id = idOf((bundle ? ref.contractServiceBundleID : ref.contractServiceID) ?? "", `line ${line.id}`);
    const path = `/V1.0/Contracts/${contractID}/${bundle ? "ServiceBundles" : "Services"}`;
    await at.patch(path, { id, adjustedPrice: jsonPrice(price) });
    return;
  }
  const common = {
    contractID,
    unitChange: delta,
    effectiveDate: effectiveDate(target.effective),
    adjustedUnitPrice: jsonPrice(price),
  };
  if (bundle) {
    await at.create("/V1.0/ContractServiceBundleAdjustments", {
      ...common,
      contractServiceBundleID: idOf(ref.contractServiceBundleID ?? "", `line ${line.id}`),
      serviceBundleID: idOf(ref.serviceBundleID ?? "", `bundle of line ${line.id}`),
    });
    return;
  }
  await at.create("/V1.0/ContractServiceAdjustments", {
    ...common,
    contractServiceID: idOf(ref.contractServiceID ?? "", `line ${line.id}`),
    serviceID: idOf(ref.serviceID ?? "", `service of line ${line.id}`),
    ...(ref.unitCost !== undefined ? { adjustedUnitCost: jsonPrice(ref.unitCost) } : {}),
  });
}

/**
 * Adds the service named `line.product` to the contract with its first units: one
 * ContractServiceAdjustment without contractServiceID, which Autotask turns into the contract
 * service and its units together (so a crash can't leave a line without units behind).
 */
export async function createLine(conn: Connection, ctx: ConnectorContext, line: NewLine): Promise<void> {
  const units = wholeUnits(line.quantity, "quantity");
  if (units <= 0) throw new ConnectionError(`${conn.name}: a new Autotask line needs at least 1 unit`);
  const contractID = idOf(line.agreement, "agreement");
  const at = new AutotaskClient(conn, ctx);
  const services = await at.query<AtNamed>("Services", [{ op: "eq", field: "name", value: line.product }]);
  const service = services.filter((s) => s.name === line.product).sort((a, b) => a.id - b.id)[0];
  if (!service) {
    throw new ConnectionError(
      `${conn.name}: Autotask has no service named "${line.product}" (new lines are added for services only)`,
    );
  }
  await at.create("/V1.0/ContractServiceAdjustments", {
    contractID,
    serviceID: service.id,
    unitChange: units,
    effectiveDate: effectiveDate(line.effective),
    adjustedUnitPrice: jsonPrice(line.unitPrice),
  });
}
