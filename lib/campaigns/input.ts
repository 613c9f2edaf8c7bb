// The create body of POST /api/campaigns, checked field by field into catalogue problems (the route's
// schema turns one into its 400), then resolved against the tenant's data: contact lists → recipients
// with their variables, a template → the single variant, the instance → reachable or 403.
import type { ApiKeyPrincipal } from "../auth/mod.ts";
import { type AppDeps, type ErrorCode, type ErrorParams, fail, type SessionUser } from "../core/mod.ts";
import {
  assertReachable,
  MAX_TEXT_LENGTH,
  MEDIA_TYPES,
  normalizeMedia,
  validateInstanceName,
} from "../gateway/mod.ts";
import {
  contactListItems,
  contactVars,
  findContactList,
  findTemplate,
  parseContactsCsv,
} from "../messaging/mod.ts";
import { recipientTimeZone } from "./recipient_zone.ts";
import { canonicalTimeZone, parseClockTime } from "./pacing.ts";
import type { NewCampaign, NewRecipient } from "./store.ts";

export const MAX_RECIPIENTS = 100_000;
export const MAX_VARIANTS = 5;
export const MAX_LISTS = 20;
const MAX_GAP_S = 86_400;

export interface CampaignBody {
  name: string;
  instance: string;
  numbers: string[];
  contactListIds: number[];
  /** A CSV file's text and its optional column names (other columns become variables). */
  csv: { text: string; number?: string; name?: string } | null;
  templateId: number | null;
  variants: string[];
  mediaUrl: string | null;
  mediaType: string | null;
  startAt: Date | null;
  draft: boolean;
  pacing: Omit<
    NewCampaign,
    "instanceName" | "name" | "variants" | "mediaUrl" | "mediaType" | "startAt" | "draft"
  >;
}

export type Checked = { ok: true; value: CampaignBody } | {
  ok: false;
  code: ErrorCode;
  params?: ErrorParams;
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
// An ISO 8601 instant with an explicit offset (Z or ±hh:mm): a bare local time would be ambiguous.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

class Problem {
  constructor(readonly code: ErrorCode, readonly params?: ErrorParams) {}
}
const refuse = (code: ErrorCode, params?: ErrorParams): never => {
  throw new Problem(code, params);
};

/** Checks the create body's shape and ranges (no I/O). */
export function checkCampaignBody(raw: unknown): Checked {
  try {
    return { ok: true, value: parseBody(raw) };
  } catch (err) {
    if (err instanceof Problem) return { ok: false, code: err.code, params: err.params };
    throw err;
  }
}

function parseBody(b: unknown): CampaignBody {
  if (!isObject(b)) return refuse("invalid_json");
  const name = b.name;
  if (typeof name !== "string" || name.trim() === "" || [...name].length > 100) {
    refuse("campaign_name_invalid");
  }
  if (typeof b.instance !== "string" || b.instance === "") refuse("field_required", { field: "instance" });
  const numbers = b.numbers ?? [];
  if (!Array.isArray(numbers) || !numbers.every((n) => typeof n === "string" && n.length <= 64)) {
    refuse("campaign_numbers_invalid");
  }
  const lists = b.contact_list_ids ?? [];
  if (!Array.isArray(lists) || lists.length > MAX_LISTS || !lists.every(isId)) {
    refuse("campaign_lists_invalid", { max: MAX_LISTS });
  }
  const csv = csvOf(b);
  if ((numbers as string[]).length === 0 && (lists as number[]).length === 0 && csv === null) {
    refuse("campaign_recipients_required");
  }
  if ((numbers as string[]).length > MAX_RECIPIENTS) {
    refuse("campaign_too_many_recipients", { max: MAX_RECIPIENTS });
  }
  return {
    name: (name as string).trim(),
    instance: b.instance as string,
    numbers: numbers as string[],
    contactListIds: [...new Set(lists as number[])],
    csv,
    ...content(b),
    ...media(b),
    startAt: startOf(b.start_at),
    draft: b.draft === undefined
      ? false
      : b.draft === true
      ? true
      : b.draft === false
      ? false
      : refuse("campaign_draft_invalid"),
    pacing: pacingOf(b.pacing),
  };
}

// The CSV as text (the panel reads the file and sends it in the JSON body): 100,000 rows of a few columns.
const MAX_CSV_CHARS = 20_000_000;

function csvOf(b: Record<string, unknown>): CampaignBody["csv"] {
  if (b.csv === undefined || b.csv === null) return null;
  if (typeof b.csv !== "string") return refuse("field_not_string", { field: "csv" });
  if (b.csv.length > MAX_CSV_CHARS) refuse("field_too_long", { field: "csv", max: MAX_CSV_CHARS });
  const column = (field: string) => {
    const v = b[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || v.trim() === "" || v.length > 200) {
      return refuse("field_not_string", { field });
    }
    return v;
  };
  return { text: b.csv, number: column("csv_number_column"), name: column("csv_name_column") };
}

function content(b: Record<string, unknown>) {
  const hasTemplate = b.template_id !== undefined && b.template_id !== null;
  const hasVariants = b.variants !== undefined && b.variants !== null;
  if (hasTemplate === hasVariants) refuse("campaign_content_required", { max: MAX_VARIANTS });
  if (hasTemplate) {
    if (!isId(b.template_id)) refuse("campaign_content_required", { max: MAX_VARIANTS });
    return { templateId: b.template_id as number, variants: [] };
  }
  const v = b.variants;
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_VARIANTS) {
    refuse("campaign_content_required", { max: MAX_VARIANTS });
  }
  for (const text of v as unknown[]) {
    if (typeof text !== "string" || text.trim() === "" || [...text].length > MAX_TEXT_LENGTH) {
      refuse("campaign_variant_invalid", { max: MAX_TEXT_LENGTH });
    }
  }
  return { templateId: null, variants: v as string[] };
}

