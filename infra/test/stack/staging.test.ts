import { describeDeployedStack } from "../support/stack-assertions.js";

// Needs .sst/platform: `pnpm test` runs `sst install` first when it is missing.
describeDeployedStack("staging", {
  retained: false,
  protect: false,
  alarmTopic: false,
  archiveLockDays: 0,
  logRetentionDays: 7,
  searchInstance: "t3.small",
  searchStorageGb: 10,
});
