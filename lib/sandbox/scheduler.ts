/**
 * Every timer and background task the sandbox starts goes through here, so `stop()` can cancel them all and
 * Deno's test sanitizers see nothing left behind.
 */

type TimerId = ReturnType<typeof setTimeout>;

/** Rejection used when the sandbox stops while a request is waiting. */
export class StoppedError extends Error {
  constructor() {
    super("sandbox stopped");
  }
}

/** Timers grouped by owner (an instance id) so a logout or delete can cancel its pending acks. */
export class Scheduler {
  readonly #controller = new AbortController();
  readonly #timers = new Map<TimerId, string | undefined>();
  readonly #tasks = new Set<Promise<unknown>>();

  /** Aborted when the sandbox stops. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Runs `fn` after `ms` unless cancelled or stopped. */
  after(ms: number, fn: () => void | Promise<void>, group?: string): void {
    if (this.signal.aborted) return;
    const id = setTimeout(() => {
      this.#timers.delete(id);
      this.track(Promise.resolve().then(fn));
    }, Math.max(0, ms));
    this.#timers.set(id, group);
  }

  /** Cancels the pending timers of one group. */
  cancelGroup(group: string): void {
    for (const [id, owner] of this.#timers) {
      if (owner === group) {
        clearTimeout(id);
        this.#timers.delete(id);
      }
    }
  }

  /** Keeps a background promise so `stop()` can wait for it; failures are logged by the caller. */
  track<T>(task: Promise<T>): Promise<T> {
    const settled = task.catch(() => undefined);
    this.#tasks.add(settled);
    settled.finally(() => this.#tasks.delete(settled));
    return task;
  }

  /** Waits `ms` (used by `delay`, latency and acks); rejects with StoppedError when the sandbox stops. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (this.signal.aborted) return reject(new StoppedError());
      const onAbort = () => {
        clearTimeout(id);
        reject(new StoppedError());
      };
      const id = setTimeout(() => {
        this.signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      this.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Cancels every timer, aborts waits and in-flight work, and waits for background tasks to settle. */
  async stop(): Promise<void> {
    this.#controller.abort();
    for (const id of this.#timers.keys()) clearTimeout(id);
    this.#timers.clear();
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
  }

  /** Cancels every timer without stopping (used by reset). */
  clear(): void {
    for (const id of this.#timers.keys()) clearTimeout(id);
    this.#timers.clear();
  }
}
