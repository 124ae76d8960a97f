// One run of the soak: a setting's mapping over a seed's changes, then the checks and the replay.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EventSourceMapping, LocalClients, LocalStackConfig } from "@sluice/local";
import {
  checkMapping,
  checkReplay,
  failures,
  type MappingCheck,
  type ReplayCheck,
  type ReplayObservation,
} from "./check.ts";
import { queueDepth, readDeadLetters } from "./dead-letters.ts";
import { type Effects, readEffects } from "./effect.ts";
import { type ClientTally, instrumentClient } from "./faults.ts";
import { type Packages, type Sdk, sender } from "./packages.ts";
import { runReplay } from "./replay.ts";
import { createResources, deleteTables } from "./resources.ts";
import type { Setting } from "./settings.ts";
import { type RunFile, type RunResources, soakHandler } from "./soak-handler.ts";
import { readStream } from "./stream.ts";
import { planChanges, writeChanges } from "./workload.ts";

const TIMEOUT_SECONDS = 3;
/** A mapping makes an invocation at least every function timeout while it has work. */
const STALL_MS = 60_000;

export interface RunOptions {
  packages: Packages;
  config: LocalStackConfig;
  setting: Setting;
  seed: number;
  changes: number;
  /** Called with one line per phase. */
  progress?: (line: string) => void;
}

export interface SettingResult {
  setting: Setting;
  seed: number;
  changes: number;
  poison: number;
  /** From the first write until the mapping was idle. */
  seconds: number;
  changesPerSecond: number;
  invocations: number;
  /** Records the mapping delivered more than once. */
  redeliveries: number;
  /** Invocations that threw or timed out (not partial responses), and the splits that followed. */
  functionErrors: number;
  bisections: number;
  /** The checkpoint store's `send` calls by command, and their sum per invocation. */
  checkpointRequests: Record<string, number>;
  checkpointRequestsPerInvocation: number;
  deadLetterQueue: "standard" | "FIFO";
  /** Dead letters that went through the S3 claim check. */
  claimChecked: number;
  /** AWS calls failed on purpose: the checkpoint store's, the router's SQS and S3 calls. */
  injected: Record<"store" | "routerSqs" | "routerS3", { before: number; lostResponses: number }>;
  /** Error lines the runtime logged (failed checkpoint writes and the like). */
  runtimeErrors: number;
  mapping: MappingCheck;
  replay: ReplayCheck;
  /** The replay CLI's stderr, from the first replay run that did not exit 0. */
  replayErrors?: string;
  /** Every failed check in words; empty when the run passed. */
  failures: string[];
}

