/**
 * Timeouts for the hot path. Every Redis command and engine call has one, and nearly all finish long
 * before it: a timer (or `AbortSignal.timeout`, which lives until it fires and then builds a DOMException)
 * per call costs more than the call at thousands per second. Here pending deadlines sit in one set, swept
 * by one interval timer that runs only while any is pending; a deadline fires at most SWEEP_MS late.
 * Under load there is nearly always one pending, so the timer is set up once instead of once per call.
 */
const SWEEP_MS = 10;

interface Deadline {
  at: number;
  fire: () => void;
}

const pending = new Set<Deadline>();
let sweeper: ReturnType<typeof setInterval> | undefined;

function stopWhenIdle() {
  if (pending.size || sweeper === undefined) return;
  clearInterval(sweeper);
  sweeper = undefined;
}

function sweep() {
  const now = performance.now();
  for (const d of pending) {
    if (d.at > now) continue;
    pending.delete(d);
    d.fire();
  }
  stopWhenIdle();
}

/** Calls `fire` once `ms` have passed, unless the returned function is called first. */
export function deadline(ms: number, fire: () => void): () => void {
  const d: Deadline = { at: performance.now() + ms, fire };
  pending.add(d);
  if (sweeper === undefined) {
    sweeper = setInterval(sweep, Math.min(SWEEP_MS, Math.max(1, ms)));
    // A pending deadline never keeps the process alive on its own (as AbortSignal.timeout's timer).
    Deno.unrefTimer(sweeper);
  }
  // The sweeper stops with the last deadline, so nothing outlives the calls it guards.
  return () => {
    pending.delete(d);
    stopWhenIdle();
  };
}

const timeoutError = (what: string, ms: number) =>
  new DOMException(`${what} timed out after ${ms} ms`, "TimeoutError");

/** Resolves like `promise`, or rejects with a TimeoutError after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what = "operation"): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = deadline(ms, () => reject(timeoutError(what, ms)));
    promise.then((v) => {
      cancel();
      resolve(v);
    }, (err) => {
      cancel();
      reject(err);
    });
  });
}

/** An abort signal that aborts with a TimeoutError after `ms`, and `clear` to drop the deadline early. */
export function timeoutSignal(ms: number, what = "operation"): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const clear = deadline(ms, () => controller.abort(timeoutError(what, ms)));
  return { signal: controller.signal, clear };
}
