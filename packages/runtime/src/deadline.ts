/**
 * The point after which no new work starts: the Lambda deadline minus a margin kept for the
 * dead-letter hook, the checkpoint write and the response.
 */
export class Deadline {
  readonly #remaining: () => number;
  readonly #margin: number;
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(remaining: (() => number) | undefined, marginMs: number | undefined) {
    this.#remaining = remaining ?? (() => Number.POSITIVE_INFINITY);
    const initial = this.#remaining();
    // A short function timeout still gets work done: the margin is at most a quarter of it.
    this.#margin = Math.min(marginMs ?? 3_000, initial / 4);
    if (Number.isFinite(initial)) {
      this.#timer = setTimeout(
        () => this.#controller.abort(new DeadlineError()),
        Math.max(0, initial - this.#margin),
      );
      this.#timer.unref?.();
    }
  }

  /** True once the remaining time is below the margin: start nothing new. */
  get expired(): boolean {
    return this.#remaining() < this.#margin;
  }

  /** True when waiting `ms` still leaves the margin. */
  allows(ms: number): boolean {
    return this.#remaining() - ms >= this.#margin;
  }

  /** Aborts when the deadline passes, so long-running work can give up early. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
  }
}

export class DeadlineError extends Error {
  override readonly name = "TimeoutError";
  constructor() {
    super("The invocation is close to its deadline; the record is reported for redelivery.");
  }
}
