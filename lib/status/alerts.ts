/**
 * External alerts (contract §5.7, with its bugs fixed: the settings are read, TLS is verified, failed
 * deliveries are retried): one JSON payload that Slack and Teams (`text`) and Discord (`username` +
 * `embeds`) all read, POSTed to ALERT_WEBHOOK_URL, and an e-mail to every active admin with an address
 * when SMTP is configured. A cooldown per alert key, kept in the shared cache (which falls back to
 * per-process memory while Redis is down), stops one flapping cause from paging every five minutes.
 */
import type { AppDeps } from "../core/mod.ts";
import { createMailer } from "../mail/mod.ts";

/** One alert: any worker may raise one (uptime, reconnect loop, circuit breaker). */
export interface Alert {
  /** The cooldown key: the same key is sent at most once per ALERT_COOLDOWN_SECONDS. */
  key: string;
  /** Short headline, e.g. "Service DOWN: Redis". */
  title: string;
  /** One or two sentences of detail. */
  description: string;
  /** The chat line after "[TAGUATO-SEND] "; defaults to the title. */
  text?: string;
  /** Discord embed colour (decimal RGB). */
  color: number;
}

const RED = 14495300;
const GREEN = 5763719;
const YELLOW = 16776960;

/** A service went from operational to `details` (contract §5.7 "service down"). */
export const serviceDownAlert = (name: string, details?: string): Alert => ({
  key: `svc_down:${name}`,
  title: `Service DOWN: ${name}`,
  text: details ? `Service DOWN: ${name} - ${details}` : `Service DOWN: ${name}`,
  description: details ?? "Service is not responding",
  color: RED,
});

/** A service is operational again. */
export const serviceRecoveredAlert = (name: string): Alert => ({
  key: `svc_up:${name}`,
  title: `Service RECOVERED: ${name}`,
  description: "Service is operational again",
  color: GREEN,
});

/** The engine circuit breaker opened after `failures` consecutive failures. */
export const circuitOpenAlert = (failures: number, openSeconds: number): Alert => ({
  key: "cb_open",
  title: "Circuit Breaker OPEN",
  text: `Circuit Breaker OPEN after ${failures} consecutive failures`,
  description: `${failures} consecutive upstream failures. Requests blocked for ${openSeconds}s.`,
  color: YELLOW,
});

/** The reconnect worker flagged an instance that keeps dropping (reconnect loop). */
export const reconnectLoopAlert = (instance: string): Alert => ({
  key: `reconnect_loop:${instance}`,
  title: `Reconnect loop: ${instance}`,
  description: `Instance ${instance} keeps disconnecting; it is flagged and still retried with backoff.`,
  color: YELLOW,
});

/** The JSON body every chat provider reads. */
export function alertPayload(alert: Alert) {
  return {
    text: `[TAGUATO-SEND] ${alert.text ?? alert.title}`,
    username: "TAGUATO-SEND Alerts",
    embeds: [{ title: alert.title, description: alert.description, color: alert.color }],
  };
}

export type AlertDeps = Pick<AppDeps, "config" | "cache" | "sql" | "log">;

export interface AlertResult {
  /** "suppressed": the same key fired within the cooldown; nothing was sent. */
  outcome: "sent" | "suppressed";
  webhook: "delivered" | "failed" | "disabled";
  /** How many admins the e-mail reached. */
  mailed: number;
}

const ATTEMPTS = 3;
const TIMEOUT_MS = 10_000;

export interface AlertOptions {
  /** Milliseconds before webhook retry n (1-based); default 1 s, then 2 s. */
  retryDelayMs?: (retry: number) => number;
}

const backoff = (retry: number) => 1_000 * 2 ** (retry - 1);

async function postWebhook(deps: AlertDeps, url: string, alert: Alert, delay = backoff): Promise<boolean> {
  let lastError = "";
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      // Deno verifies TLS certificates by default; nothing here turns that off.
      const res = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(alertPayload(alert)),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (res.ok) return true;
      lastError = `status ${res.status}`;
      // A 4xx means the receiver refuses this payload: sending it again cannot help.
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, delay(attempt)));
  }
  deps.log.warn("alert webhook failed", { key: alert.key, error: lastError });
  return false;
}

async function mailAdmins(deps: AlertDeps, alert: Alert): Promise<number> {
  const smtp = deps.config.smtp;
  if (!smtp) return 0;
  const admins = await deps.sql<{ email: string }[]>`
    SELECT email FROM taguato.users WHERE role = 'admin' AND is_active AND email IS NOT NULL AND email <> ''`;
  const { text } = alertPayload(alert);
  const escaped = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  let mailed = 0;
  for (const { email } of admins) {
    try {
      await createMailer(smtp).send(email, {
        subject: text,
        text: `${alert.title}\n\n${alert.description}\n`,
        html: `<h2>${escaped(alert.title)}</h2><p>${escaped(alert.description)}</p>`,
      });
      mailed++;
    } catch (err) {
      deps.log.warn("alert e-mail failed", { key: alert.key, error: String(err) });
    }
  }
  return mailed;
}

/**
 * Sends `alert` on every configured channel unless its key fired within the cooldown. Never throws:
 * an alert that cannot be delivered is logged (the caller's own work must not fail because of it).
 */
export async function sendAlert(
  deps: AlertDeps,
  alert: Alert,
  options: AlertOptions = {},
): Promise<AlertResult> {
  const cooldownMs = deps.config.alertCooldownSeconds * 1000;
  const fresh = await deps.cache.setIfAbsent(`alert:cooldown:${alert.key}`, "1", cooldownMs);
  if (!fresh) return { outcome: "suppressed", webhook: "disabled", mailed: 0 };
  const url = deps.config.alertWebhookUrl;
  const [webhook, mailed] = await Promise.all([
    url
      ? postWebhook(deps, url, alert, options.retryDelayMs).then((ok) =>
        ok ? "delivered" as const : "failed" as const
      )
      : "disabled" as const,
    mailAdmins(deps, alert).catch((err) => {
      deps.log.warn("alert e-mail failed", { key: alert.key, error: String(err) });
      return 0;
    }),
  ]);
  return { outcome: "sent", webhook, mailed };
}