function media(b: Record<string, unknown>) {
  if (b.media_url === undefined || b.media_url === null) return { mediaUrl: null, mediaType: null };
  const types = MEDIA_TYPES.join(", ");
  // The address rules (public https unless MEDIA_ALLOW_PRIVATE) are checked in resolveCampaign.
  if (typeof b.media_url !== "string" || !/^https?:\/\//i.test(b.media_url)) {
    refuse("campaign_media_invalid", { types });
  }
  const type = b.media_type ?? "image";
  if (typeof type !== "string" || !(MEDIA_TYPES as readonly string[]).includes(type)) {
    refuse("campaign_media_invalid", { types });
  }
  return { mediaUrl: b.media_url as string, mediaType: type as string };
}

function startOf(v: unknown): Date | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || !ISO_WITH_OFFSET.test(v) || Number.isNaN(Date.parse(v))) {
    refuse("campaign_start_invalid");
  }
  return new Date(v as string);
}

const intIn = (v: unknown, field: string, min: number, max: number, fallback: number | null) => {
  if (v === undefined || v === null) return fallback;
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) {
    refuse("campaign_pacing_invalid", { field, min, max });
  }
  return v as number;
};

function pacingOf(raw: unknown): CampaignBody["pacing"] {
  const p = raw ?? {};
  if (!isObject(p)) return refuse("campaign_pacing_invalid", { field: "pacing", min: 0, max: 0 });
  const minGapS = intIn(p.min_gap_s, "min_gap_s", 0, MAX_GAP_S, 8)!;
  const maxGapS = intIn(p.max_gap_s, "max_gap_s", minGapS, MAX_GAP_S, Math.max(minGapS, 20))!;
  const tz = typeof p.time_zone === "string"
    ? canonicalTimeZone(p.time_zone)
    : p.time_zone == null
    ? "UTC"
    : null;
  if (tz === null) refuse("campaign_time_zone_invalid");
  const quiet = [p.quiet_start, p.quiet_end];
  if ((quiet[0] == null) !== (quiet[1] == null)) refuse("campaign_quiet_hours_invalid");
  const [qs, qe] = quiet.map((q) => q == null ? null : typeof q === "string" ? parseClockTime(q) : null);
  if (quiet[0] != null && (qs === null || qe === null)) refuse("campaign_quiet_hours_invalid");
  const zone = p.quiet_hours_zone ?? "campaign";
  if (zone !== "campaign" && zone !== "recipient") refuse("campaign_quiet_hours_invalid");
  return {
    minGapS,
    maxGapS,
    longPauseEvery: intIn(p.long_pause_every, "long_pause_every", 1, MAX_RECIPIENTS, null),
    longPauseS: intIn(p.long_pause_s, "long_pause_s", 0, MAX_GAP_S, 0)!,
    dailyCap: intIn(p.daily_cap, "daily_cap", 1, 1_000_000, null),
    quietStart: qs ?? null,
    quietEnd: qe ?? null,
    timeZone: tz as string,
    quietHoursZone: zone as "campaign" | "recipient",
    typingMs: intIn(p.typing_ms, "typing_ms", 0, 30_000, 0)!,
  };
}

