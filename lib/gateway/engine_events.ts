// Engine events → the ledger: receipts advance message_logs rows (never backwards), inbound messages are
// stored once, connection changes land on user_instances. Every statement is idempotent, because the
// engine retries, repeats and reorders its webhooks (evolution-api.md §6.3).
import { z } from "zod";
import { type AppDeps, createGroupCommit, perPool, retryDeadlock, type Sql } from "../core/mod.ts";
import { applyInboundMessage, engineMessageType, settlementOfReceipt } from "../messaging/mod.ts";

export const EngineEnvelopeSchema = z.looseObject({
  event: z.string().min(1).max(100),
  instance: z.string().min(1).max(255),
  data: z.unknown(),
  date_time: z.string().optional(),
  sender: z.string().nullable().optional(),
  server_url: z.string().nullable().optional(),
});
export type EngineEnvelope = z.infer<typeof EngineEnvelopeSchema>;

const Key = z.looseObject({
  id: z.string().min(1).max(255),
  remoteJid: z.string().min(1),
  remoteJidAlt: z.string().nullable().optional(),
  fromMe: z.boolean(),
});
const MessageData = z.looseObject({ key: Key, messageType: z.string().optional() });
const UpdateData = z.looseObject({
  keyId: z.string().min(1).max(255),
  remoteJid: z.string().nullable().optional(),
  fromMe: z.boolean().optional(),
  status: z.string(),
});
const ConnectionData = z.looseObject({
  state: z.string(),
  wuid: z.string().nullable().optional(),
  profileName: z.string().nullable().optional(),
});

/** Receipt vocabularies (Baileys and Cloud) → ledger status; PENDING and unknown values change nothing. */
const RECEIPTS: Record<string, string> = {
  SERVER_ACK: "sent",
  DELIVERY_ACK: "delivered",
  READ: "read",
  PLAYED: "played",
  ERROR: "failed",
  SENT: "sent",
  DELIVERED: "delivered",
  FAILED: "failed",
};

/** `messages.update` (or `MESSAGES_UPDATE`) → `MESSAGES_UPDATE`, the config name tenants subscribe to. */
export function configEventName(event: string): string {
  const name = event.toUpperCase().replace(/[.-]/g, "_");
  return name === "GROUPS_UPDATE" ? "GROUP_UPDATE" : name;
}

/** The ledger's counterpart: digits for a phone JID, the JID itself for groups, @lid and the like. */
export function counterpart(jid: string, alt?: string | null): string {
  const pick = jid.endsWith("@lid") && alt?.endsWith("@s.whatsapp.net") ? alt : jid;
  const phone = /^(\d+)(:\d+)?@s\.whatsapp\.net$/.exec(pick);
  return (phone ? phone[1] : pick).slice(0, 128);
}

const asList = (data: unknown): unknown[] => (Array.isArray(data) ? data : [data]);

/** Applies one engine event of the instance `owner` owns to the ledger and instance state. */
export async function ingestEngineEvent(deps: AppDeps, env: EngineEnvelope, owner: number): Promise<void> {
  switch (configEventName(env.event)) {
    case "SEND_MESSAGE":
      for (const item of asList(env.data)) {
        const m = MessageData.safeParse(item);
        if (!m.success) continue;
        // Sent through this process, its answer is usually on its way: the receipt then meets a settled row.
        const { key } = m.data;
        await settlementOfReceipt(
          deps.sql,
          env.instance,
          counterpart(key.remoteJid, key.remoteJidAlt),
          key.id,
        );
        await outboundReceipt(deps, owner, env.instance, m.data, "sent");
      }
      break;
    case "MESSAGES_UPSERT":
      for (const item of asList(env.data)) {
        const m = MessageData.safeParse(item);
        if (!m.success) continue;
        if (m.data.key.fromMe) await outboundReceipt(deps, owner, env.instance, m.data, "sent");
        else await storeInbound(deps, owner, env.instance, m.data);
      }
      break;
    case "MESSAGES_UPDATE":
      for (const item of asList(env.data)) {
        const u = UpdateData.safeParse(item);
        const status = u.success ? RECEIPTS[u.data.status.toUpperCase()] : undefined;
        if (!u.success || !status) continue;
        await applyReceipt(deps, owner, env.instance, u.data, status);
      }
      break;
    case "CONNECTION_UPDATE": {
      const c = ConnectionData.safeParse(env.data);
      if (c.success) await recordState(deps, env.instance, c.data.state, c.data.wuid, c.data.profileName);
      break;
    }
    case "LOGOUT_INSTANCE":
      await recordState(deps, env.instance, "close", null, null);
      break;
  }
}

type Message = z.infer<typeof MessageData>;

/**
 * Upserts an outbound row by engine id with a status that only moves forward. A row the gateway logged is
 * advanced; an unknown id is logged as an engine-originated send (settleOutbound folds it in later).
 */
async function outboundReceipt(deps: AppDeps, owner: number, instance: string, m: Message, status: string) {
  const type = engineMessageType(m.messageType);
  await upsertOutbound(
    deps,
    owner,
    instance,
    m.key.id,
    counterpart(m.key.remoteJid, m.key.remoteJidAlt),
    type,
    status,
  );
}

function upsertOutbound(
  deps: AppDeps,
  owner: number,
  instance: string,
  engineId: string,
  phone: string,
  type: string,
  status: string,
): Promise<void> {
  return receiptWriter(deps.sql).add({ owner, instance, engineId, phone, type, status });
}

