/** What `sluice dev` shows: the terminal view and the console read these, and nothing else. */

/** One second of a subscriber's traffic. */
export interface SubscriberSample {
  /** Milliseconds since the epoch, at the end of the second. */
  t: number;
  /** Records finished (processed or dead-lettered) in this second. */
  perSecond: number;
  /** The mapping's iterator age: how far behind the stream the subscriber is. */
  lagMs: number;
}

export type SubscriberState = "loading" | "running" | "load-failed";

export interface SubscriberView {
  name: string;
  /** As the pipeline names it: `path/to/file.export`. */
  handler: string;
  state: SubscriberState;
  /** Why the handler could not be built or imported; the mapping waits until a change fixes it. */
  loadError?: string;
  /** How many times the handler was rebuilt after its files changed. */
  reloads: number;
  /** Records the handler finished: applied or skipped as already done. */
  processed: number;
  /** Records handed back to Lambda to be tried again. */
  retried: number;
  deadLettered: number;
  /** Over the last five seconds. */
  perSecond: number;
  lagMs: number;
  /** Invocations that threw, timed out or reported a partial failure. */
  failedInvocations: number;
  lastError?: string;
}

/** A change of the table, decoded. */
export interface ChangeView {
  eventId: string;
  kind: "insert" | "modify" | "remove";
  /** Deleted by DynamoDB's TTL. */
  expired: boolean;
  /** `PK=CUSTOMER#c-1 SK=ORDER#o-1` style, for lists. */
  key: string;
  keys: Record<string, unknown>;
  /** The entity the key prefix names (CUSTOMER, ORDER, CART...), when there is one. */
  entity?: string;
  /**
   * ISO 8601: when the change was written, from the record's creation time; in a dev session,
   * when the session read it (DynamoDB Local rounds creation times down to the minute).
   */
  at: string;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
}

/** A record in the dead-letter queue, decoded, with why it is there. */
export interface DeadLetterView {
  id: string;
  /** The processor that gave up on it. */
  processor: string;
  errorCode?: string;
  error: { class: "permanent" | "transient"; name: string; message: string };
  attempts: number;
  firstFailureAt: string;
  lastFailureAt: string;
  change: ChangeView;
}

export interface DevSnapshot {
  pipeline: string;
  table: string;
  /** ISO 8601. */
  startedAt: string;
  subscribers: SubscriberView[];
  /** Per subscriber, the last ten minutes, one sample a second. */
  series: Record<string, SubscriberSample[]>;
  /** Newest first, at most 100. */
  changes: ChangeView[];
  deadLetters: DeadLetterView[];
}

/** What one replay did. */
export interface ReplayResult {
  replayed: number;
  failedAgain: number;
  /** Records that failed again, with why; they stay in the queue. */
  failures: { id: string; reason: string }[];
}

/** What the console serves: a running dev session satisfies it. */
export interface DevConsoleSource {
  snapshot(): Promise<DevSnapshot>;
  /** Replays one dead letter (by id) or all of them through the current handlers. */
  replay(request: { id?: string }): Promise<ReplayResult>;
}
