/** `deno task sandbox`: runs the sandbox engine standalone until SIGINT/SIGTERM. */
import { startSandbox } from "./mod.ts";

const DEV_KEY = "sandbox-dev-key";

if (import.meta.main) {
  const port = Number(Deno.env.get("SANDBOX_PORT") ?? 8080);
  const apiKey = Deno.env.get("AUTHENTICATION_API_KEY") || DEV_KEY;
  const sandbox = await startSandbox({
    apiKey,
    port,
    globalWebhookUrl: Deno.env.get("WEBHOOK_GLOBAL_URL") || undefined,
    webhookConcurrency: Number(Deno.env.get("SANDBOX_WEBHOOK_CONCURRENCY")) || undefined,
    log: (line) => console.log(`[sandbox] ${line}`),
  });
  console.log(`Sandbox engine (Evolution API 2.3.7 subset) listening on ${sandbox.url}`);
  if (apiKey === DEV_KEY) console.log(`AUTHENTICATION_API_KEY not set; using the dev key: ${DEV_KEY}`);
  const shutdown = async () => {
    console.log("Stopping sandbox engine…");
    await sandbox.stop();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", shutdown);
  Deno.addSignalListener("SIGTERM", shutdown);
}