interface Receipt {
  owner: number;
  instance: string;
  engineId: string;
  phone: string;
  type: string;
  status: string;
}

// taguato.message_status_rank (migration 0008), to merge a batch's receipts of one message before the upsert.
const RANK: Record<string, number> = {
  sent: 10,
  failed: 15,
  delivered: 20,
  read: 30,
  played: 40,
  cancelled: 100,
};
const rank = (status: string) => RANK[status] ?? 0;

// Receipts of concurrent engine events go to the ledger in one statement (group commit); each webhook is
// answered only after the statement carrying its receipt committed, so the engine still retries a failure.
const receiptWriter = perPool((sql) => createGroupCommit<Receipt>((batch) => writeReceipts(sql, batch)));

async function writeReceipts(sql: Sql, batch: Receipt[]): Promise<void> {
  // One row per message (an upsert may not touch a row twice): the furthest status, the first known type,
  // which is what applying them one after the other leaves. Sorted, so concurrent batches lock in one order.
  const merged = new Map<string, Receipt>();
  for (const r of batch) {
    const id = `${r.instance}\u0000${r.engineId}`;
    const seen = merged.get(id);
    if (!seen) merged.set(id, { ...r });
    else {
      if (rank(r.status) > rank(seen.status)) seen.status = r.status;
      if (seen.type === "other") seen.type = r.type;
    }
  }
  const rows = [...merged.values()].sort((a, b) =>
    a.owner - b.owner || (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0) ||
    (a.engineId < b.engineId ? -1 : 1)
  );
  const column = <K extends keyof Receipt>(k: K) => rows.map((r) => r[k]);
  // 40P01: a deadlock on the per-day counts (migration 0017) with a settlement; rolled back, so retried.
  await retryDeadlock(() =>
    sql`
        INSERT INTO taguato.message_logs AS m
          (user_id, instance_name, phone_number, message_type, status, engine_message_id, source, direction)
        SELECT u, i, p, t, s, e, 'engine', 'outbound'
          FROM unnest(${column("owner")}::bigint[], ${column("instance")}::text[], ${column("phone")}::text[],
                      ${column("type")}::text[], ${column("status")}::text[], ${column("engineId")}::text[])
            AS r(u, i, p, t, s, e)
        ON CONFLICT (instance_name, engine_message_id) WHERE engine_message_id IS NOT NULL DO UPDATE SET
          status = CASE WHEN taguato.message_status_rank(m.status) < taguato.message_status_rank(EXCLUDED.status)
            THEN EXCLUDED.status ELSE m.status END,
          status_updated_at = CASE WHEN taguato.message_status_rank(m.status) < taguato.message_status_rank(EXCLUDED.status)
            THEN now() ELSE m.status_updated_at END,
          message_type = CASE WHEN m.message_type = 'other' THEN EXCLUDED.message_type ELSE m.message_type END
        WHERE taguato.message_status_rank(m.status) < taguato.message_status_rank(EXCLUDED.status)
          OR (m.message_type = 'other' AND EXCLUDED.message_type <> 'other')`
  );
}

/** MESSAGES_UPDATE: our own messages upsert (a receipt may beat SEND_MESSAGE); inbound rows only advance. */
async function applyReceipt(
  deps: AppDeps,
  owner: number,
  instance: string,
  u: z.infer<typeof UpdateData>,
  status: string,
) {
  if (u.fromMe !== false && u.remoteJid) {
    await upsertOutbound(deps, owner, instance, u.keyId, counterpart(u.remoteJid), "other", status);
    return;
  }
  await deps.sql`
    UPDATE taguato.message_logs SET status = ${status}, status_updated_at = now()
    WHERE instance_name = ${instance} AND engine_message_id = ${u.keyId}
      AND taguato.message_status_rank(status) < taguato.message_status_rank(${status})`;
}

/** A received message, stored once per engine id however often the engine repeats it. */
async function storeInbound(deps: AppDeps, owner: number, instance: string, m: Message) {
  const type = engineMessageType(m.messageType);
  const from = counterpart(m.key.remoteJid, m.key.remoteJidAlt);
  const stored = await deps.sql`
    INSERT INTO taguato.message_logs
      (user_id, instance_name, phone_number, message_type, status, engine_message_id, source, direction)
    VALUES (${owner}, ${instance}, ${from}, ${type}, 'delivered',
            ${m.key.id}, 'engine', 'inbound')
    ON CONFLICT (instance_name, engine_message_id) WHERE engine_message_id IS NOT NULL DO NOTHING
    RETURNING 1`;
  // Stop/start words act once per message: a repeat of an old STOP must not undo a later START.
  if (stored.length > 0) await applyInboundMessage(deps.sql, owner, from, m.message);
}

const STATES = new Set(["open", "connecting", "close", "refused"]);

async function recordState(
  deps: AppDeps,
  instance: string,
  state: string,
  wuid: string | null | undefined,
  profileName: string | null | undefined,
) {
  if (!STATES.has(state)) return;
  await deps.sql`
    UPDATE taguato.user_instances SET connection_state = ${state},
      owner_jid = COALESCE(${wuid?.slice(0, 128) ?? null}, owner_jid),
      profile_name = COALESCE(${profileName?.slice(0, 256) ?? null}, profile_name),
      state_updated_at = now()
    WHERE instance_name = ${instance}`;
}
