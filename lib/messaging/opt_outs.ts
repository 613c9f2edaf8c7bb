// Each tenant's opt-out registry: numbers that asked not to be messaged (migration 0012). Bulk,
// scheduled and campaign sends skip them and record why; a direct send to one is refused unless the
// caller overrides it. An inbound message that is exactly a stop word opts its sender out, a start word
// opts it back in. Numbers are the digits-only form the send rules produce.
import type { Sql } from "../core/mod.ts";

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

/** True when the tenant may not message `number`. */
export async function isOptedOut(sql: Sql, userId: number, number: string): Promise<boolean> {
  return (await optedOutAmong(sql, userId, [number])).has(number);
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