/**
 * The campaign and its recipients for a checked body: the instance must be reachable by the caller (and
 * its API key), every list and the template the caller's own. Duplicate numbers are sent once: list items
 * come first, so a number also given in `numbers` keeps its contact's variables.
 */
export async function resolveCampaign(
  deps: AppDeps,
  user: SessionUser,
  key: ApiKeyPrincipal | undefined,
  b: CampaignBody,
): Promise<{ campaign: NewCampaign; recipients: NewRecipient[]; csv: CsvReport | null }> {
  let csvReport: CsvReport | null = null;
  const instanceName = validateInstanceName(b.instance);
  if (b.mediaUrl !== null) normalizeMedia(b.mediaUrl, "media_url", deps.config.mediaAllowPrivate);
  // The dispatcher computes local days in PostgreSQL: a name the runtime knows but the server does not
  // would fail every claim, so it is refused here.
  try {
    await deps.sql`SELECT now() AT TIME ZONE ${b.pacing.timeZone}`;
  } catch {
    throw fail("campaign_time_zone_invalid");
  }
  await assertReachable(deps, user, key, [instanceName]);
  let variants = b.variants;
  if (b.templateId !== null) {
    const tpl = await findTemplate(deps.sql, user.id, b.templateId);
    if (!tpl) throw fail("template_not_found");
    variants = [tpl.content];
  }
  const seen = new Set<string>();
  const recipients: NewRecipient[] = [];
  const add = (phone: string, vars: Record<string, unknown>) => {
    const k = phone.replace(/[+()\s-]/g, "");
    if (seen.has(k)) return;
    seen.add(k);
    recipients.push({ phone, vars });
  };
  for (const listId of b.contactListIds) {
    if (!await findContactList(deps.sql, user.id, listId)) throw fail("contact_list_not_found");
    for (const item of await contactListItems(deps.sql, listId)) add(item.phone_number, contactVars(item));
  }
  for (const n of b.numbers) add(n, {});
  if (b.csv) {
    // A file that cannot be read as a whole is a 400 before anything is stored; its bad rows are left out
    // and counted in the answer.
    const parsed = parseContactsCsv(
      new TextEncoder().encode(b.csv.text),
      { number: b.csv.number, name: b.csv.name },
      MAX_RECIPIENTS,
    );
    for (const row of parsed.contacts) add(row.phone_number, contactVars({ ...row, label: row.label }));
    csvReport = {
      rows: parsed.report.length,
      accepted: parsed.contacts.length,
      invalid: parsed.report.filter((r) => r.status === "invalid").length,
      duplicate: parsed.report.filter((r) => r.status === "duplicate").length,
    };
  }
  if (recipients.length > MAX_RECIPIENTS) throw fail("campaign_too_many_recipients", { max: MAX_RECIPIENTS });
  if (b.pacing.quietHoursZone === "recipient") {
    for (const r of recipients) r.timeZone = recipientTimeZone(r.phone, b.pacing.timeZone);
  }
  const startAt = b.startAt ?? new Date(deps.clock.now());
  return {
    campaign: {
      instanceName,
      name: b.name,
      variants,
      mediaUrl: b.mediaUrl,
      mediaType: b.mediaType,
      startAt,
      draft: b.draft,
      ...b.pacing,
    },
    recipients,
    csv: csvReport,
  };
}

/** What became of a create's CSV rows. */
export interface CsvReport {
  rows: number;
  accepted: number;
  invalid: number;
  duplicate: number;
}
