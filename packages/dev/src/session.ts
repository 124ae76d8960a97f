import { join, resolve } from "node:path";
import {
  createEventSourceMapping,
  type EventSourceMapping,
  type LocalStack,
  type LocalStackOptions,
  type MappingSettings,
  startLocalStack,
} from "@sluice/local";
import { mappingSettings, type PipelineDefinition, type Subscriber } from "@sluice/pipeline";
import { Arrivals } from "./arrivals.js";
import { type DeadLetterQueue, deadLetterQueue } from "./dead-letter-queue.js";
import { type LoadedHandler, watchHandler } from "./handlers.js";
import { createLocalResources, type LocalResources } from "./local-resources.js";
import { captureOutput } from "./output-capture.js";
import { tailStream } from "./tail.js";
import type {
  ChangeView,
  DeadLetterView,
  DevConsoleSource,
  DevSnapshot,
  ReplayResult,
  SubscriberSample,
  SubscriberView,
} from "./types.js";

export interface DevSessionOptions {
  pipeline: PipelineDefinition;
  /** The app's root: handler paths in the pipeline are relative to it. Default: the working directory. */
  root?: string;
  /** A running stack to use, left running at the end; by default the session starts its own. */
  stack?: SessionStack;
  stackOptions?: LocalStackOptions;
  /** Rebuild and reload a handler when its files change. Default true. */
  watch?: boolean;
  /** Put before every local resource's name, so sessions can share a stack. Default none. */
  namePrefix?: string;
  /** Changes to a subscriber's mapping settings, e.g. a shorter batching window. */
  settings?: (subscriber: Subscriber) => Partial<MappingSettings>;
  /** Lines a handler printed that are not metrics. */
  onLog?: (subscriber: string, line: string) => void;
  /** A handler was loaded for the first time, reloaded, or failed to build or import. */
  onHandler?: (subscriber: string, event: "loaded" | "reloaded" | "failed", error?: Error) => void;
}

/** What the session uses of a stack: a test's shared stack will do. */
export type SessionStack = Omit<LocalStack, "stop" | "services">;

/** A pipeline running locally. It is what the console and the terminal view read. */
export interface DevSession extends DevConsoleSource {
  readonly pipeline: PipelineDefinition;
  readonly stack: SessionStack;
  readonly resources: LocalResources;
  /** The handler a subscriber runs now, as the mapping calls it. */
  handler(subscriber: string): LoadedHandler | undefined;
  /**
   * Swaps a subscriber's handler, as a reload after a file change does: the next invocation and
   * the next replay run it. For scripts and tests that build a handler in code.
   */
  useHandler(subscriber: string, handler: LoadedHandler): void;
  /** Resolves when every subscriber has nothing left to read and no invocation in flight. */
  waitForIdle(): Promise<void>;
  deadLetters(): Promise<DeadLetterView[]>;
  stop(): Promise<void>;
}

const SERIES_SECONDS = 600;
const CHANGES_KEPT = 100;

/** Counts a sluice handler reports in its metric lines (CloudWatch Embedded Metric Format). */
interface ReportedCounts {
  deadLettered: number;
  retried: number;
}

interface Running {
  subscriber: Subscriber;
  state: SubscriberView["state"];
  loadError?: string;
  reloads: number;
  handler?: LoadedHandler;
  mapping?: EventSourceMapping;
  reported: ReportedCounts;
  series: SubscriberSample[];
  finishedBefore: number;
  mappingStarted?: Promise<void>;
  /** Runs the current handler with its output caught as this subscriber's: mappings and replays call this. */
  invoke: LoadedHandler;
  /** Why the mapping could not start. */
  lastError?: string;
}

function applyEnvironment(variables: Record<string, string>): () => void {
  const previous = new Map(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

/** Each subscriber's own variables; locally they share one process, so they must agree. */
function subscriberEnvironment(pipeline: PipelineDefinition): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const subscriber of Object.values(pipeline.subscribers)) {
    for (const [name, value] of Object.entries(subscriber.environment)) {
      if (name in merged && merged[name] !== value) {
        throw new Error(
          `Subscribers set ${name} to different values; sluice dev runs every handler in one process, so give them one value or different variable names.`,
        );
      }
      merged[name] = value;
    }
  }
  return merged;
}

/**
 * Runs a pipeline on the local stack: creates its table and resources, loads each subscriber's
 * handler (reloading it when its files change) and feeds it through a local event source
 * mapping with the subscriber's own settings. Handlers reach the local resources through the
 * variables infra would set, and AWS SDK clients through AWS_ENDPOINT_URL_* variables.
 */
