// The message ledger (taguato.message_logs): outbound sends written before the engine call and settled from
// its answer, the message types it stores, and the engine webhook that feeds it receipts and inbound rows.
import { type AppDeps, createGroupCommit, isPool, perPool, retryDeadlock, type Sql } from "../core/mod.ts";
import { sendSettled } from "./send_flights.ts";
import type postgres from "postgres";
import { engineCallbackUrl } from "../gateway/mod.ts";
import { subscribedEvents, WEBHOOK_EVENTS } from "../webhooks/mod.ts";
import {
  type Periods,
  periodsAt,
  quotaAdmissions,
  quotaOutcome,
  type QuotaRow,
  type Usage,
} from "./quotas.ts";

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
  /** The text or caption, kept (first BODY_TEXT_MAX characters) for History's search. */
  bodyText?: string | null;
}

/** How much of a message's text the ledger keeps (body_text, migration 0016): a scheduled text's limit. */
export const BODY_TEXT_MAX = 5000;

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

// ---- message types: the ledger's closed set and how engine message types map onto it ----

/** The ledger's closed set of message types (migration 0003), "other" aside. */
export const LEDGER_MESSAGE_TYPES = [
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
] as const;
const LEDGER_TYPES = new Set<string>(LEDGER_MESSAGE_TYPES);

/** Baileys `messageType` values (evolution-api.md §4.4) → ledger type. */
const ENGINE_TYPES: Record<string, string> = {
  conversation: "text",
  extendedTextMessage: "text",
  imageMessage: "image",
  documentMessage: "document",
  documentWithCaptionMessage: "document",
  audioMessage: "audio",
  videoMessage: "video",
  ptvMessage: "video",
  stickerMessage: "sticker",
  locationMessage: "location",
  liveLocationMessage: "location",
  contactMessage: "contact",
  contactsArrayMessage: "contact",
  reactionMessage: "reaction",
  pollCreationMessage: "poll",
  pollCreationMessageV3: "poll",
  listMessage: "list",
  buttonsMessage: "buttons",
};

/** Maps any type name onto the ledger's closed set ("other" for the rest). */
export function ledgerMessageType(type: string): string {
  return LEDGER_TYPES.has(type) ? type : "other";
}

/** The ledger type of an engine message record's `messageType`. */
export function engineMessageType(messageType: string | undefined): string {
  return ENGINE_TYPES[messageType ?? ""] ?? "other";
}

/**
 * Inserts one outbound message_logs row and returns its id. Write it as `sending` before the engine call
 * (at-most-once, DESIGN §6), then settle it with the engine's answer.
 */
export async function recordOutbound(deps: AppDeps, rec: OutboundRecord): Promise<number> {
  // The usual send (no engine id yet) joins the concurrent sends' one INSERT; the row is committed, so
  // durable, before this resolves, which is what lets the caller call the engine (at-most-once).
  if (!rec.engineMessageId && isPool(deps.sql)) {
    const slot: PendingInsert = { rec, id: 0 };
    await writers(deps.sql).inserts.add(slot);
    if (slot.id) return slot.id;
    // The batch failed (a row of another caller, say): each row is written on its own below.
  }
  return await insertOne(deps.sql, rec);
}

