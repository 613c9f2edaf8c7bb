// Helpers for the scheduled-message tests: what the sandbox engine really sent (its message store, read
// through the engine's own chat/findMessages), and running the worker at a chosen moment.
import { ManualClock } from "../../lib/core/mod.ts";
import { runScheduled, type ScheduledRunOptions } from "../../lib/messaging/mod.ts";
import { ENGINE_KEY, type TestApp } from "./app.ts";

export interface EngineSend {
  number: string;
  text: string;
}

/** Every outgoing message the sandbox holds for `instance`, oldest first. */
export async function engineSends(sandboxUrl: string, instance: string): Promise<EngineSend[]> {
  const res = await fetch(`${sandboxUrl}/chat/findMessages/${encodeURIComponent(instance)}`, {
    method: "POST",
    headers: { apikey: ENGINE_KEY, "content-type": "application/json" },
    body: JSON.stringify({ where: { key: { fromMe: true } }, offset: 100_000 }),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`findMessages ${res.status}: ${JSON.stringify(json)}`);
  // deno-lint-ignore no-explicit-any
  return (json.messages.records as any[]).filter((r) => r.key.fromMe).reverse().map((r) => ({
    number: String(r.key.remoteJid).split("@")[0],
    text: r.message?.conversation ?? r.message?.imageMessage?.caption ?? "",
  }));
}

/** One worker tick as if the clock read `iso` (the app itself keeps the real clock). */
export function runAt(app: TestApp, iso: string, options: ScheduledRunOptions = {}) {
  return runScheduled({ ...app.deps, clock: new ManualClock(Date.parse(iso)) }, {
    retryDelaysMs: [0, 0],
    ...options,
  });
}