export async function runSetting(options: RunOptions): Promise<SettingResult> {
  const { packages, config, setting, seed } = options;
  const { local, sdk } = packages;
  const say = (phase: string) => options.progress?.(`${setting.name}: ${phase}`);
  const clients = local.createLocalClients(config);
  // The checkpoint store and the router get their own clients, so that only they are faulted.
  const faulted = local.createLocalClients(config);
  const dir = await mkdtemp(join(tmpdir(), "sluice-soak-"));
  let mapping: EventSourceMapping | undefined;
  let run: RunResources | undefined;
  try {
    // Lost responses make the router send a letter again; a FIFO queue drops the copy.
    const fifo = setting.storeFaults > 0;
    run = await createResources(packages, clients, `soak-${setting.name}-${seed}`, { fifo });
    const tallies = {
      store: instrumentClient(faulted.dynamodb, setting.storeFaults, seed, "store"),
      routerSqs: instrumentClient(faulted.sqs, setting.storeFaults, seed, "router-sqs"),
      routerS3: instrumentClient(faulted.s3, setting.storeFaults, seed, "router-s3"),
    };
    let runtimeErrors = 0;
    const soak = soakHandler(
      packages,
      { effects: clients.dynamodb, store: faulted.dynamodb, sqs: faulted.sqs, s3: faulted.s3 },
      run,
      {
        faults: { seed, setting, timeoutMs: TIMEOUT_SECONDS * 1000 },
        log: () => {
          runtimeErrors++;
        },
      },
    );
    mapping = local.createEventSourceMapping({
      streamArn: run.streamArn,
      clients: { streams: clients.streams },
      handler: soak.handler,
      functionName: "soak",
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 100,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: setting.bisect,
      ParallelizationFactor: setting.parallelization,
      MaximumRetryAttempts: 10_000,
      timeout: TIMEOUT_SECONDS,
      historyLimit: Number.MAX_SAFE_INTEGER,
    });
    await mapping.start();

    const plan = planChanges(seed, options.changes);
    say(`writing ${plan.length} changes while the mapping runs`);
    const started = performance.now();
    await writeChanges(sdk, sender(clients.dynamodb), run.tableName, plan);
    say("waiting for the mapping to go idle");
    await waitUntilIdle(mapping, Math.max(600_000, plan.length * 100));
    const seconds = (performance.now() - started) / 1000;
    await mapping.stop();
    // Calls that outlived their invocation may still apply; wait for them before counting.
    await soak.settled();

    say("checking the effects and the dead letters against the stream");
    const changes = await readStream(sdk, sender(clients.streams), run.streamArn);
    const poison = plan.filter((change) => change.poison).length;
    if (changes.length !== plan.length || changes.filter((c) => c.poison).length !== poison) {
      throw new Error(
        `The stream holds ${changes.length} changes (${changes.filter((c) => c.poison).length} poison); ${plan.length} (${poison}) were written.`,
      );
    }
    const before = await readEffects(sdk, sender(clients.dynamodb), run.effectsTable);
    const letters = await readDeadLetters(
      packages,
      { sqs: sender(clients.sqs), s3: clients.s3 },
      run.queueUrl,
    );
    const mappingCheck = checkMapping(changes, before, letters.eventIds);

    say("replaying the dead letters with the fixed handler, twice");
    const seen = await replayTwice(sdk, clients, { ...config, run }, before, dir);
    const replay = checkReplay(changes, seen);

    const invocations = mapping.invocations.length;
    const checkpointRequests = Object.fromEntries(tallies.store.requests);
    const requests = [...tallies.store.requests.values()].reduce((sum, n) => sum + n, 0);
    const replayErrors = [seen.first, seen.second].find((r) => r.exitCode !== 0)?.stderr.trim();
    return {
      setting,
      seed,
      changes: changes.length,
      poison,
      seconds,
      changesPerSecond: changes.length / seconds,
      invocations,
      redeliveries: redeliveries(mapping),
      functionErrors: mapping.invocations.filter((i) => i.outcome.kind === "failure").length,
      bisections: mapping.stats().bisections,
      checkpointRequests,
      checkpointRequestsPerInvocation: requests / Math.max(1, invocations),
      deadLetterQueue: fifo ? "FIFO" : "standard",
      claimChecked: letters.claimChecked,
      injected: {
        store: injectedBy(tallies.store),
        routerSqs: injectedBy(tallies.routerSqs),
        routerS3: injectedBy(tallies.routerS3),
      },
      runtimeErrors,
      mapping: mappingCheck,
      replay,
      ...(replayErrors && { replayErrors }),
      failures: failures(mappingCheck, replay),
    };
  } finally {
    await mapping?.stop();
    if (run) await deleteTables(packages, clients, run);
    local.destroyClients(clients);
    local.destroyClients(faulted);
    await rm(dir, { recursive: true, force: true });
  }
}

/** `sluice replay` of the run's queue, then the same command again, which should find nothing. */
async function replayTwice(
  sdk: Sdk,
  clients: LocalClients,
  file: RunFile,
  before: Effects,
  dir: string,
): Promise<ReplayObservation> {
  const runFile = join(dir, "run.json");
  await writeFile(runFile, JSON.stringify(file));
  const options = {
    queueUrl: file.run.queueUrl,
    runFile,
    progressFile: join(dir, "progress.jsonl"),
    cwd: dir,
  };
  const effects = () => readEffects(sdk, sender(clients.dynamodb), file.run.effectsTable);
  const first = await runReplay(options);
  const afterFirst = await effects();
  const left = await queueDepth(sdk, sender(clients.sqs), file.run.queueUrl);
  const second = await runReplay(options);
  return { before, first, afterFirst, left, second, afterSecond: await effects() };
}

/**
 * Waits while the mapping keeps invoking: a slow setting may take long, but a mapping that made
 * no invocation for STALL_MS while busy is stuck, and one that needs more than `timeoutMs`
 * (at least 10 minutes, 100 ms a change) is as good as stuck.
 */
async function waitUntilIdle(mapping: EventSourceMapping, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const invocations = mapping.stats().invocations;
    try {
      await mapping.waitForIdle({ timeoutMs: Math.min(STALL_MS, deadline - Date.now()) });
      return;
    } catch (error) {
      if (mapping.stats().invocations === invocations || Date.now() >= deadline) throw error;
    }
  }
}

function redeliveries(mapping: EventSourceMapping): number {
  const deliveries = new Map<string, number>();
  for (const { event } of mapping.invocations) {
    for (const record of event.Records) {
      const id = record.eventID ?? "";
      deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
    }
  }
  return [...deliveries.values()].filter((n) => n > 1).length;
}

const injectedBy = (tally: ClientTally) => ({
  before: tally.failedBefore,
  lostResponses: tally.lostResponses,
});
