/**
 * The access log as a file (ACCESS_LOG_FILE) and its rotation (contract §5.6): past the size threshold
 * `file` becomes `file.1`, older ones shift up to `file.<keep>`, and the oldest goes. Writers append by
 * path on every line, so a rotation needs no "reopen" signal: the next line creates the new file.
 */
import { createLogger, type Logger } from "../core/mod.ts";

/** A logger whose lines are appended to `path`, in order, without blocking the request. */
export function fileLogger(path: string): Logger {
  let chain = Promise.resolve();
  return createLogger("info", (line) => {
    chain = chain.then(() => Deno.writeTextFile(path, line + "\n", { append: true })).catch(() => {});
  });
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
