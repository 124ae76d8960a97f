import { replayExact } from "./check.ts";
import type { SettingResult } from "./harness.ts";

const columns = [
  "setting",
  "changes",
  "seconds",
  "changes/s",
  "invocations",
  "redeliveries",
  "checkpoint requests / invocation",
  "applied twice",
  "stale",
  "lost",
  "dead letters = poison (twice)",
  "replay exact",
  "result",
];

function row(r: SettingResult): string[] {
  const letters = r.mapping.deadLetters;
  const same = letters.missing === 0 && letters.extra === 0;
  return [
    r.setting.name,
    String(r.changes),
    r.seconds.toFixed(1),
    r.changesPerSecond.toFixed(0),
    String(r.invocations),
    String(r.redeliveries),
    r.checkpointRequestsPerInvocation.toFixed(2),
    String(r.mapping.appliedTwice),
    String(r.mapping.stale),
    String(r.mapping.lost),
    `${letters.letters} ${same ? "=" : "≠"} ${letters.poison} (${letters.duplicates})`,
    replayExact(r.replay) ? "yes" : "no",
    r.failures.length === 0 ? "pass" : "FAIL",
  ];
}

/** One row per setting, then what each failed run got wrong. */
export function markdownReport(results: SettingResult[]): string {
  const lines = [
    `| ${columns.join(" | ")} |`,
    `| ${columns.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...results.map((r) => `| ${row(r).join(" | ")} |`),
  ];
  for (const r of results) {
    if (r.failures.length === 0) continue;
    lines.push("", `${r.setting.name}: ${r.failures.join("; ")}`);
    if (r.replayErrors) {
      const stderr = r.replayErrors.split("\n");
      lines.push(...stderr.slice(0, 3).map((line) => `  replay: ${line}`));
      if (stderr.length > 3) lines.push(`  replay: (${stderr.length - 3} more lines)`);
    }
  }
  return lines.join("\n");
}

/** The setting's knobs and what happened besides the checks, for the line that ends its run. */
export function describeRun(r: SettingResult): string {
  const s = r.setting;
  const injected = Object.entries(r.injected)
    .map(([client, n]) => `${client} ${n.before}+${n.lostResponses}`)
    .join(", ");
  return [
    `bisect ${s.bisect ? "on" : "off"}, ParallelizationFactor ${s.parallelization}`,
    `${r.functionErrors} function errors (throws, timeouts), ${r.bisections} bisections`,
    `throttles ${s.throttles * 100}%, slow ${s.slow * 100}%, hung ${s.hung * 100}%`,
    `store/router faults ${s.storeFaults * 100}% (before sending + lost responses: ${injected})`,
    `${r.deadLetterQueue} DLQ, ${r.poison} poison, ${r.claimChecked} letters via the claim check`,
    `checkpoint requests ${JSON.stringify(r.checkpointRequests)}`,
    `${r.runtimeErrors} runtime error logs`,
  ].join("; ");
}
