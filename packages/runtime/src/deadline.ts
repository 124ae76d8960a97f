/**
 * The Lambda deadline seen from the batch: a margin before it, nothing new starts and
 * `signal` aborts; a little later the runtime stops waiting for work that ignores the signal;
 * the rest of the margin is kept for the checkpoint write and the response.
 *
 *   start ........ margin | grace (40%) | checkpoint write (50%) | response (10%) | timeout
 */
export class Deadline {
  readonly #remaining: () => number;
  readonly #margin: number;
  readonly #controller = new AbortController();
  readonly #timers: ReturnType<typeof setTimeout>[] = [];
  readonly #abandoned: Promise<void>;

  constructor(remaining: (() => number) | undefined, marginMs: number | undefined) {
    this.#remaining = remaining ?? (() => Number.POSITIVE_INFINITY);
    const initial = this.#remaining();
    // A short function timeout still gets work done: the margin is at most a quarter of it.
    this.#margin = Math.min(marginMs ?? 3_000, initial / 4);
    let abandon = () => {};
    this.#abandoned = new Promise((resolve) => {
      abandon = resolve;
    });
    if (Number.isFinite(initial)) {
      this.#at(initial - this.#margin, () => this.#controller.abort(new DeadlineError()));
      this.#at(initial - this.#margin * 0.6, abandon);
    }
  }

  #at(ms: number, run: () => void): void {
    const timer = setTimeout(run, Math.max(0, ms));
    timer.unref?.();
    this.#timers.push(timer);
  }

  /** True once the remaining time is below the margin: start nothing new. */
  get expired(): boolean {
    return this.#remaining() < this.#margin;
  }

  /** True when waiting `ms` still leaves the margin. */
  allows(ms: number): boolean {
    return this.#remaining() - ms >= this.#margin;
  }

  /**
   * For the checkpoint write, whose time the margin keeps: true when waiting `ms` still leaves
   * time to answer Lambda.
   */
  allowsFinal(ms: number): boolean {
    return this.#remaining() - ms >= Math.max(50, this.#margin * 0.1);
  }

  /** Aborts when the deadline passes, so long-running work can give up early. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Resolves with the work's result, or with undefined once the grace after the signal is over
   * and the work is still running: the batch then answers without it.
   */
  race<R>(work: Promise<R>): Promise<R | undefined> {
    return Promise.race([work, this.#abandoned.then(() => undefined)]);
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }
}

export class DeadlineError extends Error {
  override readonly name = "TimeoutError";
  constructor() {
    super("The invocation is close to its deadline; the record is reported for redelivery.");
  }
}
