// The bodies of POST and PUT /api/scheduled, checked in the contract's order (§1.6) with its messages, plus
// the fixes: an update may only move a message to an instance the caller can reach, recipients are checked
// on update as on create, times carry a zone, and the new fields (recurrence, template, variables).
import { type AppDeps, fail, HttpError, type SessionUser } from "../core/mod.ts";
import type { ApiKeyPrincipal } from "../auth/mod.ts";
import { keyAllowsInstance, normalizeRecipient, unreachableInstances } from "../gateway/mod.ts";
import { byteLength } from "./templates.ts";
import { contactListItems, contactVars, findContactList } from "./contacts.ts";
import { canonicalTimeZone, parseRecurrence, parseScheduledAt, requireTimeZone } from "./recurrence.ts";
import {
  MAX_SCHEDULED_RECIPIENTS,
  type RecipientVariables,
  SCHEDULED_CONTENT_MAX_BYTES,
  SCHEDULED_TYPES,
  type ScheduledChanges,
  type ScheduledFields,
  type ScheduledRow,
  type ScheduledType,
  templateContentOf,
  userTimeZone,
} from "./scheduled.ts";

type Body = Record<string, unknown>;
const MAX_VARIABLES = 50;
const MAX_VARIABLE_LENGTH = 1000;

const present = (v: unknown) => v !== undefined && v !== null;

/** The object a JSON body must be, or the contract's 400. */
export function bodyObject(body: unknown): Body {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw fail("invalid_json");
  return body as Body;
}

/** The zone a time without offset is read in: the body's, else the user's setting, else the default. */
export async function zoneFor(deps: AppDeps, userId: number, body: Body, fallback?: string): Promise<string> {
  if (present(body.time_zone)) return requireTimeZone(body.time_zone);
  return fallback ?? canonicalTimeZone(await userTimeZone(deps.sql, userId)) ?? deps.config.defaultTimeZone;
}

/** 1-500 numbers of 8-20 digits (normalised), duplicates dropped in order. */
function recipientsOf(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw fail("scheduled_recipients_array");
  if (value.length > MAX_SCHEDULED_RECIPIENTS) throw fail("scheduled_recipients_max");
  const out = new Set<string>();
  for (const raw of value) {
    let number: string;
    try {
      number = normalizeRecipient(raw, "recipient");
    } catch (err) {
      if (err instanceof HttpError) throw fail("scheduled_recipient_invalid", { message: err.message });
      throw err;
    }
    // Scheduled sends go to phone numbers only (the table's CHECK); a JID is refused here, not by the DB.
    if (number.includes("@")) throw fail("scheduled_recipient_invalid", { message: String(raw) });
    out.add(number);
  }
  return [...out];
}

function contentOf(value: unknown): string {
  if (typeof value !== "string" || value === "") throw fail("field_required", { field: "message_content" });
  if (byteLength(value) > SCHEDULED_CONTENT_MAX_BYTES) {
    throw fail("field_too_long", { field: "message_content", max: SCHEDULED_CONTENT_MAX_BYTES });
  }
  return value;
}

function typeOf(value: unknown): ScheduledType {
  if (value === undefined || value === null) return "text";
  if (typeof value !== "string" || !(SCHEDULED_TYPES as readonly string[]).includes(value)) {
    throw fail("log_filter_choice", { field: "message_type", values: SCHEDULED_TYPES.join(", ") });
  }
  return value as ScheduledType;
}

/** A media message's content must be the engine's JSON {mediatype, media, caption?} (the worker sends it). */
function checkMedia(type: ScheduledType, content: string) {
  if (type === "text") return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch { /* refused below */ }
  const media = parsed as { media?: unknown; caption?: unknown } | undefined;
  if (
    typeof media !== "object" || media === null || typeof media.media !== "string" || media.media === "" ||
    (media.caption !== undefined && typeof media.caption !== "string")
  ) throw fail("scheduled_media_invalid");
}

/** {number: {name: value}} for numbers among the recipients, text values only. */
function variablesOf(value: unknown, recipients: string[]): RecipientVariables | null {
  if (!present(value)) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw fail("scheduled_variables_invalid");
  const known = new Set(recipients);
  const out: RecipientVariables = {};
  for (const [rawNumber, vars] of Object.entries(value as Body)) {
    const number = rawNumber.replace(/[+()\s-]/g, "");
    if (!known.has(number) || typeof vars !== "object" || vars === null || Array.isArray(vars)) {
      throw fail("scheduled_variables_invalid");
    }
    const entries = Object.entries(vars as Body);
    if (
      entries.length > MAX_VARIABLES ||
      !entries.every(([k, v]) =>
        /^[A-Za-z0-9_.]{1,64}$/.test(k) && typeof v === "string" &&
        v.length <= MAX_VARIABLE_LENGTH
      )
    ) throw fail("scheduled_variables_invalid");
    out[number] = Object.fromEntries(entries) as Record<string, string>;
  }
  return out;
}

/** Who schedules: the user, and the API key when one carried the request (it may name its instances). */
export interface Scheduler {
  user: SessionUser;
  key?: ApiKeyPrincipal;
}

/** The one reachability rule (reachableBy), narrowed by an instance-restricted API key. */
/**
 * The numbers of the user's contact list and each one's variables (name = label, custom fields), or null
 * when none is named; another user's list is not found.
 */
async function fromContactList(deps: AppDeps, userId: number, value: unknown) {
  if (!present(value)) return null;
  const list = Number.isSafeInteger(value) && (value as number) >= 1
    ? await findContactList(deps.sql, userId, value as number)
    : null;
  if (!list) throw fail("contact_list_not_found");
  const items = await contactListItems(deps.sql, list.id);
  const variables: RecipientVariables = {};
  for (const item of items) {
    const vars = Object.entries(contactVars(item)).filter(([, v]) =>
      v !== null && v !== undefined && v !== ""
    );
    variables[item.phone_number] = Object.fromEntries(vars.map(([k, v]) => [k, String(v)]));
  }
  return { recipients: items.map((i) => i.phone_number), variables };
}

