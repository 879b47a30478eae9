import { faultSuite } from "./sync-faults.ts";

// 200 seeded runs of faults and crashes against the connectwise fake (see sync-faults.ts).
faultSuite("connectwise");