async function insertOne(sql: AppDeps["sql"], rec: OutboundRecord): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO taguato.message_logs AS m
      (user_id, instance_name, phone_number, message_type, status, engine_message_id, error_message, source,
       direction, body_text)
    VALUES (${rec.userId}, ${rec.instanceName}, ${rec.phoneNumber}, ${ledgerMessageType(rec.messageType)},
            ${rec.status}, ${rec.engineMessageId ?? null}, ${rec.errorMessage ?? null}, ${rec.source},
            'outbound', ${bodyTextOf(rec)})
    ON CONFLICT (instance_name, engine_message_id) WHERE engine_message_id IS NOT NULL DO UPDATE SET
      user_id = EXCLUDED.user_id, source = EXCLUDED.source, phone_number = EXCLUDED.phone_number,
      message_type = EXCLUDED.message_type, error_message = COALESCE(EXCLUDED.error_message, m.error_message),
      status = CASE WHEN taguato.message_status_rank(m.status) < taguato.message_status_rank(EXCLUDED.status)
        THEN EXCLUDED.status ELSE m.status END
    RETURNING id`;
  return row.id;
}

const bodyTextOf = (rec: OutboundRecord) => rec.bodyText ? rec.bodyText.slice(0, BODY_TEXT_MAX) : null;

/**
 * The send path's first step: counts the message against the user's quota (consumeQuota's rules and 429)
 * and writes its `sending` row, in ONE commit: a send is either admitted and recorded, or neither. The
 * row is durable before this resolves, so the caller may call the engine (at-most-once). Concurrent sends
 * share one statement (group commit).
 */
export async function admitOutbound(
  deps: AppDeps,
  rec: OutboundRecord & { engineMessageId?: undefined },
): Promise<{ id: number; usage: Usage }> {
  const p = periodsAt(deps.clock.now());
  const slot: PendingAdmission = { rec, p, row: undefined, id: 0, done: false };
  if (isPool(deps.sql)) await writers(deps.sql).admissions.add(slot);
  // Alone (a transaction's handle) or after a failed batch: its own statement, meeting its own error.
  if (!slot.done) await admitRows(deps.sql, [slot]);
  return { usage: await quotaOutcome(deps, rec.userId, slot.row, p, 1), id: slot.id };
}

// ---- group commit of the send path's writes (lib/core/group_commit.ts) ----

interface PendingInsert {
  rec: OutboundRecord;
  id: number;
}

interface PendingAdmission {
  rec: OutboundRecord;
  p: Periods;
  /** The quota upsert's row; undefined when the cap refused the send (and no row was written). */
  row: QuotaRow | undefined;
  id: number;
  /** Whether the batch committed; false leaves the send to its own statement (the batch failed). */
  done: boolean;
}

interface PendingSettle {
  id: number;
  s: OutboundSettlement;
  /** Whether the batched UPDATE settled it; false leaves it to the one-by-one path (an engine id clash). */
  done: boolean;
}

const writers = perPool((sql) => ({
  // A batch that fails leaves its rows unwritten (rolled back) and marked so: each caller then writes
  // its own row the one-by-one way and meets its own error, not a neighbour's.
  admissions: createGroupCommit<PendingAdmission>((batch) => admitBatch(sql, batch).catch(() => {})),
  inserts: createGroupCommit<PendingInsert>((batch) =>
    retryDeadlock(() => insertBatch(sql, batch)).catch(() => {})
  ),
  // 23505: an engine row taking one of the batch's engine ids committed while the UPDATE ran. Once more,
  // the guard now sees it and leaves that send to the fold; the rest of the batch still settles together.
  settles: createGroupCommit<PendingSettle>((batch) =>
    retryDeadlock(() =>
      settleBatch(sql, batch).catch((err) => {
        if (!retryable(err)) throw err;
        return settleBatch(sql, batch);
      })
    ).catch(() => {})
  ),
}));

// The `sending` rows of a batch, inserted by the statement that embeds this: the records as a table
// r(u, i, p, t, s, err, src, body, ord) (ord = 1-based position) joined to `ids` (ord, id), the ids drawn
// from the identity's sequence first, per position, so each caller gets its own row's id whatever order the
// rows are inserted in.
function insertRows(sql: AppDeps["sql"], recs: OutboundRecord[]) {
  const col = <T>(f: (r: OutboundRecord) => T) => recs.map(f);
  const types = col((r) => ledgerMessageType(r.messageType));
  return sql`
    INSERT INTO taguato.message_logs
      (id, user_id, instance_name, phone_number, message_type, status, error_message, source, direction,
       body_text)
    OVERRIDING SYSTEM VALUE
    SELECT ids.id, r.u, r.i, r.p, r.t, r.s, r.err, r.src, 'outbound', r.body
    FROM unnest(${col((r) => r.userId)}::bigint[], ${col((r) => r.instanceName)}::text[],
                ${col((r) => r.phoneNumber)}::text[], ${types}::text[], ${col((r) => r.status)}::text[],
                ${col((r) => r.errorMessage ?? null)}::text[], ${col((r) => r.source)}::text[],
                ${col(bodyTextOf)}::text[])
      WITH ORDINALITY AS r(u, i, p, t, s, err, src, body, ord)
    JOIN ids ON ids.ord = r.ord
    ORDER BY r.ord
    RETURNING id`;
}

// One INSERT for the batch, sorted by user for the triggers' locks.
async function insertBatch(sql: Sql, batch: PendingInsert[]): Promise<void> {
  const rows = [...batch].sort((a, b) => a.rec.userId - b.rec.userId);
  const out = await sql<{ id: number; ord: number }[]>`
    WITH ids AS MATERIALIZED (
      SELECT ord, nextval(pg_get_serial_sequence('taguato.message_logs', 'id')) AS id
      FROM generate_series(1, ${rows.length}::int) AS ord
    ), ins AS (${insertRows(sql, rows.map((r) => r.rec))})
    SELECT ids.id, ids.ord FROM ids WHERE ids.id IN (SELECT id FROM ins)`;
  if (out.length !== rows.length) {
    throw new Error(`ledger batch inserted ${out.length} of ${rows.length} rows`);
  }
  for (const r of out) rows[r.ord - 1].id = r.id;
}

// The sends that arrived together in ONE statement: their quota admissions in arrival order per user (users
// in id order, as consumeQuota's batches, so replicas lock the quota rows in one order), and the INSERT of
// the admitted ones' rows, which reads the admissions, so a refused send writes nothing. One round trip and
// one commit for the batch.
async function admitBatch(sql: Sql, batch: PendingAdmission[]): Promise<void> {
  await retryDeadlock(() => admitRows(sql, [...batch].sort((a, b) => a.rec.userId - b.rec.userId)));
}

async function admitRows(sql: AppDeps["sql"], slots: PendingAdmission[]): Promise<void> {
  const requests = slots.map((s) => ({ userId: s.rec.userId, p: s.p, count: 1 }));
  // `ids` only has the admitted positions, so the INSERT's join drops the refused records.
  const rows = await sql<(QuotaRow & { ord: number; log_id: number })[]>`
    WITH a AS MATERIALIZED (
      SELECT * FROM ${quotaAdmissions(sql, requests)}
    ), ids AS MATERIALIZED (
      SELECT a.ord, nextval(pg_get_serial_sequence('taguato.message_logs', 'id')) AS id FROM a
    ), ins AS (${insertRows(sql, slots.map((s) => s.rec))})
    SELECT a.*, ids.id AS log_id FROM a JOIN ids ON ids.ord = a.ord WHERE ids.id IN (SELECT id FROM ins)`;
  for (const { ord, log_id, ...row } of rows) Object.assign(slots[ord - 1], { row, id: log_id });
  for (const s of slots) s.done = true;
}

// The usual settlement of many sends in one UPDATE (applySettlement's rules, unclaimed form); a row whose
// engine id another row already holds is not touched and takes the one-by-one path.
async function settleBatch(sql: Sql, batch: PendingSettle[]): Promise<void> {
  const rows = [...batch].sort((a, b) => a.id - b.id);
  const col = <T>(f: (p: PendingSettle) => T) => rows.map(f);
  const done = await sql<{ id: number }[]>`
    UPDATE taguato.message_logs AS mine SET
      engine_message_id = COALESCE(mine.engine_message_id, v.e),
      error_message = COALESCE(v.err, mine.error_message),
      status = CASE WHEN mine.status IN ('sending', 'unknown') THEN v.s ELSE mine.status END,
      status_updated_at = CASE WHEN mine.status IN ('sending', 'unknown') THEN now() ELSE mine.status_updated_at END
    FROM unnest(${col((p) => p.id)}::bigint[], ${col((p) => p.s.status)}::text[],
                ${col((p) => p.s.engineMessageId ?? null)}::text[], ${
    col((p) => p.s.errorMessage ?? null)
  }::text[])
      AS v(id, s, e, err)
    WHERE mine.id = v.id
      AND (v.e IS NULL OR NOT EXISTS (SELECT 1 FROM taguato.message_logs m WHERE m.instance_name = mine.instance_name
                                      AND m.engine_message_id = v.e AND m.id <> mine.id))
    RETURNING mine.id`;
  const settled = new Set(done.map((r) => r.id));
  for (const p of rows) p.done = settled.has(p.id);
}

/**
 * Settles a `sending` row with the engine's answer. A receipt that already advanced the row (the engine's
 * SEND_MESSAGE/MESSAGES_UPDATE can beat the HTTP answer) is kept: the status only moves out of
 * `sending`/`unknown`, and the engine id is only filled when empty.
 */
export async function settleOutbound(deps: AppDeps, id: number, s: OutboundSettlement): Promise<void> {
  await settleRow(deps, id, s);
  if (s.engineMessageId) sendSettled(deps.sql, s.engineMessageId);
}

async function settleRow(deps: AppDeps, id: number, s: OutboundSettlement): Promise<void> {
  // Usual case in one autocommitted statement: no engine-logged row holds this engine id yet. The guard is
  // re-checked by the unique index, so a receipt row committed concurrently surfaces as 23505.
  try {
    if (isPool(deps.sql)) {
      // Batched with the concurrent sends' settlements (one UPDATE, one commit).
      const slot: PendingSettle = { id, s, done: false };
      await writers(deps.sql).settles.add(slot);
      if (slot.done) return;
    } else if ((await applySettlement(deps.sql, id, s, true)).length) return;
  } catch (err) {
    if (!retryable(err)) throw err;
  }
  // One retry: an engine-logged row committed while the fold ran collides on the engine id.
  for (let attempt = 1;; attempt++) {
    try {
      if (s.engineMessageId) await foldSettlement(deps.sql, id, s, s.engineMessageId);
      else await applySettlement(deps.sql, id, s, false);
      return;
    } catch (err) {
      if (attempt >= 2 || !retryable(err)) throw err;
    }
  }
}

// 23505: a concurrent engine-logged row took the engine id.
const retryable = (err: unknown) => (err as { code?: string }).code === "23505";

// A SEND_MESSAGE/MESSAGES_UPDATE that beat the engine's HTTP answer logged the send as engine-originated:
// ONE statement deletes that row and folds its progress into ours, then settles ours (applySettlement's
// rules), so the engine id stays unique and no receipt is lost. Our row takes the engine id in the same
// statement that deletes the other holder (a row deleted by its own transaction is no conflict).
async function foldSettlement(sql: AppDeps["sql"], id: number, s: OutboundSettlement, engineId: string) {
  // Whether the early row got further than ours; then its status (and time) is ours before the settlement.
  const ahead = sql`taguato.message_status_rank(mine.status) < taguato.message_status_rank(early.status)`;
  const folded = sql`CASE WHEN ${ahead} THEN early.status ELSE mine.status END`;
  await sql`
    WITH early AS (
      DELETE FROM taguato.message_logs AS m
      USING taguato.message_logs AS mine
      WHERE mine.id = ${id} AND m.instance_name = mine.instance_name AND m.id <> mine.id
        AND m.engine_message_id = ${engineId} AND m.source = 'engine'
      RETURNING m.status, m.status_updated_at
    )
    UPDATE taguato.message_logs AS mine SET
      engine_message_id = COALESCE(mine.engine_message_id, ${engineId}),
      error_message = COALESCE(${s.errorMessage ?? null}, mine.error_message),
      status = CASE WHEN ${folded} IN ('sending', 'unknown') THEN ${s.status} ELSE ${folded} END,
      status_updated_at = CASE WHEN ${folded} IN ('sending', 'unknown') THEN now()
        WHEN ${ahead} THEN early.status_updated_at ELSE mine.status_updated_at END
    FROM (SELECT 1) AS one LEFT JOIN early ON true
    WHERE mine.id = ${id}`;
}

// The status only moves out of `sending`/`unknown`; the engine id is only filled when empty. With
// `unclaimed`, nothing happens when another row already carries the engine id (the caller folds it).
function applySettlement(
  sql: postgres.Sql | postgres.TransactionSql,
  id: number,
  s: OutboundSettlement,
  unclaimed: boolean,
) {
  const engineId = s.engineMessageId ?? null;
  return sql`
    UPDATE taguato.message_logs AS mine SET
      engine_message_id = COALESCE(engine_message_id, ${engineId}),
      error_message = COALESCE(${s.errorMessage ?? null}, error_message),
      status = CASE WHEN status IN ('sending', 'unknown') THEN ${s.status} ELSE status END,
      status_updated_at = CASE WHEN status IN ('sending', 'unknown') THEN now() ELSE status_updated_at END
    WHERE id = ${id} ${
    unclaimed && engineId !== null
      ? sql`AND NOT EXISTS (SELECT 1 FROM taguato.message_logs m WHERE m.instance_name = mine.instance_name
                            AND m.engine_message_id = ${engineId} AND m.id <> mine.id)`
      : sql``
  }
    RETURNING id`;
}

// The gateway's row settled meanwhile (its process was alive after all): the engine row is put back.
class FoldRace extends Error {}

/** How long after a gateway send's `sending` row the engine's own record of that message may be logged. */
export const INTERRUPTED_FOLD_MS = 2 * 60_000;

/**
 * A process killed between the engine call and its settlement leaves a `sending` row (later `unknown`)
 * without the engine's id, while the engine, which did send, reports the message by its events as an
 * engine-originated row. Each such pair (same instance and number, the engine's row logged within
 * INTERRUPTED_FOLD_MS after the gateway's, each row used once, oldest first) becomes one row: the
 * gateway's, with the engine's id and status. Looks at `unknown` rows and at `sending` rows created before
 * `staleBefore` (younger ones may still be settled by their process); returns how many folded.
 */
export async function foldInterruptedSends(sql: Sql, staleBefore: Date): Promise<number> {
  const pairs = await sql<{ mine: number; theirs: number }[]>`
    SELECT s.id AS mine, e.id AS theirs
    FROM taguato.message_logs s
    JOIN taguato.message_logs e ON e.instance_name = s.instance_name AND e.phone_number = s.phone_number
      AND e.user_id = s.user_id AND e.source = 'engine' AND e.direction = 'outbound'
      AND e.created_at >= s.created_at
      AND e.created_at < s.created_at + make_interval(secs => ${INTERRUPTED_FOLD_MS / 1000})
    WHERE s.engine_message_id IS NULL AND s.direction = 'outbound'
      AND (s.status = 'unknown' OR (s.status = 'sending' AND s.created_at < ${staleBefore}))
    ORDER BY s.created_at, s.id, e.created_at, e.id`;
  const claimed = new Set<number>();
  const used = new Set<number>();
  let folded = 0;
  for (const { mine, theirs } of pairs) {
    if (claimed.has(mine) || used.has(theirs)) continue;
    claimed.add(mine);
    used.add(theirs);
    folded += await sql.begin(async (tx) => {
      const [engine] = await tx<{ engine_message_id: string; status: string }[]>`
        DELETE FROM taguato.message_logs WHERE id = ${theirs} AND source = 'engine'
        RETURNING engine_message_id, status`;
      if (!engine) return 0;
      const moved = await tx`
        UPDATE taguato.message_logs SET engine_message_id = ${engine.engine_message_id},
          status = ${engine.status}, status_updated_at = now(), error_message = NULL
        WHERE id = ${mine} AND status IN ('sending', 'unknown') AND engine_message_id IS NULL`;
      if (moved.count === 0) throw new FoldRace();
      return 1;
    }).catch((err) => {
      if (err instanceof FoldRace) return 0;
      throw err;
    });
  }
  return folded;
}

/**
 * Points the instance's engine webhook at this gateway's ingest route (v2 nested body): the events the
 * gateway needs for its ledger plus whatever the instance's tenant webhooks subscribe to (every event when
 * one of them takes all). Call it after creating an instance and whenever its tenant webhooks change.
 */
export async function ensureGatewayWebhook(deps: AppDeps, instanceName: string): Promise<void> {
  const tenant = await subscribedEvents(deps.sql, instanceName);
  const events = tenant === null ? [...WEBHOOK_EVENTS] : [...new Set([...GATEWAY_ENGINE_EVENTS, ...tenant])];
  await deps.evolution.setWebhook(instanceName, {
    enabled: true,
    url: await engineCallbackUrl(deps, instanceName),
    events,
    byEvents: false,
    base64: false,
  });
}
