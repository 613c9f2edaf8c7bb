// Sends in flight in this process, so the engine's SEND_MESSAGE meets a settled row. The engine emits that
// event as it answers the send (evolution-api.md §3.2), so it often arrives before the answer has settled
// the `sending` row: the receipt then logs an engine row, and the settlement folds it back in (two more
// statements, and under load a unique-key clash on the engine id and a retried batch). An event naming a
// number this process is sending to waits, briefly, for the settlement of its engine id instead, then
// advances the settled row. Nothing depends on it: a receipt that does not wait (another replica's send,
// a number written differently, the wait's bound) is folded in as before.
import { perPool, type Sql } from "../core/mod.ts";

/** The longest a receipt waits for a settlement (a send's answer arrives with its event, not later). */
export const FLIGHT_WAIT_MS = 1_000;
// Engine ids settled lately: a repeated event for one of them does not wait for the other sends in flight.
const RECENT_SETTLED = 10_000;

interface Waiter {
  wake: () => void;
  flight: string;
  engineId: string;
}

interface Flights {
  /** Sends whose engine call or settlement is still running, by instance and number. */
  count: Map<string, number>;
  waiters: Set<Waiter>;
  recent: Set<string>;
}

const flightsOf = perPool((): Flights => ({ count: new Map(), waiters: new Set(), recent: new Set() }));
const flightKey = (instance: string, phone: string) => `${instance}\u0000${phone}`;

function wake(flights: Flights, matches: (w: Waiter) => boolean) {
  for (const w of flights.waiters) if (matches(w)) w.wake();
}

/** Marks a send to `phone` as in flight from before its engine call; call the result once it settled. */
export function beginSend(sql: Sql, instance: string, phone: string): () => void {
  const flights = flightsOf(sql);
  const key = flightKey(instance, phone);
  flights.count.set(key, (flights.count.get(key) ?? 0) + 1);
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    const left = (flights.count.get(key) ?? 1) - 1;
    if (left > 0) flights.count.set(key, left);
    else {
      flights.count.delete(key);
      wake(flights, (w) => w.flight === key);
    }
  };
}

/** Called once a settlement carrying `engineId` committed: its waiting receipt goes on. */
export function sendSettled(sql: Sql, engineId: string): void {
  const flights = flightsOf(sql);
  if (flights.recent.size >= RECENT_SETTLED) flights.recent.delete(flights.recent.values().next().value!);
  flights.recent.add(engineId);
  wake(flights, (w) => w.engineId === engineId);
}

/**
 * Waits until the settlement of `engineId` committed, no send to `phone` on `instance` is in flight in this
 * process any more, or `ms` passed; at once when none is in flight or that id settled lately.
 */
export async function settlementOfReceipt(
  sql: Sql,
  instance: string,
  phone: string,
  engineId: string,
  ms = FLIGHT_WAIT_MS,
): Promise<void> {
  const flights = flightsOf(sql);
  const flight = flightKey(instance, phone);
  if (!flights.count.has(flight) || flights.recent.has(engineId)) return;
  await new Promise<void>((resolve) => {
    const waiter: Waiter = {
      flight,
      engineId,
      wake: () => {
        clearTimeout(timer);
        flights.waiters.delete(waiter);
        resolve();
      },
    };
    const timer = setTimeout(waiter.wake, ms);
    flights.waiters.add(waiter);
  });
}
