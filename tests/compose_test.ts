import { parse } from "yaml";
import { assert, assertEquals } from "../lib/core/testing.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const hasCompose = await new Deno.Command("sh", { args: ["-c", "command -v docker-compose"] }).output()
  .then((o) => o.success, () => false);

Deno.test({
  name:
    "docker-compose.yml is valid and runs gateway, Evolution v2.3.7, postgres:15 and redis:7 with health checks",
  ignore: !hasCompose,
  async fn() {
    const envFile = `${ROOT}.env`;
    const hadEnv = await Deno.stat(envFile).then(() => true, () => false);
    // compose refuses to resolve `env_file: .env` when the file is missing; an empty one means defaults.
    if (!hadEnv) await Deno.writeTextFile(envFile, "");
    try {
      const out = await new Deno.Command("docker-compose", { args: ["config"], cwd: ROOT, stderr: "piped" })
        .output();
      assert(out.success, new TextDecoder().decode(out.stderr));
      const config = parse(new TextDecoder().decode(out.stdout));
      const s = config.services;
      assertEquals(Object.keys(s).sort(), ["evolution", "gateway", "postgres", "redis"]);
      assertEquals(s.evolution.image, "evoapicloud/evolution-api:v2.3.7");
      assertEquals(s.postgres.image, "postgres:15");
      assertEquals(s.redis.image, "redis:7");
      assert(s.postgres.healthcheck?.test, "postgres has no health check");
      assert(s.redis.healthcheck?.test, "redis has no health check");
      assertEquals(s.gateway.depends_on.postgres.condition, "service_healthy");
      assertEquals(s.gateway.environment.EVOLUTION_API_URL, "http://taguato-api:8080");
      assertEquals(s.gateway.environment.GATEWAY_INTERNAL_URL, "http://taguato-gateway:8000");
      assert(String(s.gateway.environment.DATABASE_URL).startsWith("postgres://"));
      assert(String(s.gateway.environment.REDIS_URL).startsWith("redis://"));
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
    } finally {
      if (!hadEnv) await Deno.remove(envFile);
    }
  },
});
