/**
 * Start-up time of `deno run -A main.ts` with nothing configured (embedded PGlite, in-memory cache,
 * sandbox engine): from spawn until `GET /health` answers ok.
 * Moved here from tests/startup_test.ts, which checks only that it starts, serves and stops cleanly.
 */
const ROOT = new URL("../", import.meta.url).pathname;

function freePort(): number {
  const l = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const { port } = l.addr as Deno.NetAddr;
  l.close();
  return port;
}

async function healthy(url: string, child: Deno.ChildProcess) {
  for (;;) {
    try {
      const res = await fetch(url);
      const ok = res.ok;
      await res.body?.cancel();
      if (ok) return;
    } catch { /* not listening yet */ }
    const exited = await Promise.race([child.status, new Promise((r) => setTimeout(() => r(null), 100))]);
    if (exited) throw new Error("the gateway exited before it was healthy");
  }
}

Deno.bench({ name: "embedded start-up until /health answers ok", n: 3, warmup: 1 }, async (b) => {
  const dataDir = await Deno.makeTempDir({ prefix: "taguato-bench-start-" });
  const port = freePort();
  b.start();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/root",
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(port),
      SANDBOX_PORT: String(freePort()),
      ADMIN_PASSWORD: "Bootstrap123",
      LOG_LEVEL: "error",
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    await healthy(`http://127.0.0.1:${port}/health`, child);
    b.end();
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(dataDir, { recursive: true });
  }
});
