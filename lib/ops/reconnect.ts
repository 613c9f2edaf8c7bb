/**
 * The reconnect worker (contract §5.2, fixed): reads each owned instance's live state from the engine
 * (Evolution v2.3.7 answers `connectionState` as `{instance:{instanceName,state}}` and lists instances
 * flat with `connectionStatus`; the contract's worker read the v1 shape and never matched), reconnects
 * the ones not `open` with exponential backoff per instance, logs every attempt in `reconnect_log`, and
 * flags an instance that keeps dropping (a reconnect loop) instead of silently skipping it. The owner is
 * told by webhook events and e-mail.
 */
import type { AppDeps, Sql } from "../core/mod.ts";
import { type ConnectResponse, EvolutionError, isConnectionState } from "../gateway/mod.ts";
import { createMailer } from "../mail/mod.ts";
import { enqueueDeliveries } from "../webhooks/mod.ts";
import { reconnectLoopAlert, sendAlert } from "../status/mod.ts";

/** Attempts per run, so one run stays short however many instances are down. */
export const MAX_ATTEMPTS_PER_RUN = 10;
/** Attempts within LOOP_WINDOW_MS that make an instance a reconnect loop. */
export const LOOP_THRESHOLD = 5;
export const LOOP_WINDOW_MS = 3_600_000;
/** Backoff after the n-th consecutive failure: BASE · 2^(n-1), at most MAX. */
export const BACKOFF_BASE_MS = 3 * 60_000;
export const BACKOFF_MAX_MS = 60 * 60_000;

export interface ReconnectOptions {
  /** How long to wait for the engine to report `open` after `connect` (it reconnects asynchronously). */
  settleMs?: number;
}

interface Owned {
  instance_name: string;
  user_id: number;
  username: string;
  email: string | null;
  reconnect_failures: number;
  next_reconnect_at: Date | null;
  reconnect_loop_at: Date | null;
}

export interface ReconnectResult {
  checked: number;
  open: number;
  attempted: number;
  reconnected: string[];
  failed: string[];
  backing_off: string[];
  /** Instances newly flagged as a reconnect loop in this run (each is also an admin alert). */
  flagged: string[];
  /** Every instance carrying the loop flag after this run. */
  in_loop: string[];
}

/** The wait before the next attempt after `failures` consecutive failures. */
export const backoffMs = (failures: number) =>
  Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1));

async function ownedInstances(sql: Sql): Promise<Owned[]> {
  return await sql<Owned[]>`
    SELECT i.instance_name, i.user_id, u.username, u.email, i.reconnect_failures, i.next_reconnect_at,
      i.reconnect_loop_at
    FROM taguato.user_instances i JOIN taguato.users u ON u.id = i.user_id
    WHERE i.channel_type = 'whatsapp' AND NOT i.pending ORDER BY i.instance_name`;
}

/** The live state: connectionState (in-memory, the truth); the listed DB value when that call fails. */
async function liveState(deps: AppDeps, name: string, listed: string | undefined): Promise<string> {
  try {
    const s = await deps.evolution.connectionState(name, { timeoutMs: 5_000 });
    return s.instance.state ?? listed ?? "close";
  } catch {
    return listed ?? "close";
  }
}

async function attempt(deps: AppDeps, name: string, settleMs: number): Promise<string | null> {
  let answer: ConnectResponse;
  try {
    answer = await deps.evolution.connect(name, {}, { timeoutMs: 5_000 });
  } catch (err) {
    return err instanceof EvolutionError ? err.message : String(err);
  }
  if (isConnectionState(answer) && answer.instance.state === "open") return null;
  const until = Date.now() + settleMs;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    if (await liveState(deps, name, undefined) === "open") return null;
  }
  // A fresh QR means the engine lost the session: only the owner scanning again brings it back.
  return !isConnectionState(answer) && answer.code
    ? "session lost: needs a new QR scan"
    : "not open after connect";
}

async function notifyOwner(deps: AppDeps, o: Owned, event: string, data: Record<string, unknown>) {
  await enqueueDeliveries(deps, { event, instance: o.instance_name, data }).catch((err) =>
    deps.log.warn("reconnect event not queued", { instance: o.instance_name, error: String(err) })
  );
  const smtp = deps.config.smtp;
  if (!smtp || !o.email) return;
  await createMailer(smtp).send(o.email, ownerEmail(o, event)).catch((err) =>
    deps.log.warn("reconnect e-mail not sent", { instance: o.instance_name, error: String(err) })
  );
}

function ownerEmail(o: Owned, event: string) {
  const loop = event === "instance.reconnect_loop";
  const es = loop
    ? `La instancia ${o.instance_name} se desconecta una y otra vez; los reintentos automáticos siguen con espera creciente. Revísala en el panel (puede necesitar escanear el QR).`
    : `La instancia ${o.instance_name} se desconectó; intentamos reconectarla automáticamente.`;
  const en = loop
    ? `Instance ${o.instance_name} keeps disconnecting; automatic retries continue with growing waits. Check it in the panel (it may need a new QR scan).`
    : `Instance ${o.instance_name} disconnected; we are trying to reconnect it automatically.`;
  const subject = loop
    ? `TAGUATO-SEND: ${o.instance_name} en bucle de reconexión / reconnect loop`
    : `TAGUATO-SEND: ${o.instance_name} desconectada / disconnected`;
  const text = `Hola ${o.username}:\n\n${es}\n\n---\n\nHello ${o.username},\n\n${en}\n`;
  const html = `<p>Hola ${escape(o.username)}:</p><p>${escape(es)}</p><hr><p>Hello ${
    escape(o.username)
  },</p><p>${escape(en)}</p>`;
  return { subject, text, html };
}

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

