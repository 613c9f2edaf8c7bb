// Three gateway processes (`deno run -A main.ts`) on one PostgreSQL database and one Redis, every worker
// ticking every 2 s on shared wall-clock slots (WORKER_TICK_MS, test-only): each tick of each worker runs
// in exactly one of them.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { createTestDatabase } from "./_helpers/db.ts";
import { freePort, needs, TEST_REDIS_URL } from "./_helpers/services.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const WORKERS = [
  "reconnect",
  "backup",
  "cleanup",
  "log-rotation",
  "webhook-dispatch",
  "campaigns",
  "daily-counts",
];

function spawnGateway(env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "/root", ...env },
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

async function waitHealthy(port: number, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gateway on ${port} did not start`);
}

needs("postgres", "redis").test(
  "three gateway processes: each worker's tick runs once across them",
  async () => {
    await using db = await createTestDatabase();
    const backups = await Deno.makeTempDir({ prefix: "taguato-cluster-" });
    const children: Deno.ChildProcess[] = [];
    const stderr: Promise<string>[] = [];
    const start = async () => {
      const port = freePort();
      const child = spawnGateway({
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        GATEWAY_PORT: String(port),
        SANDBOX_PORT: "0",
        ADMIN_PASSWORD: "Cluster123!",
        BACKUP_DIR: backups,
        WORKER_TICK_MS: "2000",
        LOG_LEVEL: "error",
      });
      children.push(child);
      stderr.push(new Response(child.stderr).text());
      await waitHealthy(port);
    };
    try {
      // The first builds the island bundle if needed; the other two then start together.
      await start();
      await Promise.all([start(), start()]);
      const since = new Date();
      // Wait until every worker has run in at least four slots after all three were up.
      for (let i = 0; i < 300; i++) {
        const rows = await db.sql<{ name: string; n: number }[]>`
        SELECT name, count(*)::int AS n FROM taguato.worker_runs WHERE slot > ${since} GROUP BY name`;
        if (rows.length === WORKERS.length && rows.every((r) => r.n >= 4)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      for (const c of children) c.kill("SIGTERM");
      await Promise.all(children.map((c) => c.status));
    }
    const logs = (await Promise.all(stderr)).join("\n");
    try {
      const runs = await db.sql<{ name: string; slot: Date; holder: string }[]>`
      SELECT name, slot, holder FROM taguato.worker_runs WHERE slot IS NOT NULL ORDER BY slot`;
      const perSlot = new Map<string, number>();
      for (const r of runs) {
        const key = `${r.name}@${r.slot.toISOString()}`;
        perSlot.set(key, (perSlot.get(key) ?? 0) + 1);
      }
      assert([...perSlot.values()].every((n) => n === 1), "a slot ran twice");
      for (const w of WORKERS) {
        assert(runs.filter((r) => r.name === w).length >= 4, `${w} ran in at least four slots`);
      }
      // The lease, not luck: three processes competed for every slot and nobody tripped the unique index.
      assert(!logs.includes("worker_runs_name_slot_key"), logs);
      assert(!logs.includes("worker tick failed"), logs);
      const holders = new Set(runs.map((r) => r.holder));
      assert(holders.size >= 1);
      console.log(`slots run: ${perSlot.size}, by ${holders.size} of 3 processes`);
      const failed = await db.sql`SELECT name, error FROM taguato.worker_runs WHERE NOT ok`;
      assertEquals(failed.map((f) => [f.name, f.error]), []);
    } finally {
      await Deno.remove(backups, { recursive: true });
    }
  },
);
