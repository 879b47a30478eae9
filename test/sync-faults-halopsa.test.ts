import { faultSuite } from "./sync-faults.ts";

// 200 seeded runs of faults and crashes against the halopsa fake (see sync-faults.ts).
faultSuite("halopsa");
