/** One JSON object per line on stdout/stderr, so a log shipper can parse every line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const encoder = new TextEncoder();
let pending: string[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;
const FLUSH_AT_BYTES = 64 * 1024;
let pendingBytes = 0;

/** Writes the buffered info/debug lines to stdout in one write. */
export function flushLogs(): void {
  if (flushTimer !== undefined) clearTimeout(flushTimer);
  flushTimer = undefined;
  if (!pending.length) return;
  const text = pending.join("\n") + "\n";
  pending = [];
  pendingBytes = 0;
  const bytes = encoder.encode(text);
  for (let off = 0; off < bytes.length;) off += Deno.stdout.writeSync(bytes.subarray(off));
}

// The default sink: warnings and errors go to stderr at once (after the lines gathered before them); info
// and debug lines (the access log's, one per request) are gathered and written together at most
// FLUSH_AFTER_MS later or once 64 KB are waiting, so a request never waits on a write of its own and a busy
// gateway makes about fifty writes a second rather than one per event-loop turn (a sixth of GET /health's
// CPU went to those writes and their timers, #14). Flushed at exit too.
const FLUSH_AFTER_MS = 20;
function defaultWrite(line: string, l: LogLevel): void {
  if (l === "error" || l === "warn") {
    flushLogs();
    console.error(line);
    return;
  }
  pending.push(line);
  pendingBytes += line.length;
  if (pendingBytes >= FLUSH_AT_BYTES) flushLogs();
  else flushTimer ??= setTimeout(flushLogs, FLUSH_AFTER_MS);
}
globalThis.addEventListener("unload", flushLogs);

// The ISO time of the current millisecond, formatted once however many lines it stamps.
let stampedAt = NaN;
let stamp = "";
function timestamp(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = new Date(now).toISOString();
  }
  return stamp;
}

/** Creates a JSON-lines logger; `write` defaults to stdout/stderr and is replaceable in tests. */
export function createLogger(
  level: LogLevel = "info",
  write: (line: string, level: LogLevel) => void = defaultWrite,
): Logger {
  const emit = (l: LogLevel) => {
    const head = `{"ts":"`;
    const mid = `","level":${JSON.stringify(l)},"msg":`;
    return (msg: string, fields?: Record<string, unknown>) => {
      if (rank[l] < rank[level]) return;
      // The access log writes one line per request: the line is spliced from the fields' own JSON rather
      // than spread into a new object (a field named like ts, level or msg still wins, as a later key).
      const rest = fields ? JSON.stringify(fields) : "{}";
      write(
        `${head}${timestamp()}${mid}${JSON.stringify(msg)}${rest === "{}" ? "}" : `,${rest.slice(1)}`}`,
        l,
      );
    };
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that drops everything (tests that do not inspect logs). */
export const silentLogger: Logger = createLogger("error", () => {});
