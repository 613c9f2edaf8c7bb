/** One JSON object per line on stdout/stderr, so a log shipper can parse every line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Creates a JSON-lines logger; `write` defaults to console output and is replaceable in tests. */
export function createLogger(
  level: LogLevel = "info",
  write: (line: string, level: LogLevel) => void = (line, l) =>
    l === "error" || l === "warn" ? console.error(line) : console.log(line),
): Logger {
  const emit = (l: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (rank[l] < rank[level]) return;
    write(JSON.stringify({ ts: new Date().toISOString(), level: l, msg, ...fields }), l);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that drops everything (tests that do not inspect logs). */
export const silentLogger: Logger = createLogger("error", () => {});