/** One reconnect pass over every owned WhatsApp instance. */
export async function runReconnect(deps: AppDeps, options: ReconnectOptions = {}): Promise<ReconnectResult> {
  const { sql } = deps;
  const settleMs = options.settleMs ?? 3_000;
  const result: ReconnectResult = {
    checked: 0,
    open: 0,
    attempted: 0,
    reconnected: [],
    failed: [],
    backing_off: [],
    flagged: [],
    in_loop: [],
  };
  const owned = await ownedInstances(sql);
  // Nothing owned, nothing to check: an idle gateway does not poll the engine.
  if (!owned.length) return result;
  const listed = new Map(
    (await deps.evolution.fetchInstances({}, { timeoutMs: 5_000 })).map((i) => [i.name, i.connectionStatus]),
  );
  for (const o of owned) {
    // An owned name the engine does not hold is an instance deleted on the engine side, not a drop.
    if (!listed.has(o.instance_name)) continue;
    result.checked++;
    const state = await liveState(deps, o.instance_name, listed.get(o.instance_name));
    if (state === "open") {
      result.open++;
      if (o.reconnect_failures > 0 || o.reconnect_loop_at) await markRecovered(sql, o.instance_name);
      continue;
    }
    const now = deps.clock.now();
    if (o.next_reconnect_at && o.next_reconnect_at.getTime() > now) {
      result.backing_off.push(o.instance_name);
      if (o.reconnect_loop_at) result.in_loop.push(o.instance_name);
      continue;
    }
    if (result.attempted >= MAX_ATTEMPTS_PER_RUN) continue;
    result.attempted++;
    if (o.reconnect_failures === 0 && !o.reconnect_loop_at) {
      await notifyOwner(deps, o, "instance.disconnected", { instance: o.instance_name, state });
    }
    const error = await attempt(deps, o.instance_name, settleMs);
    await logAttempt(sql, o.instance_name, state, error, new Date(deps.clock.now()));
    const failures = error === null ? 0 : o.reconnect_failures + 1;
    (error === null ? result.reconnected : result.failed).push(o.instance_name);
    const loop = await isLoop(sql, o.instance_name, new Date(deps.clock.now() - LOOP_WINDOW_MS));
    const flagNow = loop && !o.reconnect_loop_at;
    await sql`
      UPDATE taguato.user_instances SET reconnect_failures = ${failures},
        next_reconnect_at = ${error === null ? null : new Date(deps.clock.now() + backoffMs(failures))},
        reconnect_loop_at = CASE WHEN ${flagNow} THEN ${new Date(deps.clock.now())}::timestamptz
                                 ELSE reconnect_loop_at END
      WHERE instance_name = ${o.instance_name}`;
    if (flagNow) {
      result.flagged.push(o.instance_name);
      await sendAlert(deps, reconnectLoopAlert(o.instance_name));
      await notifyOwner(deps, o, "instance.reconnect_loop", {
        instance: o.instance_name,
        attempts_last_hour: LOOP_THRESHOLD,
        last_error: error,
      });
    }
    if (flagNow || o.reconnect_loop_at) result.in_loop.push(o.instance_name);
  }
  return result;
}

async function markRecovered(sql: Sql, name: string) {
  await sql`
    UPDATE taguato.user_instances
    SET reconnect_failures = 0, next_reconnect_at = NULL, reconnect_loop_at = NULL
    WHERE instance_name = ${name}`;
}

async function logAttempt(sql: Sql, name: string, state: string, error: string | null, at: Date) {
  await sql`
    INSERT INTO taguato.reconnect_log (instance_name, previous_state, action, result, error_message, created_at)
    VALUES (${name}, ${state.slice(0, 50)}, 'auto_reconnect', ${error === null ? "reconnected" : "failed"},
      ${error}, ${at})`;
}

// A loop: LOOP_THRESHOLD attempts inside the window, whether they failed or "succeeded" and dropped again.
async function isLoop(sql: Sql, name: string, since: Date): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM taguato.reconnect_log
    WHERE instance_name = ${name} AND action = 'auto_reconnect' AND created_at > ${since}`;
  return row.n >= LOOP_THRESHOLD;
}

export interface ReconnectEntry {
  id: number;
  previous_state: string | null;
  result: "reconnected" | "failed";
  error_message: string | null;
  created_at: Date;
}

/** An instance's reconnect history, newest first, and its current flag (the tenant's view). */
export async function reconnectHistory(sql: Sql, name: string, window: { limit: number; offset: number }) {
  const entries = await sql<ReconnectEntry[]>`
    SELECT id, previous_state, result, error_message, created_at FROM taguato.reconnect_log
    WHERE instance_name = ${name} ORDER BY created_at DESC, id DESC LIMIT ${window.limit} OFFSET ${window.offset}`;
  const [total] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM taguato.reconnect_log WHERE instance_name = ${name}`;
  const [flag] = await sql<{ reconnect_loop_at: Date | null; next_reconnect_at: Date | null }[]>`
    SELECT reconnect_loop_at, next_reconnect_at FROM taguato.user_instances WHERE instance_name = ${name}`;
  return {
    entries,
    total: total.n,
    reconnect_loop_at: flag?.reconnect_loop_at ?? null,
    next_reconnect_at: flag?.next_reconnect_at ?? null,
  };
}
