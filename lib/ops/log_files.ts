/**
 * The access log as a file (ACCESS_LOG_FILE) and its rotation (contract §5.6): past the size threshold
 * `file` becomes `file.1`, older ones shift up to `file.<keep>`, and the oldest goes. Writers append by
 * path on every write, so a rotation needs no "reopen" signal: the next write creates the new file.
 */
import { createLogger, lineBuffer, type Logger } from "../core/mod.ts";

/**
 * A logger whose lines are appended to `path`, in order, without blocking the request: gathered by a line
 * buffer and appended together, about fifty small synchronous appends a second under load (one asynchronous
 * append per line cost more CPU than the request it logged, its queue grew without bound under load, and
 * what it still held at exit was lost).
 */
export function fileLogger(path: string): Logger {
  const lines = lineBuffer((text) => {
    try {
      Deno.writeTextFileSync(path, text, { append: true });
    } catch { /* a full or missing disk never fails a request; the lines are dropped */ }
  });
  return createLogger("info", (line) => lines.push(line));
}

async function size(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

async function removeIfPresent(path: string) {
  await Deno.remove(path).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
}

/** Rotates `path` when it is at least `maxBytes`; keeps `keep` old files. */
export async function rotateLogFile(
  path: string,
  o: { maxBytes: number; keep: number },
): Promise<{ rotated: boolean; bytes: number | null }> {
  const bytes = await size(path);
  if (bytes === null || bytes < o.maxBytes) return { rotated: false, bytes };
  await removeIfPresent(`${path}.${o.keep}`);
  for (let i = o.keep - 1; i >= 1; i--) {
    if (await size(`${path}.${i}`) !== null) await Deno.rename(`${path}.${i}`, `${path}.${i + 1}`);
  }
  await Deno.rename(path, `${path}.1`);
  return { rotated: true, bytes };
}