export async function startDevSession(options: DevSessionOptions): Promise<DevSession> {
  const { pipeline } = options;
  const root = resolve(options.root ?? process.cwd());
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  let stack: SessionStack;
  if (options.stack) {
    stack = options.stack;
  } else {
    const own = await startLocalStack(options.stackOptions);
    cleanups.push(() => own.stop());
    stack = own;
  }
  try {
    return await start();
  } catch (error) {
    await stopAll();
    throw error;
  }

  async function start(): Promise<DevSession> {
    const resources = await createLocalResources(stack, pipeline, options.namePrefix);
    cleanups.push(
      applyEnvironment({ ...subscriberEnvironment(pipeline), ...resources.environment }),
    );
    const startedAt = new Date();
    const running = new Map<string, Running>();
    const processorOwners = new Map<string, string>();

    const capture = captureOutput((name, line) => {
      if (line.includes('"_aws"')) {
        try {
          const metrics = JSON.parse(line) as Record<string, unknown>;
          const run = running.get(name);
          if (typeof metrics.processor === "string") processorOwners.set(metrics.processor, name);
          if (run) {
            run.reported.deadLettered += Number(metrics.RecordsDeadLettered ?? 0);
            run.reported.retried += Number(metrics.RecordsFailed ?? 0);
          }
          return;
        } catch {
          // Not a metric document after all: shown as a line.
        }
      }
      options.onLog?.(name, line);
    });
    cleanups.push(() => capture.stop());

    const outDir = join(root, ".sluice", "dev", options.namePrefix ?? "", pipeline.name);
    for (const subscriber of Object.values(pipeline.subscribers)) {
      const run: Running = {
        subscriber,
        state: "loading",
        reloads: 0,
        reported: { deadLettered: 0, retried: 0 },
        series: [],
        finishedBefore: 0,
        invoke: (event, context) =>
          capture.run(subscriber.name, () => run.handler!(event, context)),
      };
      running.set(subscriber.name, run);
      const startMapping = async () => {
        const mapping = createEventSourceMapping({
          streamArn: resources.streamArn,
          clients: stack.clients,
          functionName: subscriber.name,
          timeout: subscriber.timeoutSeconds,
          memorySize: subscriber.memoryMb,
          handler: run.invoke,
          ...mappingSettings(subscriber, resources.deadLetterQueue?.queueArn),
          ...options.settings?.(subscriber),
        });
        run.mapping = mapping;
        cleanups.push(() => mapping.stop());
        await mapping.start();
      };
      const watch = await watchHandler({
        root,
        handler: subscriber.handler,
        outDir: join(outDir, subscriber.name),
        watch: options.watch ?? true,
        onLoad: (handler, build) => {
          const first = run.handler === undefined;
          run.handler = handler;
          run.state = "running";
          delete run.loadError;
          if (build > 1) run.reloads++;
          options.onHandler?.(subscriber.name, first ? "loaded" : "reloaded");
          // The mapping starts with the first handler that loads; until then records wait.
          if (first) {
            run.mappingStarted = startMapping().catch((error: Error) => {
              run.lastError = `The mapping did not start: ${error.message}`;
              options.onHandler?.(subscriber.name, "failed", error);
            });
          }
        },
        onError: (error) => {
          run.loadError = error.message;
          if (run.handler === undefined) run.state = "load-failed";
          options.onHandler?.(subscriber.name, "failed", error);
        },
      });
      cleanups.push(() => watch.stop());
    }

    // Handlers that loaded at start have their mappings running before the session is handed out.
    await Promise.all([...running.values()].map((run) => run.mappingStarted));

    const arrivals = new Arrivals();
    const changes: ChangeView[] = [];
    // The latest changes, read from the stream like any other subscriber.
    const changeFeed = tailStream({
      clients: stack.clients,
      streamArn: resources.streamArn,
      from: "trim-horizon",
      pollIntervalMs: 50,
      onChange: (view, record) => {
        const at = Date.now();
        const sequence = record.dynamodb?.SequenceNumber;
        if (sequence !== undefined) arrivals.add(sequence, at);
        // Stamped with its arrival: DynamoDB Local's creation times are whole minutes.
        changes.unshift({ ...view, at: new Date(at).toISOString() });
        changes.splice(CHANGES_KEPT);
      },
      // Records the decoder refuses are the subscribers' concern; the feed only shows.
      onError: (error) => options.onLog?.("sluice dev", error.message),
    });
    cleanups.push(() => changeFeed.stop());
    await changeFeed.ready;

    // One sample per subscriber and second: finished records and how far behind it is.
    const finished = (run: Running) => {
      const stats = run.mapping?.stats();
      return stats ? stats.recordsSucceeded + stats.recordsDiscarded : 0;
    };
    const checkpointsOf = (run: Running) => Object.values(run.mapping?.stats().checkpoints ?? {});
    const sampler = setInterval(() => {
      const t = Date.now();
      for (const run of running.values()) {
        const now = finished(run);
        const lagMs = arrivals.lagMs(checkpointsOf(run), t);
        run.series.push({ t, perSecond: now - run.finishedBefore, lagMs });
        run.finishedBefore = now;
        if (run.series.length > SERIES_SECONDS) run.series.shift();
      }
      arrivals.forget([...running.values()].map(checkpointsOf));
    }, 1_000);
    sampler.unref();
    cleanups.push(() => clearInterval(sampler));

    const view = (run: Running): SubscriberView => {
      const stats = run.mapping?.stats();
      const recent = run.series.slice(-5);
      const perSecond =
        recent.length === 0 ? 0 : recent.reduce((sum, s) => sum + s.perSecond, 0) / recent.length;
      return {
        name: run.subscriber.name,
        handler: run.subscriber.handler.path,
        state: run.state,
        ...(run.loadError !== undefined && { loadError: run.loadError }),
        reloads: run.reloads,
        processed: finished(run),
        retried: run.reported.retried,
        deadLettered: run.reported.deadLettered + (stats?.recordsDiscarded ?? 0),
        perSecond: Math.round(perSecond * 10) / 10,
        lagMs: run.series.at(-1)?.lagMs ?? 0,
        failedInvocations: stats?.failedInvocations ?? 0,
        ...((stats?.lastError ?? run.lastError) !== undefined && {
          lastError: stats?.lastError ?? run.lastError,
        }),
      };
    };

    const queue: DeadLetterQueue | undefined =
      resources.deadLetterQueue &&
      deadLetterQueue({
        sqs: stack.clients.sqs,
        s3: stack.clients.s3,
        queueUrl: resources.deadLetterQueue.queueUrl,
        handlerFor: (processor) => {
          const name =
            processorOwners.get(processor) ?? (running.has(processor) ? processor : undefined);
          const run = name === undefined ? undefined : running.get(name);
          if (run?.handler === undefined) return undefined;
          return {
            name: run.subscriber.name,
            handler: async (event, context) => run.invoke(event, context),
          };
        },
      });

    // The console and the terminal both ask every second; the queue is read at most every two.
    let listed: { at: number; letters: Promise<DeadLetterView[]> } | undefined;
    /** Reads the queue now; snapshots reuse a reading younger than two seconds. */
    const deadLetters = async (maxAgeMs = 0): Promise<DeadLetterView[]> => {
      if (!queue) return [];
      if (listed === undefined || Date.now() - listed.at > maxAgeMs) {
        listed = { at: Date.now(), letters: queue.list() };
      }
      return listed.letters;
    };
    let stopped = false;
    return {
      pipeline,
      stack,
      resources,
      handler: (name) => running.get(name)?.handler,
      useHandler(name, handler) {
        const run = running.get(name);
        if (run === undefined) {
          throw new Error(
            `No subscriber "${name}" in pipeline ${pipeline.name}; it has ${[...running.keys()].join(", ")}.`,
          );
        }
        run.handler = handler;
        run.reloads++;
      },
      async waitForIdle() {
        const mappings = () => [...running.values()].flatMap((run) => run.mapping ?? []);
        await Promise.all(mappings().map((mapping) => mapping.waitForIdle()));
        await changeFeed.waitForIdle();
      },
      deadLetters: () => deadLetters(),
      async snapshot(): Promise<DevSnapshot> {
        return {
          pipeline: pipeline.name,
          table: resources.tableName,
          startedAt: startedAt.toISOString(),
          subscribers: [...running.values()].map(view),
          series: Object.fromEntries(
            [...running.values()].map((run) => [run.subscriber.name, [...run.series]]),
          ),
          changes: [...changes],
          deadLetters: await deadLetters(2_000),
        };
      },
      async replay(request): Promise<ReplayResult> {
        if (!queue) return { replayed: 0, failedAgain: 0, failures: [] };
        const result = await queue.replay(request);
        listed = undefined;
        return result;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  }
}
