import { describeDeployedStack } from "../support/stack-assertions.js";

// Needs .sst/platform: `pnpm test` runs `sst install` first when it is missing.
describeDeployedStack("production", {
  retained: true,
  protect: true,
  alarmTopic: true,
  archiveLockDays: 365,
  logRetentionDays: 90,
  searchInstance: "m7g.large",
  searchStorageGb: 50,
});
