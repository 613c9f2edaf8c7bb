/** One JSON object per line on stdout/stderr, so a log shipper can parse every line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Lines gathered to be written together (the access log's: one line per request). */
export interface LineBuffer {
  push(line: string): void;
  /** Hands everything gathered to the writer now. */
  flush(): void;
}

const FLUSH_AFTER_MS = 20;
const FLUSH_AT_CHARS = 64 * 1024;

/**
 * Gathers lines and hands them to `write` as one text (each line ending in "\n"), at most FLUSH_AFTER_MS
 * after the first one waits or at once when 64 K characters wait: a request never waits on a write of its
 * own, and a busy gateway makes about fifty writes a second rather than one per request or per event-loop
 * turn (at 25k req/s those writes and their timers were about a tenth of GET /health's CPU, #14). `write`
 * is synchronous, so what is left at exit is written too, in order.
 */
export function lineBuffer(write: (text: string) => void): LineBuffer {
  let lines: string[] = [];
  let chars = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!lines.length) return;
    const text = lines.join("\n") + "\n";
    lines = [];
    chars = 0;
    write(text);
  };
  globalThis.addEventListener("unload", flush);
  return {
    push(line) {
      lines.push(line);
      chars += line.length;
      if (chars >= FLUSH_AT_CHARS) flush();
      else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
    },
    flush,
  };
}

const encoder = new TextEncoder();
const stdoutLines = lineBuffer((text) => {
  const bytes = encoder.encode(text);
  for (let off = 0; off < bytes.length;) off += Deno.stdout.writeSync(bytes.subarray(off));
});

// The default sink: info and debug lines (the access log's among them) go to stdout through a line buffer;
// warnings and errors go to stderr at once, after the lines gathered before them.
function defaultWrite(line: string, l: LogLevel): void {
  if (l === "error" || l === "warn") {
    stdoutLines.flush();
    console.error(line);
    return;
  }
  stdoutLines.push(line);
}

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
