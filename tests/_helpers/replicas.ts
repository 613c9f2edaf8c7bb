// A cluster for the scale-out tests: N real gateway processes (`deno run -A main.ts`, each on its own
// loopback port) on one PostgreSQL database and one Redis key prefix, in front of one sandbox engine served
// by the test process (so its request log is at hand). Replicas can be killed (SIGKILL) and restarted on
// the same port. `deps` reaches the same database, cache and engine from the test, for running a worker at
// a chosen clock.
import { createSession } from "../../lib/auth/mod.ts";
import {
  type AppDeps,
  type Clock,
  createRedisCache,
  loadConfig,
  ManualClock,
  silentLogger,
  systemClock,
} from "../../lib/core/mod.ts";
import { createEvolutionClient } from "../../lib/gateway/mod.ts";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../lib/sandbox/mod.ts";
import { sandboxControl } from "../../lib/sandbox/testing.ts";
import { ENGINE_KEY } from "./app.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";
import { send, type SendOptions } from "./http.ts";
import { freePort, TEST_REDIS_URL } from "./services.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const APP_SECRET = "replica-cluster-secret-0123456789abcdef";
export const ADMIN_PASSWORD = "Replicas123!x";

export interface Replica {
  readonly index: number;
  readonly port: number;
  readonly url: string;
  /** The running process, or null while killed. */
  child: Deno.ChildProcess | null;
  /** Everything the process wrote to stderr, over all its lives. */
  stderr: string;
}

export interface ClusterOptions {
  replicas?: number;
  /** Extra environment of every replica (e.g. WORKER_TICK_MS). */
  env?: Record<string, string>;
  sandbox?: Partial<SandboxOptions>;
}

export interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

export interface Cluster {
  db: TestDatabase;
  sandbox: Sandbox;
  /** One line per engine request the sandbox received: `METHOD /path -> status (ms)`. */
  engineLog: string[];
  control: ReturnType<typeof sandboxControl>;
  replicas: Replica[];
  /** The same database, Redis prefix, engine and secret as the replicas, from the test process. */
  deps: AppDeps;
  /** `deps` with a clock `aheadMs` in the future (a worker pass "later", without waiting). */
  later(aheadMs: number): AppDeps;
  call(replica: number, method: string, path: string, opts?: SendOptions): Promise<Answer>;
  kill(replica: number): Promise<Deno.CommandStatus>;
  /** Starts a killed replica again on its port and waits for /health. */
  restart(replica: number): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function spawnReplica(port: number, env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/root",
      ...env,
      GATEWAY_PORT: String(port),
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

async function drain(replica: Replica, child: Deno.ChildProcess) {
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) replica.stderr += chunk;
}

async function waitHealthy(replica: Replica, child: Deno.ChildProcess, ms = 90_000) {
  const until = Date.now() + ms;
  let exited = false;
  child.status.then(() => exited = true);
  while (Date.now() < until && !exited) {
    const ok = await fetch(`${replica.url}/health`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`replica ${replica.index} on ${replica.port} did not start:\n${replica.stderr}`);
}

/** Parses an answer's body as JSON when it is JSON. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Starts the sandbox, a fresh database and `replicas` gateway processes (default 3). The first starts
 * alone (it applies the migrations and builds the island bundle if needed); the others start together.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const engineLog: string[] = [];
  const db = await createTestDatabase();
  const sandbox = await startSandbox({
    apiKey: ENGINE_KEY,
    port: 0,
    hostname: "127.0.0.1",
    ackDelaysMs: [5, 5, 5],
    // A replica that is down gets its engine events again once it is back (Evolution retries too).
    webhookRetryDelaysMs: Array(120).fill(500),
    ...options.sandbox,
    log: (line) => engineLog.push(line),
  });
  const prefix = `taguato-replicas:${crypto.randomUUID()}:`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    EVOLUTION_API_URL: sandbox.url,
    AUTHENTICATION_API_KEY: ENGINE_KEY,
    APP_SECRET,
    ADMIN_PASSWORD,
    DATABASE_POOL_SIZE: "5",
    LOG_LEVEL: "error",
    // One client address sends everything here; the per-IP limit is not what these tests count.
    SEND_RATE_LIMIT_PER_SECOND: "1000000",
    // Two shared cores stall event loops past the production 250 ms; a Redis command that merely waited for
    // its process would fall back to per-process counting, which is not what these tests examine.
    REDIS_COMMAND_TIMEOUT_MS: "5000",
    ...options.env,
  };
  const config = loadConfig(env);
  const cache = await createRedisCache(TEST_REDIS_URL, prefix);
  const deps: AppDeps = {
    config,
    sql: db.sql,
    dbMode: "postgres",
    cache,
    evolution: createEvolutionClient({ baseUrl: sandbox.url, apiKey: ENGINE_KEY, timeoutMs: 10_000 }),
    clock: systemClock,
    log: silentLogger,
  };
  const replicas: Replica[] = Array.from({ length: options.replicas ?? 3 }, (_, index) => {
    const port = freePort();
    return { index, port, url: `http://127.0.0.1:${port}`, child: null, stderr: "" };
  });
  const start = async (r: Replica) => {
    const child = spawnReplica(r.port, env);
    r.child = child;
    drain(r, child).catch(() => {});
    await waitHealthy(r, child);
  };
  const kill = async (i: number) => {
    const child = replicas[i].child;
    if (!child) throw new Error(`replica ${i} is not running`);
    replicas[i].child = null;
    child.kill("SIGKILL");
    return await child.status;
  };
  const close = async () => {
    for (const r of replicas) {
      try {
        r.child?.kill("SIGTERM");
      } catch { /* already gone */ }
    }
    await Promise.all(replicas.map((r) => r.child?.status));
    await cache.close();
    await sandbox.stop();
    await db.drop();
  };
  try {
    await start(replicas[0]);
    await Promise.all(replicas.slice(1).map(start));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    db,
    sandbox,
    engineLog,
    control: sandboxControl(sandbox.url, ENGINE_KEY),
    replicas,
    deps,
    later: (aheadMs: number) => ({ ...deps, clock: new ManualClock(Date.now() + aheadMs) as Clock }),
    async call(replica, method, path, opts = {}) {
      const { status, text, headers } = await send(replicas[replica].url + path, method, opts);
      return { status, body: parse(text), headers };
    },
    kill,
    restart: (i) => start(replicas[i]),
    close,
    [Symbol.asyncDispose]: close,
  };
}

