// docker-compose.yml (the production quick start) and docker-compose.scale.yml (three gateway replicas
// behind nginx, two engines) as `docker-compose config` resolves them: Debian's docker-compose needs no
// engine for that. The Dockerfile and nginx configuration are checked alongside.
import { parse } from "yaml";
import { assert, assertEquals } from "../lib/core/testing.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const has = (cmd: string) =>
  new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`] }).output().then((o) => o.success, () => false);
const hasCompose = await has("docker-compose");
const hasNginx = await has("nginx");
const dec = new TextDecoder();

/** The secrets compose requires (no defaults), as an operator's .env would set them. */
const SECRETS = {
  AUTHENTICATION_API_KEY: "engine-key-1",
  EVOLUTION_2_API_KEY: "engine-key-2",
  POSTGRES_PASSWORD: "pg-secret",
  REDIS_PASSWORD: "redis-secret",
};

// deno-lint-ignore no-explicit-any
type Config = { services: Record<string, any>; networks?: Record<string, any> };

/** Runs `docker-compose [-f …] config` with an empty .env when there is none (env_file needs one). */
async function composeConfig(files: string[], env: Record<string, string> = SECRETS) {
  const envFile = `${ROOT}.env`;
  const hadEnv = await Deno.stat(envFile).then(() => true, () => false);
  if (!hadEnv) await Deno.writeTextFile(envFile, "");
  try {
    const out = await new Deno.Command("docker-compose", {
      args: [...files.flatMap((f) => ["-f", f]), "config"],
      cwd: ROOT,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      ok: out.success,
      hadEnv,
      stderr: dec.decode(out.stderr),
      config: parse(dec.decode(out.stdout)) as Config,
    };
  } finally {
    if (!hadEnv) await Deno.remove(envFile);
  }
}

const BASE = ["docker-compose.yml"];
const SCALED = ["docker-compose.yml", "docker-compose.scale.yml"];

const limited = (svc: { deploy?: { resources?: { limits?: { cpus?: unknown; memory?: unknown } } } }) =>
  !!svc.deploy?.resources?.limits?.cpus && !!svc.deploy?.resources?.limits?.memory;

/** Environment without the keys that are meant to differ. */
function envWithout(env: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !keys.includes(k)));
}

Deno.test({
  name:
    "docker-compose.yml is valid and runs gateway, Evolution v2.3.7, postgres:15 and redis:7 with health checks",
  ignore: !hasCompose,
  async fn() {
    const { ok, stderr, config } = await composeConfig(BASE);
    assert(ok, stderr);
    const s = config.services;
    assertEquals(Object.keys(s).sort(), ["evolution", "gateway", "postgres", "redis"]);
    assertEquals(s.evolution.image, "evoapicloud/evolution-api:v2.3.7");
    assertEquals(s.postgres.image, "postgres:15");
    assertEquals(s.redis.image, "redis:7");
    for (const name of Object.keys(s)) {
      assert(s[name].healthcheck?.test, `${name} has no health check`);
      assert(limited(s[name]), `${name} has no cpu and memory limits`);
    }
    assertEquals(s.gateway.depends_on.postgres.condition, "service_healthy");
    assertEquals(s.gateway.environment.EVOLUTION_API_URL, "http://taguato-api:8080");
    assertEquals(s.gateway.environment.GATEWAY_INTERNAL_URL, "http://taguato-gateway:8000");
    assert(String(s.gateway.environment.DATABASE_URL).startsWith("postgres://"));
    // Redis runs with the operator's password, and every client uses it.
    assertEquals(s.redis.command.slice(0, 3), ["redis-server", "--requirepass", SECRETS.REDIS_PASSWORD]);
    assertEquals(new URL(s.gateway.environment.REDIS_URL).password, SECRETS.REDIS_PASSWORD);
    assertEquals(new URL(s.evolution.environment.CACHE_REDIS_URI).password, SECRETS.REDIS_PASSWORD);
    // The engine has its own role and database and never sees the gateway's .env secrets.
    assertEquals(s.evolution.env_file, undefined);
    const engineDb = new URL(String(s.evolution.environment.DATABASE_CONNECTION_URI));
    assertEquals([engineDb.username, engineDb.pathname], ["evolution", "/evolution_engine"]);
    assert(!Object.values(s.evolution.environment).includes(s.postgres.environment.POSTGRES_PASSWORD));
    const init = (s.postgres.volumes as { source?: string; target: string }[] | string[])
      .map((v) => typeof v === "string" ? v.split(":")[1] : v.target);
    assert(init.includes("/docker-entrypoint-initdb.d"), "postgres mounts the role init script");
    const script = await Deno.readTextFile(`${ROOT}docker/postgres-init/10-evolution-role.sh`);
    assert(/CREATE ROLE evolution LOGIN/.test(script) && /OWNER evolution/.test(script), script);
    assert(!/GRANT[^;]*taguato/i.test(script), "nothing is granted on the gateway's schema");
  },
});

Deno.test({
  name: "compose refuses to run without the Redis and PostgreSQL passwords and the engine key",
  ignore: !hasCompose,
  async fn() {
    for (const missing of ["REDIS_PASSWORD", "POSTGRES_PASSWORD", "AUTHENTICATION_API_KEY"] as const) {
      const env: Record<string, string> = { ...SECRETS };
      delete env[missing];
      const r = await composeConfig(BASE, env);
      // An operator's own .env may set it: then there is nothing to refuse.
      if (r.hadEnv) continue;
      assert(!r.ok, `config passed without ${missing}`);
      assert(r.stderr.includes(`set ${missing} in .env`), r.stderr);
    }
  },
});

Deno.test("the gateway image runs as the unprivileged deno user, with a health check", async () => {
  const lines = (await Deno.readTextFile(`${ROOT}Dockerfile`)).split("\n").filter((l) => /^[A-Z]/.test(l));
  const user = lines.findIndex((l) => l.startsWith("USER "));
  assertEquals(lines[user], "USER deno");
  // Everything after the ownership fix runs as deno: dependency install, build and the server.
  for (const step of ["RUN deno install", "RUN deno task build", "CMD "]) {
    assert(lines.findIndex((l) => l.startsWith(step)) > user, `${step} runs before USER`);
  }
  assert(lines.filter((l) => l.startsWith("COPY")).every((l) => l.includes("--chown=deno:deno")));
  assert(lines.some((l) => l.startsWith("HEALTHCHECK")), "no HEALTHCHECK");
  assertEquals(lines.filter((l) => l.startsWith("USER ")).length, 1, "no switch back to root");
});

Deno.test({
  name: "docker-compose.scale.yml runs three gateway replicas behind nginx and two engines",
  ignore: !hasCompose,
  async fn() {
    const base = (await composeConfig(BASE)).config.services;
    const { ok, stderr, config } = await composeConfig(SCALED);
    assert(ok, stderr);
    const s = config.services;
    assertEquals(Object.keys(s).sort(), [
      "evolution",
      "evolution-2",
      "gateway",
      "gateway-1",
      "gateway-2",
      "gateway-3",
      "lb",
      "postgres",
      "redis",
    ]);
    // The single gateway stays out (its port is the balancer's) unless asked for.
    assertEquals(s.gateway.profiles, ["single"]);
    const lbAddress = s.lb.networks["taguato-network"].ipv4_address;
    const subnet = config.networks!["taguato-network"].ipam.config[0].subnet;
    assertEquals([lbAddress, subnet], ["172.30.77.10", "172.30.77.0/24"]);
    assertEquals(s.lb.ports.map((p: { published: number; target: number }) => [p.published, p.target]), [[
      80,
      80,
    ]]);
    for (const name of ["gateway-1", "gateway-2", "gateway-3"]) {
      const g = s[name];
      assertEquals(g.container_name, `taguato-${name}`);
      assertEquals(g.ports, undefined, `${name} publishes no port of its own`);
      assertEquals(s.lb.depends_on[name].condition, "service_healthy");
      assert(g.healthcheck?.test && limited(g), name);
      assertEquals(g.environment.TRUSTED_PROXIES, `${lbAddress}/32`, "only the balancer is trusted");
      assertEquals(g.environment.GATEWAY_INTERNAL_URL, "http://taguato-lb:80");
      // The replicas are the single gateway but for the balancer's settings (they are written twice).
      const differ = ["TRUSTED_PROXIES", "GATEWAY_INTERNAL_URL"];
      assertEquals(envWithout(g.environment, differ), envWithout(base.gateway.environment, differ));
      assertEquals([g.env_file, g.depends_on, g.volumes], [
        base.gateway.env_file,
        base.gateway.depends_on,
        base.gateway.volumes,
      ]);
    }
    // The second engine: same settings, its own key, URL, database and cache prefix.
    const e2 = s["evolution-2"];
    const own = ["AUTHENTICATION_API_KEY", "SERVER_URL", "DATABASE_CONNECTION_URI", "CACHE_REDIS_PREFIX_KEY"];
    assertEquals(envWithout(e2.environment, own), envWithout(base.evolution.environment, own));
    assertEquals(e2.image, base.evolution.image);
    assertEquals(e2.environment.AUTHENTICATION_API_KEY, SECRETS.EVOLUTION_2_API_KEY);
    assert(e2.environment.CACHE_REDIS_PREFIX_KEY !== base.evolution.environment.CACHE_REDIS_PREFIX_KEY);
    const db2 = new URL(e2.environment.DATABASE_CONNECTION_URI).pathname.slice(1);
    assertEquals(db2, "evolution_engine_2");
    assertEquals(s.postgres.environment.EVOLUTION_EXTRA_DATABASES, db2, "the init script creates it");
    // docker-compose v1 prints volumes as "source:target:mode", v2 as objects.
    const sources = (v: (string | { source: string })[]) =>
      v.map((x) => typeof x === "string" ? x.split(":")[0] : x.source);
    const shared = sources(e2.volumes).filter((v) => sources(s.evolution.volumes).includes(v));
    assertEquals(shared, [], "each engine keeps its own instance files");
    // nginx spreads over exactly the three replicas.
    const conf = await Deno.readTextFile(`${ROOT}docker/nginx/gateway-lb.conf`);
    const upstreams = [...conf.matchAll(/^\s*server (\S+):8000\b/gm)].map((m) => m[1]);
    assertEquals(upstreams, ["taguato-gateway-1", "taguato-gateway-2", "taguato-gateway-3"]);
    const init = await new Deno.Command("sh", {
      args: ["-n", `${ROOT}docker/postgres-init/20-engine-databases.sh`],
    })
      .output();
    assert(init.success, "20-engine-databases.sh is valid sh");
  },
});

Deno.test({
  name: "the balancer's nginx configuration passes nginx -t",
  ignore: !hasNginx,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      // The replicas' names only resolve inside compose; loopback stands in for them here.
      const conf = (await Deno.readTextFile(`${ROOT}docker/nginx/gateway-lb.conf`))
        .replaceAll(/taguato-gateway-\d/g, "127.0.0.1");
      await Deno.writeTextFile(`${dir}/lb.conf`, conf);
      await Deno.writeTextFile(
        `${dir}/nginx.conf`,
        `pid ${dir}/nginx.pid; error_log ${dir}/error.log; events {}\nhttp { access_log off; include ${dir}/lb.conf; }\n`,
      );
      const out = await new Deno.Command("nginx", {
        args: ["-t", "-p", dir, "-c", `${dir}/nginx.conf`],
        stderr: "piped",
      })
        .output();
      assert(out.success, dec.decode(out.stderr));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
