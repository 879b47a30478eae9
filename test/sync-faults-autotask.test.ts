import { faultSuite } from "./sync-faults.ts";

// 200 seeded runs of faults and crashes against the autotask fake (see sync-faults.ts).
faultSuite("autotask");
