// Helpers for the campaign tests: create a campaign over the API with pacing at zero, read the numbers
// the sandbox engine really sent to (its own message store, so a duplicate send would show twice), and
// read recipient rows straight from the database.
import { ENGINE_KEY } from "./app.ts";
import { call, type Gateway } from "../proxy_fixtures.ts";

/** The governor's budget off (CAMPAIGN_WARMUP_DAILY=0), for tests that send more than a new number's 40. */
export const NO_BUDGET = { CAMPAIGN_WARMUP_DAILY: "0" };

/** Pacing at zero: the dispatcher sends back to back. */
export const NO_PACING = { min_gap_s: 0, max_gap_s: 0 };

/** POST /api/campaigns as `token`; defaults: one variant, pacing at zero, start now. */
export function createCampaign(gw: Gateway, token: string, body: Record<string, unknown>) {
  return call(gw, "POST", "/api/campaigns", {
    token,
    body: { name: "Promo", variants: ["Hola {{name}}"], pacing: NO_PACING, ...body },
  });
}

/** Numbers the engine holds an outbound message to on `instance`, one entry per message. */
export async function engineRecipients(gw: Gateway, instance: string): Promise<string[]> {
  const out: string[] = [];
  for (let page = 1;; page++) {
    const res = await fetch(`${gw.sandbox.url}/chat/findMessages/${instance}`, {
      method: "POST",
      headers: { apikey: ENGINE_KEY, "content-type": "application/json" },
      body: JSON.stringify({ where: { key: { fromMe: true } }, page, offset: 500 }),
    });
    const body = await res.json();
    const records = body.messages.records as { key: { remoteJid: string } }[];
    out.push(...records.map((r) => r.key.remoteJid.split("@")[0]));
    if (records.length < 500) return out;
  }
}

/** The campaign's recipients as rows: number, status and reason, in insertion order. */
export async function recipientRows(gw: Gateway, campaignId: number) {
  return await gw.db.sql<{ phone_number: string; status: string; reason: string | null }[]>`
    SELECT phone_number, status, reason FROM taguato.campaign_recipients
    WHERE campaign_id = ${campaignId} ORDER BY id`;
}

/** `count` distinct valid numbers starting at 595981100000 + `from`. */
export const numbers = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => String(595981100000 + from + i));
