import type { Sql } from "./db.ts";

/**
 * Group commit: callers hand in one item each and wait for it to be written; the items that arrive while a
 * write is in flight go together in the next one (one statement for many concurrent callers). An idle
 * caller is written at once (no timer, no added latency); a failed write rejects every caller in it.
 */
export interface GroupCommit<T> {
  /** Resolves once the write that carried `item` committed; rejects with that write's error. */
  add(item: T): Promise<void>;
}

export function createGroupCommit<T>(write: (items: T[]) => Promise<void>, maxItems = 500): GroupCommit<T> {
  let queue: { item: T; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let writing = false;
  const drain = async () => {
    writing = true;
    while (queue.length) {
      const batch = queue.slice(0, maxItems);
      queue = queue.slice(batch.length);
      try {
        await write(batch.map((b) => b.item));
        for (const b of batch) b.resolve();
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    writing = false;
  };
  return {
    add(item) {
      const done = new Promise<void>((resolve, reject) => queue.push({ item, resolve, reject }));
      // Started in a microtask so the callers of this same tick share the first write too.
      if (!writing) {
        writing = true;
        queueMicrotask(drain);
      }
      return done;
    },
  };
}

/**
 * What `make` builds for a pool (its group commits), built on first use and kept as long as the pool: the
 * batches of one pool never mix with another's (tests run several apps in one process).
 */
export function perPool<V>(make: (sql: Sql) => V): (sql: Sql) => V {
  const made = new WeakMap<Sql, V>();
  return (sql) => {
    let v = made.get(sql);
    if (v === undefined) made.set(sql, v = make(sql));
    return v;
  };
}