export interface ClusterUser {
  id: number;
  username: string;
  token: string;
}

let seq = 0;

/** Inserts a user and opens a session for it (no password: these users do not log in). */
export async function clusterUser(
  cluster: Cluster,
  opts: { rateLimit?: number | null; maxInstances?: number } = {},
): Promise<ClusterUser> {
  const username = `r${Date.now().toString(36)}${seq++}`;
  const [row] = await cluster.db.sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, role, max_instances, rate_limit, must_change_password)
    VALUES (${username}, 'not-a-login-hash', 'user', ${opts.maxInstances ?? 5}, ${opts.rateLimit ?? null},
            false)
    RETURNING id`;
  const { token } = await createSession(cluster.deps, { id: row.id }, { ip: "127.0.0.1", userAgent: "test" });
  return { id: row.id, username, token };
}

/**
 * Creates `name` through replica `via` (POST /instance/create: ownership row, and the engine's webhook
 * pointed at that replica), then scans it open in the sandbox.
 */
export async function openInstance(cluster: Cluster, owner: ClusterUser, name: string, via: number) {
  const r = await cluster.call(via, "POST", "/instance/create", {
    token: owner.token,
    body: { instanceName: name, integration: "WHATSAPP-BAILEYS" },
  });
  if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  await cluster.control.scan(name, { phone: "595981000001" });
}

/** Outbound messages the sandbox holds for `instance`: engine message id → number, one entry per message. */
export async function engineMessages(cluster: Cluster, instance: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let page = 1;; page++) {
    const res = await fetch(`${cluster.sandbox.url}/chat/findMessages/${instance}`, {
      method: "POST",
      headers: { apikey: ENGINE_KEY, "content-type": "application/json" },
      body: JSON.stringify({ where: { key: { fromMe: true } }, page, offset: 1000 }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(`findMessages ${res.status}: ${JSON.stringify(body)}`);
    const records = body.messages.records as { key: { id: string; remoteJid: string; fromMe: boolean } }[];
    for (const r of records) if (r.key.fromMe) out.set(r.key.id, r.key.remoteJid.split("@")[0]);
    if (records.length < 1000) return out;
  }
}

/** How many `POST /message/sendText/{instance}` requests the engine received (its request log). */
export const engineSendCalls = (cluster: Cluster, instance: string) =>
  cluster.engineLog.filter((l) => l.startsWith(`POST /message/sendText/${instance} `)).length;

/** Polls `probe` until it returns a truthy value; fails after `timeoutMs` naming `what`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  timeoutMs = 30_000,
): Promise<Exclude<T, false | null | undefined | 0 | "">> {
  const end = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await probe();
    if (last) return last as Exclude<T, false | null | undefined | 0 | "">;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < end);
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
