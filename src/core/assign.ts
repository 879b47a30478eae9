import type { Device } from "./match.ts";
import type { Bundle, BundlePlan, Plan } from "./types.ts";
import { type BillableUser, lowerGroup, lowerSku } from "./users.ts";

// Spec 4.3: users and devices go to the first plan that takes them, so nothing counts twice.

export interface PlanAssignment {
  /** Position of the plan in the client's plan list. */
  index: number;
  plan: BundlePlan;
  bundle: Bundle;
  users: BillableUser[];
  devices: Device[];
}

export interface Assignment {
  plans: PlanAssignment[];
  uncoveredUsers: BillableUser[];
  uncoveredDevices: Device[];
}

const COUNTED_TYPES = new Set(["workstation", "laptop", "server"]);

/** Every condition given must hold; no filter passes everyone (4.3). */
export function passesFilter(plan: BundlePlan, user: BillableUser): boolean {
  if (plan.licencesAny && !plan.licencesAny.some((sku) => user.licences.has(lowerSku(sku)))) return false;
  if (plan.groupsAny && !plan.groupsAny.some((g) => user.groups.has(lowerGroup(g)))) return false;
  return !plan.excludeGroups?.some((g) => user.groups.has(lowerGroup(g)));
}

export function assign(
  plans: readonly Plan[],
  bundles: ReadonlyMap<string, Bundle>,
  users: readonly BillableUser[],
  devices: readonly Device[],
): Assignment {
  const bundlePlans: PlanAssignment[] = [];
  plans.forEach((plan, index) => {
    if (plan.kind !== "bundle") return;
    const bundle = bundles.get(plan.bundle);
    if (!bundle) throw new Error(`plan refers to unknown bundle ${plan.bundle}`);
    bundlePlans.push({ index, plan, bundle, users: [], devices: [] });
  });
  const perUser = bundlePlans.filter((p) => p.bundle.per === "user");
  const perDevice = bundlePlans.filter((p) => p.bundle.per === "device");

  const planOfUser = new Map<string, PlanAssignment>();
  const uncoveredUsers: BillableUser[] = [];
  for (const user of users) {
    const target = perUser.find((p) => passesFilter(p.plan, user));
    if (target) {
      target.users.push(user);
      planOfUser.set(user.upn, target);
    } else uncoveredUsers.push(user);
  }

  const uncoveredDevices: Device[] = [];
  for (const device of devices) {
    const target =
      perDevice.find((p) => p.bundle.deviceTypes.includes(device.type)) ??
      userPlanForDevice(perUser, planOfUser, device);
    if (target) target.devices.push(device);
    else if (COUNTED_TYPES.has(device.type)) uncoveredDevices.push(device);
  }

  const hasBundlePlan = bundlePlans.length > 0;
  return {
    plans: bundlePlans,
    uncoveredUsers: hasBundlePlan ? uncoveredUsers : [],
    uncoveredDevices: hasBundlePlan ? uncoveredDevices : [],
  };
}

/** A device no per-device plan takes follows its primary user's plan, else the first that fits. */
function userPlanForDevice(
  perUser: readonly PlanAssignment[],
  planOfUser: ReadonlyMap<string, PlanAssignment>,
  device: Device,
): PlanAssignment | undefined {
  const fits = (p: PlanAssignment) => p.bundle.deviceTypes.includes(device.type);
  const own = device.primaryUser ? planOfUser.get(device.primaryUser) : undefined;
  if (own && fits(own)) return own;
  return perUser.find(fits);
}
