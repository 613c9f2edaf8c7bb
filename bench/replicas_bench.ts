/**
 * `deno task bench:replicas`: proxied sends (`POST /message/sendText/{instance}`) through three gateway
 * processes behind the compose overlay's load balancer (docker/nginx/gateway-lb.conf, served by a loopback
 * nginx) against one process behind the same balancer and one process called directly, in one run, driven
 * by wrk with a Lua script for the POST. Real PostgreSQL and Redis like the tests; the sandbox engine runs
 * in this process (not in a gateway's event loop) with receipts off, so the send path is what is measured.
 * Prints one table (the median of BENCH_ROUNDS alternating rounds of BENCH_SECONDS each): requests/s,
 * latency, requests made and non-2xx answers.
 */
import { clusterUser, openInstance, startCluster } from "../tests/_helpers/replicas.ts";
import { freePort } from "../tests/_helpers/services.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const CONNECTIONS = Number(Deno.env.get("BENCH_CONNECTIONS") ?? 32);
const NGINX = "/usr/sbin/nginx";
const WRK = "/usr/bin/wrk";
const LB_CONF = new URL("../docker/nginx/gateway-lb.conf", import.meta.url);

/** The overlay's balancer config with its upstream servers swapped for loopback ports and its port for ours. */
async function balancer(ports: number[], listen: number, name: string): Promise<string> {
  const conf = await Deno.readTextFile(LB_CONF);
  const servers = ports.map((p) => `  server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join("\n");
  const out = conf
    .split("\n").filter((line) => !/^\s*server taguato-gateway-\d+:/.test(line)).join("\n")
    .replace("upstream taguato_gateways {", `upstream ${name} {\n${servers}`)
    .replace("proxy_pass http://taguato_gateways;", `proxy_pass http://${name};`)
    .replace(/listen 80;/, `listen 127.0.0.1:${listen};`);
  if (
    out.includes("taguato-gateway-") || !out.includes(`proxy_pass http://${name};`) ||
    !out.includes(`listen 127.0.0.1:${listen}`)
  ) {
    throw new Error("docker/nginx/gateway-lb.conf changed shape: cannot adapt it for the bench");
  }
  return out;
}

async function startNginx(dir: string, servers: string[]): Promise<Deno.ChildProcess> {
  const conf = `${dir}/nginx.conf`;
  await Deno.writeTextFile(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
${servers.join("\n")}
}
`,
  );
  const check = await new Deno.Command(NGINX, { args: ["-t", "-p", dir, "-c", conf], stderr: "piped" })
    .output();
  if (!check.success) throw new Error(`nginx -t: ${new TextDecoder().decode(check.stderr)}`);
  return new Deno.Command(NGINX, {
    args: ["-p", dir, "-c", conf, "-g", "daemon off;"],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

interface WrkResult {
  rps: number;
  p50: string;
  p99: string;
  requests: number;
  non2xx: number;
}

async function wrk(url: string, script: string, seconds = SECONDS): Promise<WrkResult> {
  const out = await new Deno.Command(WRK, {
    args: ["-t", "2", "-c", String(CONNECTIONS), "-d", `${seconds}s`, "--latency", "-s", script, url],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`wrk failed: ${new TextDecoder().decode(out.stderr)}`);
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    p50: /\s50%\s+(\S+)/.exec(text)?.[1] ?? "?",
    p99: /\s99%\s+(\S+)/.exec(text)?.[1] ?? "?",
    requests: num(/(\d+) requests in/),
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
  };
}

const dir = await Deno.makeTempDir({ prefix: "taguato-replicas-bench-" });
const cluster = await startCluster();
let nginx: Deno.ChildProcess | undefined;
try {
  await cluster.control.acks("manual");
  const user = await clusterUser(cluster);
  await openInstance(cluster, user, "bench-inst", 0);
  const ports = cluster.replicas.map((r) => r.port);
  const [lbThree, lbOne] = [freePort(), freePort()];
  nginx = await startNginx(dir, [
    await balancer(ports, lbThree, "three_replicas"),
    await balancer([ports[0]], lbOne, "one_replica"),
  ]);
  const script = `${dir}/send.lua`;
  await Deno.writeTextFile(
    script,
    `wrk.method = "POST"
wrk.body = '{"number":"595981000111","text":"hola desde el bench"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["apikey"] = "${user.token}"
`,
  );
  const path = "/message/sendText/bench-inst";
  // The balancer is up once it answers its own health route.
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${lbThree}/lb-health`).then(
      (r) => r.body?.cancel().then(() => r.ok),
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const targets = [
    ["1 replica, direct", `${cluster.replicas[0].url}${path}`],
    ["1 replica behind nginx", `http://127.0.0.1:${lbOne}${path}`],
    ["3 replicas behind nginx", `http://127.0.0.1:${lbThree}${path}`],
  ] as const;
  // A short warm-up per target (JIT, pools, keep-alive connections), not counted.
  for (const [, url] of targets) await wrk(url, script, 2);
  // Rounds alternate the targets, so load from outside the bench falls on all of them alike; the round
  // with the median rate is reported.
  const runs: WrkResult[][] = targets.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [, url]] of targets.entries()) runs[i].push(await wrk(url, script));
  }
  const rows = targets.map(([name], i): [string, WrkResult] => {
    const sorted = [...runs[i]].sort((a, b) => a.rps - b.rps);
    return [name, sorted[Math.floor(sorted.length / 2)]];
  });
  const base = rows[1][1].rps;
  console.log(
    `\nsendText, wrk ${SECONDS} s x ${CONNECTIONS} connections, median of ${ROUNDS} rounds, ${navigator.hardwareConcurrency} CPUs:`,
  );
  console.log("| target | req/s | vs 1 behind nginx | p50 | p99 | requests | non-2xx |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, r] of rows) {
    console.log(
      `| ${name} | ${r.rps.toFixed(0)} | ${
        base > 0 ? `${(r.rps / base).toFixed(2)}x` : "–"
      } | ${r.p50} | ${r.p99} | ${r.requests} | ${r.non2xx} |`,
    );
  }
} finally {
  nginx?.kill("SIGTERM");
  await nginx?.status;
  await cluster.close();
  await Deno.remove(dir, { recursive: true });
}
