// Which real servers the tests can reach. Probed once per `deno test` process (each test module is its
// own isolate, so the answer is kept in the process environment for the next ones): without PostgreSQL
// the test databases are embedded PGlite (db.ts), without Redis the in-memory cache stands in (app.ts),
// and the tests that need the real thing say so with `needs(...)` and are reported as ignored.

/** Server used by the tests; override with TEST_DATABASE_URL (must allow CREATE DATABASE). */
export const TEST_PG_URL = Deno.env.get("TEST_DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = Deno.env.get("TEST_REDIS_URL") ?? "redis://127.0.0.1:6379";

export type Service = "postgres" | "redis";

const LABEL: Record<Service, string> = { postgres: "PostgreSQL", redis: "Redis" };
const PROBED = "TAGUATO_TEST_SERVICES";
/** Set by tests/_helpers/run_tests.ts: where each skipping test writes one line for the closing summary. */
export const SKIP_LOG = "TAGUATO_TEST_SKIP_LOG";

/** Whether something accepts a TCP connection at the URL's host and port within `timeoutMs`. */
async function listening(url: string, defaultPort: number, timeoutMs = 500): Promise<boolean> {
  const u = new URL(url);
  const connecting = Deno.connect({
    hostname: u.hostname || "127.0.0.1",
    port: Number(u.port || defaultPort),
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) =>
    timer = setTimeout(() => resolve("timeout"), timeoutMs)
  );
  try {
    const conn = await Promise.race([connecting, timedOut]);
    if (conn === "timeout") {
      connecting.then((c) => c.close(), () => {});
      return false;
    }
    conn.close();
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function probe(): Promise<Record<Service, boolean>> {
  const known = Deno.env.get(PROBED);
  if (known !== undefined) {
    const up = new Set(known.split(","));
    return { postgres: up.has("postgres"), redis: up.has("redis") };
  }
  const [postgres, redis] = await Promise.all([
    listening(TEST_PG_URL, 5432),
    listening(TEST_REDIS_URL, 6379),
  ]);
  Deno.env.set(PROBED, [postgres && "postgres", redis && "redis"].filter(Boolean).join(","));
  return { postgres, redis };
}

/** The servers that answered the probe. */
export const services: Readonly<Record<Service, boolean>> = await probe();

/** Where a service was looked for, for the skip line. */
export const serviceAddress = (s: Service) => {
  const u = new URL(s === "postgres" ? TEST_PG_URL : TEST_REDIS_URL);
  return `${u.hostname}:${u.port || (s === "postgres" ? 5432 : 6379)}`;
};

export const serviceLabel = (s: Service) => LABEL[s];

const ROOT = new URL("../../", import.meta.url).href;

/** The test module that called `needs`, relative to the repository root. */
function callerModule(): string {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  for (const frame of frames) {
    const file = /(file:\/\/[^\s)]+?):\d+:\d+/.exec(frame)?.[1];
    if (file && file !== import.meta.url) return file.startsWith(ROOT) ? file.slice(ROOT.length) : file;
  }
  return "(unknown module)";
}

export interface Needs {
  /** True when a needed server is not reachable. */
  readonly ignore: boolean;
  /** `Deno.test(name, { ignore }, fn)`, noting an ignored test for the summary line. */
  test(name: string, fn: (t: Deno.TestContext) => void | Promise<void>): void;
}

/**
 * Tests that need real servers: `const onPostgres = needs("postgres");` once in the module, then
 * `onPostgres.test("two replicas …", async () => …)`. Without the server the test is ignored and noted
 * for the one summary line of `deno task test` (tests/_helpers/run_tests.ts).
 */
export function needs(...what: Service[]): Needs {
  const missing = (["postgres", "redis"] as const).filter((s) => what.includes(s) && !services[s]);
  const ignore = missing.length > 0;
  return {
    ignore,
    test(name, fn) {
      if (ignore) noteSkip({ missing, module: callerModule() });
      Deno.test(name, { ignore }, fn);
    },
  };
}

function noteSkip(skip: Skip) {
  const log = Deno.env.get(SKIP_LOG);
  if (log) {
    Deno.writeTextFileSync(log, `${skip.missing.join(",")}\t${skip.module}\n`, { append: true });
    return;
  }
  // Run outside `deno task test` (one file by hand): one line for this module when it is done.
  if (skippedHere.length === 0) {
    globalThis.addEventListener("unload", () => console.log(skipLine(skippedHere)));
  }
  skippedHere.push(skip);
}

const skippedHere: Skip[] = [];

export interface Skip {
  missing: Service[];
  module: string;
}

/** "skipped 3 tests for want of PostgreSQL at 127.0.0.1:5432: a_test.ts (2); for want of Redis at …: …" */
export function skipLine(skips: Skip[]): string {
  const parts: string[] = [];
  for (const s of ["postgres", "redis"] as const) {
    const counts = new Map<string, number>();
    // A test missing both servers is listed under PostgreSQL only.
    for (const k of skips.filter((k) => k.missing[0] === s)) {
      counts.set(k.module, (counts.get(k.module) ?? 0) + 1);
    }
    if (counts.size === 0) continue;
    const list = [...counts].map(([m, n]) => `${m} (${n})`).join(", ");
    parts.push(`for want of ${serviceLabel(s)} at ${serviceAddress(s)}: ${list}`);
  }
  const n = skips.length;
  return `skipped ${n} test${n === 1 ? "" : "s"} ${parts.join("; ")}`;
}

/** A loopback port nothing listens on right now (for a server a test starts, or a dead endpoint). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/**
 * The V8 flags `deno task start` runs the gateway with (read from deno.json), so a bench that starts
 * `main.ts` itself measures the process as operators run it.
 */
export async function startTaskFlags(): Promise<string[]> {
  const root = new URL("../../", import.meta.url);
  const tasks = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).tasks as Record<
    string,
    string
  >;
  return tasks.start.split(/\s+/).filter((arg) => arg.startsWith("--v8-flags="));
}
