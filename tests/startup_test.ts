import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { readMigrations } from "../lib/core/mod.ts";
import { createTestDatabase } from "./_helpers/db.ts";
import { freePort, needs } from "./_helpers/services.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Runs `deno run -A main.ts` with exactly the given environment (plus PATH/HOME) and collects its output. */
function spawnGateway(env: Record<string, string>, args: string[] = []) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: ROOT,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/root", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return child;
}

/** Kills the gateway if it still runs and drains its pipes, so nothing outlives the test. */
async function stopGateway(child: Deno.ChildProcess) {
  try {
    child.kill("SIGKILL");
  } catch { /* already exited */ }
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
  await child.status;
}

async function waitFor(url: string, ms: number): Promise<Response> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return res;
      await res.body?.cancel();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

Deno.test("with nothing configured the gateway starts embedded, serves the panel and the sandbox, and stops on SIGTERM", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "taguato-start-" });
  const port = freePort();
  const sandboxPort = freePort();
  const child = spawnGateway({
    DATA_DIR: dataDir,
    GATEWAY_PORT: String(port),
    SANDBOX_PORT: String(sandboxPort),
    ADMIN_PASSWORD: "Bootstrap123",
  });
  try {
    // A bound on "starts at all", not a speed check (start-up time is in bench/): a loaded machine is slow.
    const health = await waitFor(`http://127.0.0.1:${port}/health`, 90_000);
    assertEquals(await health.json(), { status: "ok", gateway: "taguato", db: "connected", cache: "memory" });
    const panel = await fetch(`http://127.0.0.1:${port}/panel/`);
    assertEquals(panel.status, 200);
    assertStringIncludes(await panel.text(), "data-island=");
    const engine = await (await fetch(`http://127.0.0.1:${sandboxPort}/`)).json();
    assertEquals(engine.version, "2.3.7");
    child.kill("SIGTERM");
    const status = await child.status;
    assertEquals(status.code, 0);
    const out = decoder.decode(await new Response(child.stdout).arrayBuffer());
    assertStringIncludes(out, '"mode":"embedded"');
    assertStringIncludes(out, '"msg":"shutting down"');
  } finally {
    await stopGateway(child);
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("an unreachable DATABASE_URL stops start-up with one clear line", async () => {
  const out = await spawnGateway({ DATABASE_URL: "postgres://nobody@127.0.0.1:1/x" }).output();
  assertEquals(out.code, 1);
  const err = decoder.decode(out.stderr).trim();
  assertEquals(err.split("\n").length, 1, err);
  assertStringIncludes(err, "taguato: cannot connect to PostgreSQL at postgres://nobody@127.0.0.1:1/x");
});

Deno.test("invalid settings stop start-up with one line that lists every problem", async () => {
  const out = await spawnGateway({
    GATEWAY_PORT: "http",
    LOG_LEVEL: "chatty",
    EVOLUTION_API_URL: "http://evo",
  })
    .output();
  assertEquals(out.code, 1);
  const err = decoder.decode(out.stderr).trim();
  assertEquals(err.split("\n").length, 1, err);
  assertStringIncludes(err, "taguato: invalid configuration:");
  for (const name of ["GATEWAY_PORT", "LOG_LEVEL", "AUTHENTICATION_API_KEY"]) assertStringIncludes(err, name);
});

const onPostgres = needs("postgres");
onPostgres.test("two processes started at once against one empty database apply every migration exactly once", async () => {
  await using db = await createTestDatabase({ migrate: false });
  const env = { DATABASE_URL: db.url, LOG_LEVEL: "info" };
  const [a, b] = await Promise.all([
    spawnGateway(env, ["--migrate-only"]).output(),
    spawnGateway(env, ["--migrate-only"]).output(),
  ]);
  assertEquals([a.code, b.code], [0, 0]);
  const applied = [a, b].flatMap((o) => {
    const line = decoder.decode(o.stdout).split("\n").find((l) => l.includes('"database ready"'))!;
    return JSON.parse(line).migrations_applied as number[];
  }).sort((x, y) => x - y);
  const expected = (await readMigrations(new URL("../migrations/", import.meta.url))).map((m) => m.version);
  assertEquals(applied, expected);
  const rows = await db.sql`SELECT version FROM taguato.schema_migrations ORDER BY version`;
  assertEquals(rows.map((r) => r.version), expected);
});

onPostgres.test("SIGTERM lets an in-flight request finish before the process exits", async () => {
  const db = await createTestDatabase({ migrate: false });
  const port = freePort();
  const sandboxPort = freePort();
  const key = "shutdown-test-engine-key";
  const child = spawnGateway({
    DATABASE_URL: db.url,
    GATEWAY_PORT: String(port),
    SANDBOX_PORT: String(sandboxPort),
    AUTHENTICATION_API_KEY: key,
    ADMIN_PASSWORD: "Bootstrap123",
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await (await waitFor(`${base}/health`, 90_000)).body?.cancel();
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      body: JSON.stringify({ username: "admin", password: "Bootstrap123" }),
    });
    const { token } = await login.json();
    // Every engine call now takes 1.5 s, so the proxied request below is in flight when SIGTERM arrives.
    const slow = await fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/latency`, {
      method: "POST",
      headers: { apikey: key, "content-type": "application/json" },
      body: JSON.stringify({ ms: 1500 }),
    });
    await slow.body?.cancel();
    let answered = false;
    const inFlight = fetch(`${base}/instance/fetchInstances`, { headers: { apikey: token } })
      .finally(() => answered = true);
    await new Promise((r) => setTimeout(r, 400));
    assert(!answered, "the request was still in flight when SIGTERM was sent");
    child.kill("SIGTERM");
    const res = await inFlight;
    assertEquals(res.status, 200);
    assertEquals(await res.json(), []);
    assertEquals((await child.status).code, 0);
    // The listener is gone once the process has exited.
    const after = await fetch(`${base}/health`).then(
      (r) => r.body?.cancel().then(() => "answered"),
      () => "refused",
    );
    assertEquals(after, "refused");
  } finally {
    await stopGateway(child);
    await db.drop();
  }
});
