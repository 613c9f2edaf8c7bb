// Each tenant's opt-out registry: numbers that asked not to be messaged (migration 0012). Bulk,
// scheduled and campaign sends skip them and record why; a direct send to one is refused unless the
// caller overrides it. An inbound message that is exactly a stop word opts its sender out, a start word
// opts it back in. Numbers are the digits-only form the send rules produce.
import { createGroupCommit, fail, isPool, perPool, type Sql } from "../core/mod.ts";
import { normalizeRecipient } from "../gateway/mod.ts";

export const DEFAULT_OPT_OUT_WORDS = ["STOP", "BAJA", "SALIR", "CANCELAR", "UNSUBSCRIBE"] as const;
export const DEFAULT_OPT_IN_WORDS = ["START", "ALTA"] as const;

export type OptOutSource = "manual" | "api" | "inbound";

/** The word form messages are compared in: trimmed, upper case, accents and edge punctuation dropped. */
export function normalizeKeyword(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").trim().replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, "")
    .toUpperCase();
}

/** Records `number` as opted out for the tenant; false when it already was (the first record stays). */
export async function addOptOut(
  sql: Sql,
  userId: number,
  number: string,
  source: OptOutSource,
  reason: string | null = null,
): Promise<boolean> {
  const rows = await sql`
    INSERT INTO taguato.opt_outs (user_id, phone_number, source, reason)
    VALUES (${userId}, ${number}, ${source}, ${reason})
    ON CONFLICT (user_id, phone_number) DO NOTHING
    RETURNING 1`;
  return rows.length > 0;
}

/** Takes `number` out of the tenant's registry; false when it was not in it. */
export async function removeOptOut(sql: Sql, userId: number, number: string): Promise<boolean> {
  const rows = await sql`
    DELETE FROM taguato.opt_outs WHERE user_id = ${userId} AND phone_number = ${number} RETURNING 1`;
  return rows.length > 0;
}

/** Which of `numbers` the tenant may not message (one query for any batch). */
export async function optedOutAmong(
  sql: Sql,
  userId: number,
  numbers: readonly string[],
): Promise<Set<string>> {
  if (numbers.length === 0) return new Set();
  const rows = await sql<{ phone_number: string }[]>`
    SELECT phone_number FROM taguato.opt_outs
     WHERE user_id = ${userId} AND phone_number = ANY(${numbers as string[]}::text[])`;
  return new Set(rows.map((r) => r.phone_number));
}

/**
 * True when the tenant may not message `number`. Every send asks once, so the checks that arrive while one
 * query runs share the next one (a read batched like lib/core/group_commit.ts's writes: it starts after
 * they arrived, so it sees every opt-out committed before).
 */
export async function isOptedOut(sql: Sql, userId: number, number: string): Promise<boolean> {
  if (isPool(sql)) {
    const check: OptOutCheck = { userId, number, optedOut: undefined };
    await optOutReaders(sql).add(check);
    if (check.optedOut !== undefined) return check.optedOut;
  }
  // A transaction's handle, or a batch that failed: the caller's own query, meeting its own error.
  return (await optedOutAmong(sql, userId, [number])).has(number);
}

interface OptOutCheck {
  userId: number;
  number: string;
  /** The batch's answer; undefined when its query failed. */
  optedOut: boolean | undefined;
}

const optOutReaders = perPool((sql) =>
  createGroupCommit<OptOutCheck>((batch) => checkBatch(sql, batch).catch(() => {}))
);

async function checkBatch(sql: Sql, batch: OptOutCheck[]): Promise<void> {
  const users = batch.map((c) => c.userId), numbers = batch.map((c) => c.number);
  const rows = await sql<{ ord: number }[]>`
    SELECT r.ord::int FROM unnest(${users}::bigint[], ${numbers}::text[])
      WITH ORDINALITY AS r(u, n, ord)
    WHERE EXISTS (SELECT 1 FROM taguato.opt_outs o WHERE o.user_id = r.u AND o.phone_number = r.n)`;
  const hit = new Set(rows.map((r) => r.ord));
  batch.forEach((c, i) => c.optedOut = hit.has(i + 1));
}

/** The tenant's stop and start words (its own lists, else the defaults), normalised. */
export async function keywordsOf(sql: Sql, userId: number): Promise<{ optOut: string[]; optIn: string[] }> {
  const [row] = await sql<{ opt_out_words: string[] | null; opt_in_words: string[] | null }[]>`
    SELECT opt_out_words, opt_in_words FROM taguato.users WHERE id = ${userId}`;
  return {
    optOut: (row?.opt_out_words ?? [...DEFAULT_OPT_OUT_WORDS]).map(normalizeKeyword),
    optIn: (row?.opt_in_words ?? [...DEFAULT_OPT_IN_WORDS]).map(normalizeKeyword),
  };
}

/**
 * Applies an inbound message from `number` to the tenant's registry: a message that is exactly one of its
 * stop words opts the number out, a start word opts it back in. Says what changed (null: nothing).
 */
