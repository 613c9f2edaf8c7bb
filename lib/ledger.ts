import type { AppDeps } from "./app_env.ts";
import type postgres from "postgres";
import { engineCallbackUrl } from "./engine_callback.ts";

export type OutboundStatus = "sending" | "sent" | "failed" | "unknown";
export type MessageSource = "api" | "panel" | "scheduled" | "campaign";

export interface OutboundRecord {
  userId: number;
  instanceName: string;
  phoneNumber: string;
  messageType: string;
  status: OutboundStatus;
  engineMessageId?: string | null;
  errorMessage?: string | null;
  source: MessageSource;
}

export interface OutboundSettlement {
  status: OutboundStatus;
  engineMessageId?: string | null;
  errorMessage?: string | null;
}

/** The engine events the gateway ingests from every instance (evolution-api.md §6.1 names). */
export const GATEWAY_ENGINE_EVENTS = [
  "SEND_MESSAGE",
  "MESSAGES_UPSERT",
  "MESSAGES_UPDATE",
  "CONNECTION_UPDATE",
  "QRCODE_UPDATED",
  "LOGOUT_INSTANCE",
];

const KNOWN_TYPES = new Set([
  "text",
  "image",
  "document",
  "audio",
  "video",
  "sticker",
  "location",
  "contact",
  "reaction",
  "poll",
  "list",
  "buttons",
]);

/** Maps any type name onto the ledger's closed set ("other" for the rest). */
export function ledgerMessageType(type: string): string {
  return KNOWN_TYPES.has(type) ? type : "other";
}

/**
 * Inserts one outbound message_logs row and returns its id. Write it as `sending` before the engine call
 * (at-most-once, DESIGN §6), then settle it with the engine's answer.
 */
export async function recordOutbound(deps: AppDeps, rec: OutboundRecord): Promise<number> {
  const [row] = await deps.sql<{ id: number }[]>`
    INSERT INTO taguato.message_logs
      (user_id, instance_name, phone_number, message_type, status, engine_message_id, error_message, source,
       direction)
    VALUES (${rec.userId}, ${rec.instanceName}, ${rec.phoneNumber}, ${ledgerMessageType(rec.messageType)},
            ${rec.status}, ${rec.engineMessageId ?? null}, ${rec.errorMessage ?? null}, ${rec.source},
            'outbound')
    ON CONFLICT (instance_name, engine_message_id) WHERE engine_message_id IS NOT NULL
    DO UPDATE SET user_id = EXCLUDED.user_id, source = EXCLUDED.source
    RETURNING id`;
  return row.id;
}

/**
 * Settles a `sending` row with the engine's answer. A receipt that already advanced the row (the engine's
 * SEND_MESSAGE/MESSAGES_UPDATE can beat the HTTP answer) is kept: the status only moves out of
 * `sending`/`unknown`, and the engine id is only filled when empty.
 */
export async function settleOutbound(deps: AppDeps, id: number, s: OutboundSettlement): Promise<void> {
  // One retry: an engine-logged row committed between our DELETE and UPDATE collides on the engine id.
  for (let attempt = 1;; attempt++) {
    try {
      return await deps.sql.begin((tx) => settleIn(tx, id, s));
    } catch (err) {
      if (attempt >= 2 || (err as { code?: string }).code !== "23505") throw err;
    }
  }
}

async function settleIn(tx: postgres.TransactionSql, id: number, s: OutboundSettlement): Promise<void> {
  if (s.engineMessageId) {
    // A SEND_MESSAGE/MESSAGES_UPDATE that beat the engine's HTTP answer logged the send as engine-originated;
    // fold its progress into this row so the engine id stays unique and the receipts are not lost.
    const [early] = await tx<{ status: string; status_updated_at: Date }[]>`
      DELETE FROM taguato.message_logs AS m
      USING taguato.message_logs AS mine
      WHERE mine.id = ${id} AND m.instance_name = mine.instance_name AND m.id <> mine.id
        AND m.engine_message_id = ${s.engineMessageId} AND m.source = 'engine'
      RETURNING m.status, m.status_updated_at`;
    if (early) {
      await tx`
        UPDATE taguato.message_logs
        SET status = ${early.status}, status_updated_at = ${early.status_updated_at},
          engine_message_id = ${s.engineMessageId}
        WHERE id = ${id} AND taguato.message_status_rank(status) < taguato.message_status_rank(${early.status})`;
    }
  }
  await tx`
    UPDATE taguato.message_logs SET
      engine_message_id = COALESCE(engine_message_id, ${s.engineMessageId ?? null}),
      error_message = COALESCE(${s.errorMessage ?? null}, error_message),
      status = CASE WHEN status IN ('sending', 'unknown') THEN ${s.status} ELSE status END,
      status_updated_at = CASE WHEN status IN ('sending', 'unknown') THEN now() ELSE status_updated_at END
    WHERE id = ${id}`;
}

/**
 * Points the instance's engine webhook at this gateway's ingest route (v2 nested body). The gateway owns
 * the engine webhook; tenant webhooks are delivered by the gateway itself.
 */
export async function ensureGatewayWebhook(deps: AppDeps, instanceName: string): Promise<void> {
  await deps.evolution.setWebhook(instanceName, {
    enabled: true,
    url: await engineCallbackUrl(deps, instanceName),
    events: GATEWAY_ENGINE_EVENTS,
    byEvents: false,
    base64: false,
  });
}