async function assertReachableInstance(deps: AppDeps, who: Scheduler, name: string) {
  if (!keyAllowsInstance(who.key, name) || (await unreachableInstances(deps.sql, who.user, [name])).length) {
    throw fail("webhook_instance_not_owned");
  }
}

function untilOf(value: unknown, zone: string, scheduledAt: number): number | null {
  if (!present(value)) return null;
  const until = parseScheduledAt(value, zone, "recurrence_until");
  if (until < scheduledAt) throw fail("recurrence_until_before");
  return until;
}

/** The user's template id and content (null when none is named); another user's id is not found. */
async function templateOf(
  deps: AppDeps,
  userId: number,
  value: unknown,
): Promise<{ id: number; content: string } | null> {
  if (!present(value)) return null;
  const content = Number.isSafeInteger(value) && (value as number) >= 1
    ? await templateContentOf(deps.sql, userId, value as number)
    : null;
  if (content === null) throw fail("template_not_found");
  return { id: value as number, content };
}

const pick = (vars: RecipientVariables, numbers: string[]) =>
  Object.fromEntries(numbers.filter((n) => vars[n]).map((n) => [n, vars[n]]));

/** POST /api/scheduled: the contract's checks in its order, then the new fields. */
export async function validateCreate(deps: AppDeps, who: Scheduler, raw: unknown): Promise<ScheduledFields> {
  const { user } = who;
  const body = bodyObject(raw);
  if (typeof body.instance_name !== "string" || body.instance_name === "") {
    throw fail("field_required", { field: "instance_name" });
  }
  // A contact list adds its numbers (after any listed in the body) and their names and custom fields.
  const list = await fromContactList(deps, user.id, body.contact_list_id);
  const recipients = recipientsOf(
    list ? [...(Array.isArray(body.recipients) ? body.recipients : []), ...list.recipients] : body.recipients,
  );
  const template = await templateOf(deps, user.id, body.template_id);
  // A template supplies the text when the body has none (its content is copied: a later edit of the
  // template does not change what was scheduled).
  const messageContent = contentOf(present(body.message_content) ? body.message_content : template?.content);
  if (!present(body.scheduled_at) || body.scheduled_at === "") {
    throw fail("field_required", { field: "scheduled_at" });
  }
  await assertReachableInstance(deps, who, body.instance_name);
  const messageType = typeOf(body.message_type);
  checkMedia(messageType, messageContent);
  const timeZone = await zoneFor(deps, user.id, body);
  const scheduledAt = parseScheduledAt(body.scheduled_at, timeZone);
  const recurrence = parseRecurrence(body.recurrence, timeZone);
  return {
    instanceName: body.instance_name,
    messageType,
    messageContent,
    recipients,
    scheduledAt,
    timeZone,
    recurrence,
    recurrenceUntil: recurrence ? untilOf(body.recurrence_until, timeZone, scheduledAt) : null,
    templateId: template?.id ?? null,
    variables: list
      ? { ...pick(list.variables, recipients), ...variablesOf(body.variables, recipients) }
      : variablesOf(body.variables, recipients),
  };
}

/** PUT /api/scheduled/{id} of a pending message: each given field held to the create rules. */
export async function validateUpdate(
  deps: AppDeps,
  who: Scheduler,
  current: ScheduledRow,
  raw: unknown,
): Promise<ScheduledChanges> {
  const { user } = who;
  const body = bodyObject(raw);
  const c: ScheduledChanges = {};
  if (body.instance_name !== undefined) {
    if (typeof body.instance_name !== "string" || body.instance_name === "") {
      throw fail("field_required", { field: "instance_name" });
    }
    // The contract's bug (§14.1 #4): the new instance must be one the caller can use.
    await assertReachableInstance(deps, who, body.instance_name);
    c.instanceName = body.instance_name;
  }
  if (body.message_type !== undefined) c.messageType = typeOf(body.message_type);
  if (body.message_content !== undefined) c.messageContent = contentOf(body.message_content);
  if (body.recipients !== undefined) c.recipients = recipientsOf(body.recipients);
  if (c.messageType !== undefined || c.messageContent !== undefined) {
    checkMedia(c.messageType ?? current.message_type, c.messageContent ?? current.message_content);
  }
  if (body.time_zone !== undefined) c.timeZone = requireTimeZone(body.time_zone);
  const zone = c.timeZone ?? current.time_zone;
  if (body.scheduled_at !== undefined) c.scheduledAt = parseScheduledAt(body.scheduled_at, zone);
  if (body.recurrence !== undefined) c.recurrence = parseRecurrence(body.recurrence, zone);
  if (body.recurrence_until !== undefined) {
    c.recurrenceUntil = untilOf(body.recurrence_until, zone, c.scheduledAt ?? current.scheduled_at.getTime());
  }
  if (body.template_id !== undefined) {
    c.templateId = (await templateOf(deps, user.id, body.template_id))?.id ?? null;
  }
  const recipients = c.recipients ?? current.recipients;
  if (body.variables !== undefined) c.variables = variablesOf(body.variables, recipients);
  else if (c.recipients !== undefined && current.variables) {
    // New recipients keep the variables of the numbers that stay.
    const kept = Object.entries(current.variables).filter(([n]) => recipients.includes(n));
    c.variables = kept.length ? Object.fromEntries(kept) : null;
  }
  if (Object.keys(c).length === 0) throw fail("no_fields_to_update");
  return c;
}