export async function applyInboundKeyword(
  sql: Sql,
  userId: number,
  number: string,
  text: string,
): Promise<"opted_out" | "opted_in" | null> {
  const word = normalizeKeyword(text);
  if (word === "" || word.length > 40) return null;
  const { optOut, optIn } = await keywordsOf(sql, userId);
  if (optOut.includes(word)) {
    return await addOptOut(sql, userId, number, "inbound", `keyword ${word}`) ? "opted_out" : null;
  }
  if (optIn.includes(word)) return await removeOptOut(sql, userId, number) ? "opted_in" : null;
  return null;
}

// ---- the registry's API, the inbound hook and the direct-send rule ----

export const MAX_KEYWORDS = 50;
export const MAX_KEYWORD_CHARS = 40;
export const OPT_OUT_REASON_MAX_CHARS = 500;

export interface OptOutRow {
  phone_number: string;
  source: OptOutSource;
  reason: string | null;
  created_at: Date;
}

/** One page of the tenant's registry, newest first; `search` matches part of the number. */
export async function listOptOuts(
  sql: Sql,
  userId: number,
  search: string | undefined,
  limit: number,
  offset: number,
): Promise<{ opt_outs: OptOutRow[]; total: number }> {
  const like = search ? `%${search.replace(/\D/g, "")}%` : null;
  const where = sql`user_id = ${userId} AND (${like}::text IS NULL OR phone_number LIKE ${like})`;
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.opt_outs WHERE ${where}`;
  const opt_outs = await sql<OptOutRow[]>`
    SELECT phone_number, source, reason, created_at FROM taguato.opt_outs WHERE ${where}
    ORDER BY created_at DESC, phone_number LIMIT ${limit} OFFSET ${offset}`;
  return { opt_outs, total };
}

/** The tenant's entry for `number`, or null. */
export async function findOptOut(sql: Sql, userId: number, number: string): Promise<OptOutRow | null> {
  const [row] = await sql<OptOutRow[]>`
    SELECT phone_number, source, reason, created_at FROM taguato.opt_outs
    WHERE user_id = ${userId} AND phone_number = ${number}`;
  return row ?? null;
}

/**
 * The registry key of a send's recipient (send_rules' normalised form): the digits of a number or user JID;
 * null for a group or other JID, which no contact can opt out of.
 */
export function optOutKey(recipient: string): string | null {
  const m = /^(\d{8,20})(?::\d+)?(?:@s\.whatsapp\.net)?$/i.exec(recipient);
  return m ? m[1] : null;
}

/** The text of an engine message (plain or extended text, a caption), or null. */
function messageText(message: unknown): string | null {
  if (!message || typeof message !== "object") return null;
  const m = message as Record<string, { text?: unknown; caption?: unknown } | string | undefined>;
  const ext = m.extendedTextMessage;
  const candidates = [m.conversation, typeof ext === "object" ? ext?.text : undefined];
  const text = candidates.find((t): t is string => typeof t === "string");
  return text ?? null;
}

/**
 * The engine-events hook: an inbound message from a phone number whose text is one of the tenant's stop or
 * start words opts it out or back in (see applyInboundKeyword). Anything else changes nothing.
 */
export async function applyInboundMessage(
  sql: Sql,
  userId: number,
  counterpart: string,
  message: unknown,
): Promise<"opted_out" | "opted_in" | null> {
  const number = optOutKey(counterpart);
  const text = messageText(message);
  if (number === null || text === null) return null;
  return await applyInboundKeyword(sql, userId, number, text);
}

/** Sets the tenant's stop and/or start words; null puts back the defaults. Words are stored normalised. */
export async function setKeywords(
  sql: Sql,
  userId: number,
  words: { optOut?: string[] | null; optIn?: string[] | null },
): Promise<{ optOut: string[]; optIn: string[] }> {
  const norm = (list: string[] | null) => list === null ? null : [...new Set(list.map(normalizeKeyword))];
  const optOut = words.optOut === undefined ? undefined : norm(words.optOut);
  const optIn = words.optIn === undefined ? undefined : norm(words.optIn);
  await sql`
    UPDATE taguato.users SET
      opt_out_words = CASE WHEN ${optOut !== undefined} THEN ${optOut ?? null}::text[] ELSE opt_out_words END,
      opt_in_words = CASE WHEN ${optIn !== undefined} THEN ${optIn ?? null}::text[] ELSE opt_in_words END
    WHERE id = ${userId}`;
  return await keywordsOf(sql, userId);
}

/** A number typed by a person or an API client (`+595 981…`, a user JID) as its registry key, or a 400. */
export function optOutNumber(value: unknown): string {
  const key = optOutKey(normalizeRecipient(value, "phone_number"));
  if (key === null) throw fail("opt_out_not_phone");
  return key;
}

/** The header a direct send sets to go out to an opted-out number anyway. */
export const IGNORE_OPT_OUT_HEADER = "X-Ignore-Opt-Out";

/**
 * The direct-send rule: a send to a number in the tenant's registry is a 409 unless the caller set
 * `X-Ignore-Opt-Out: true` (for a reply the contact asked for, a legal notice, …).
 */
export async function refuseOptedOut(
  sql: Sql,
  userId: number,
  recipient: string,
  ignoreHeader: string | undefined,
): Promise<void> {
  const number = optOutKey(recipient);
  if (number === null || ignoreHeader?.trim().toLowerCase() === "true") return;
  if (await isOptedOut(sql, userId, number)) {
    throw fail("opt_out_recipient", { number, header: IGNORE_OPT_OUT_HEADER });
  }
}
