// The one place that says how each TAGUATO-SEND table (contract §4) becomes rows of this gateway's schema
// (migrations/). Other work changes templates, contacts, scheduled messages and the message log: adjust
// the column lists here, nothing else reads the source.
//
// Every source query runs with the session time zone set to the source's (--source-timezone, UTC in
// TAGUATO-SEND's container), so `col::timestamptz` reads its zone-less TIMESTAMP columns as the instants
// they were written at.
import type postgres from "postgres";
import { type AppDeps, randomToken, sealSecret } from "../core/mod.ts";
import { SECRET_PURPOSE } from "../webhooks/mod.ts";

type Tx = postgres.TransactionSql;
// The purpose lib/auth/two_factor.ts seals TOTP secrets under (it has no cache-free sealer to call).
const TOTP_PURPOSE = "totp";

/** What a table's writer needs: the target transaction, the key material, and the ids mapped so far. */
export interface ImportContext {
  tx: Tx;
  /** The target pool and config, for sealing secrets (TOTP, webhook signing). */
  deps: Pick<AppDeps, "config" | "sql">;
  /** The new id of an already imported (or matched) source row, or null. */
  idOf(table: string, oldId: unknown): number | null;
}

/**
 * A row's fate: `id` = created (or, with `matched`, found by its natural key) and mapped; `skip` = not
 * brought over, with the reason counted in the summary.
 */
export type WriteResult = { id: number; matched?: boolean } | { linked: true } | { skip: string };

export interface TableSpec {
  /** The source table (also the import_map key). */
  table: string;
  /** The SELECT list read `FROM taguato.<table>`, and an optional WHERE condition. */
  select: string;
  where?: string;
  /**
   * Link rows (grants, incident/maintenance services) are not mapped: they are keyed by what they link, so
   * every run offers them again and ON CONFLICT skips those already there. Other rows map their `id`.
   */
  link?: boolean;
  write(row: Row, ctx: ImportContext): Promise<WriteResult>;
}

// deno-lint-ignore no-explicit-any
export type Row = Record<string, any>;

const ts = (col: string) => `${col}::timestamptz AS ${col}`;
const TIMES = `${ts("created_at")}, ${ts("updated_at")}`;
const skip = (reason: string): WriteResult => ({ skip: reason });
const NO_PARENT = "parent not imported";
// why: a name skipped because another user owns it here must not pass that user's instance to the
// imported rows (a grant, a pending send, a webhook); only instances that came over (or matched) count.
const NO_INSTANCE = "instance not imported";
// why: TAGUATO-SEND let a scheduled message name any instance (§14 #4); a send or webhook comes over only
// for an instance its user owns or was granted here.
const NOT_THEIRS = "instance neither owned nor granted";
/** The source instance's id, for tables that name their instance (see NO_INSTANCE). */
const instanceId = (table: string) =>
  `(SELECT ui.id FROM taguato.user_instances ui WHERE ui.instance_name = ${table}.instance_name) AS instance_id`;

/** Maximum our API accepts for max_instances; TAGUATO-SEND's -1 meant unlimited. */
const INT4_MAX = 2_147_483_647;
const USERNAME = /^[A-Za-z0-9_]{3,50}$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]+$/;
const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const EVENT = /^[A-Z][A-Z0-9_]*$/;
const PHONE = /^[0-9]{8,20}$/;
/** Audit detail keys that may hold a plaintext password (contract §14 #6: user_updated stored the body). */
const SECRET_KEYS = /pass(word)?|secret|token|code/i;

const chars = (v: unknown) => [...String(v ?? "")].length;
const bytes = (v: unknown) => new TextEncoder().encode(String(v ?? "")).length;
/** A timestamp the source left NULL (its columns only defaulted to NOW()) becomes the import's time. */
const at = (v: Date | null | undefined) => v ?? new Date();
const within = (n: number, lo: number, hi: number) => n >= lo && n <= hi;
/** Lower-case identifiers, as audit actions and resource types must be here. */
const WORD = /^[a-z0-9_]{1,50}$/;
const INCIDENT_STATUS = ["investigating", "identified", "monitoring", "resolved"];

/** The digits of a phone number as TAGUATO-SEND validated it (whitespace stripped), or null. */
function phone(raw: unknown): string | null {
  const digits = String(raw ?? "").replace(/\s+/g, "");
  return PHONE.test(digits) ? digits : null;
}

async function insertId(query: Promise<{ id: number }[]>): Promise<WriteResult> {
  const [row] = await query;
  return row ? { id: row.id } : skip("already there");
}

async function writeUser(r: Row, { tx, deps }: ImportContext): Promise<WriteResult> {
  if (!USERNAME.test(r.username)) return skip("username not 3-50 of [A-Za-z0-9_]");
  if (!r.password_hash) return skip("no password hash");
  // Matched by name: an account that already exists here (the bootstrap admin) is kept as it is.
  const [have] = await tx<{ id: number }[]>`SELECT id FROM taguato.users WHERE username = ${r.username}`;
  if (have) return { id: have.id, matched: true };
  let email: string | null = String(r.email ?? "").trim() || null;
  if (email && (email.length > 255 || !EMAIL.test(email))) email = null;
  if (email) {
    const [taken] = await tx`SELECT 1 FROM taguato.users WHERE lower(email) = lower(${email})`;
    if (taken) email = null;
  }
  const admin = r.role === "admin";
  const max = r.max_instances ?? 1;
  const totp = r.totp_enabled && r.totp_secret ? await sealSecret(deps, TOTP_PURPOSE, r.totp_secret) : null;
  const rate = r.rate_limit === null || r.rate_limit < 0 ? null : r.rate_limit;
  // Lockouts are not carried over: TAGUATO-SEND's never decayed (§14 #8).
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.users (username, password_hash, role, max_instances, is_active,
        must_change_password, rate_limit, email, phone_number, totp_secret_enc, totp_enabled,
        created_at, updated_at)
      VALUES (${r.username}, ${r.password_hash}, ${admin ? "admin" : "user"},
        ${max < 0 ? (admin ? 0 : INT4_MAX) : max}, ${r.is_active ?? true}, ${r.must_change_password ?? true},
        ${rate}, ${email}, ${phone(r.phone_number)}, ${totp}, ${totp !== null}, ${at(r.created_at)},
        ${at(r.updated_at)})
      RETURNING id`,
  );
}

async function writeService(r: Row, { tx }: ImportContext): Promise<WriteResult> {
  if (!within(chars(r.name), 1, 100)) return skip("name empty or over 100 characters");
  const [have] = await tx<{ id: number }[]>`SELECT id FROM taguato.services WHERE name = ${r.name}`;
  if (have) return { id: have.id, matched: true };
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.services (name, description, display_order, is_active, created_at)
      VALUES (${r.name}, ${r.description}, ${r.display_order ?? 0}, ${r.is_active ?? true},
        ${at(r.created_at)})
      RETURNING id`,
  );
}

async function writeInstance(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  const owner = idOf("users", r.user_id);
  if (owner === null) return skip("no imported owner");
  if (r.instance_name.length > 100 || !INSTANCE.test(r.instance_name)) {
    return skip("instance name not allowed");
  }
  const [have] = await tx<{ id: number; user_id: number }[]>`
    SELECT id, user_id FROM taguato.user_instances WHERE instance_name = ${r.instance_name}`;
  if (have) {
    return have.user_id === owner ? { id: have.id, matched: true } : skip("name owned by another user");
  }
  // Telegram bot tokens are sealed under TAGUATO-SEND's secret and are not brought over: set them again.
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.user_instances (user_id, instance_name, channel_type, created_at)
      VALUES (${owner}, ${r.instance_name}, ${r.channel_type ?? "whatsapp"}, ${at(r.created_at)})
      RETURNING id`,
  );
}

/** Runs an INSERT ... ON CONFLICT DO NOTHING of a link row: linked, or already there. */
async function link(query: PromiseLike<readonly unknown[]>): Promise<WriteResult> {
  const rows = await query;
  return rows.length ? { linked: true } : skip("already there");
}

async function writeGrant(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  const grantee = idOf("users", r.grantee_user_id);
  if (grantee === null) return skip(NO_PARENT);
  if (idOf("user_instances", r.instance_id) === null) return skip(NO_INSTANCE);
  return await link(tx`
    INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id, granted_by, granted_at)
    VALUES (${r.instance_name}, ${grantee}, ${idOf("users", r.granted_by)}, ${at(r.granted_at)})
    ON CONFLICT DO NOTHING RETURNING id`);
}

async function writeTemplate(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  const user = idOf("users", r.user_id);
  if (user === null) return skip(NO_PARENT);
  if (!within(bytes(r.name), 1, 100) || !within(bytes(r.content), 1, 5000)) {
    return skip("name (1-100 bytes) or content (1-5000 bytes) out of range");
  }
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.message_templates (user_id, name, content, created_at, updated_at)
      VALUES (${user}, ${r.name}, ${r.content}, ${at(r.created_at)}, ${at(r.updated_at)}) RETURNING id`,
  );
}

async function writeContactList(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  const user = idOf("users", r.user_id);
  if (user === null) return skip(NO_PARENT);
  if (!within(chars(r.name), 1, 100)) return skip("name empty or over 100 characters");
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.contact_lists (user_id, name, created_at, updated_at)
      VALUES (${user}, ${r.name}, ${at(r.created_at)}, ${at(r.updated_at)}) RETURNING id`,
  );
}

async function writeContactItem(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  const list = idOf("contact_lists", r.list_id);
  if (list === null) return skip(NO_PARENT);
  const number = phone(r.phone_number);
  if (!number) return skip("phone number not 8-20 digits");
  if (chars(r.label) > 100) return skip("label over 100 characters");
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.contact_list_items (list_id, phone_number, label, created_at)
      VALUES (${list}, ${number}, ${r.label ?? ""}, ${at(r.created_at)}) RETURNING id`,
  );
}

/** Whether `userId` owns or was granted `instance` on the target (grants are imported before sends). */
async function mayUse(tx: Tx, userId: number, instance: string): Promise<boolean> {
  const [row] = await tx`
    SELECT 1 FROM taguato.user_instances WHERE instance_name = ${instance} AND user_id = ${userId}
    UNION ALL
    SELECT 1 FROM taguato.instance_permissions WHERE instance_name = ${instance} AND grantee_user_id = ${userId}
    LIMIT 1`;
  return row !== undefined;
}

/** TAGUATO-SEND's recipients: a JSON array in a TEXT column. Null when it is not a list of numbers. */
function recipients(raw: string): string[] | null {
  try {
    const list = JSON.parse(raw);
    if (!Array.isArray(list)) return null;
    const numbers = list.map(phone);
    return numbers.every((n) => n !== null) ? numbers as string[] : null;
  } catch {
    return null;
  }
}

async function writeScheduled(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  const user = idOf("users", r.user_id);
  if (user === null) return skip(NO_PARENT);
  if (idOf("user_instances", r.instance_id) === null) return skip(NO_INSTANCE);
  if (!await mayUse(tx, user, r.instance_name)) return skip(NOT_THEIRS);
  const to = recipients(r.recipients);
  if (!to || !within(to.length, 1, 500)) {
    return skip("recipients not a JSON list of 1-500 numbers of 8-20 digits");
  }
  if (!within(bytes(r.message_content), 1, 5000)) return skip("content not 1-5000 bytes");
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.scheduled_messages (user_id, instance_name, message_type, message_content,
        recipients, scheduled_at, status, created_at, updated_at)
      VALUES (${user}, ${r.instance_name}, ${r.message_type ?? "text"}, ${r.message_content}, ${tx.json(to)},
        ${r.scheduled_at}, 'pending', ${at(r.created_at)}, ${at(r.updated_at)}) RETURNING id`,
  );
}

async function writeMessageLog(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  const user = idOf("users", r.user_id);
  if (user === null) return skip(NO_PARENT);
  if (!within(chars(r.instance_name), 1, 255) || !within(chars(r.phone_number), 1, 128)) {
    return skip("instance name or number out of range");
  }
  const scheduled = idOf("scheduled_messages", r.scheduled_message_id);
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, message_type, status,
        status_updated_at, error_message, scheduled_message_id, source, created_at)
      VALUES (${user}, ${r.instance_name}, ${r.phone_number}, ${r.message_type ?? "text"},
        ${r.status ?? "sent"}, ${at(r.created_at)}, ${r.error_message}, ${scheduled},
        ${r.scheduled_message_id === null ? "api" : "scheduled"}, ${at(r.created_at)})
      ON CONFLICT DO NOTHING RETURNING id`,
  );
}

async function writeWebhook(r: Row, { tx, deps, idOf }: ImportContext): Promise<WriteResult> {
  const user = idOf("users", r.user_id);
  if (user === null) return skip(NO_PARENT);
  if (idOf("user_instances", r.instance_id) === null) return skip(NO_INSTANCE);
  if (!await mayUse(tx, user, r.instance_name)) return skip(NOT_THEIRS);
  if (chars(r.webhook_url) > 2048 || !/^https?:\/\/[^/]/.test(r.webhook_url)) return skip("URL not http(s)");
  const events = (r.events ?? []).filter((e: unknown) => typeof e === "string" && EVENT.test(e)).slice(0, 64);
  // TAGUATO-SEND's webhooks were unsigned; each gets a signing secret, shown when the tenant rotates it.
  const sealed = await sealSecret(deps, SECRET_PURPOSE, `whsec_${randomToken()}`);
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events, is_active, secret_enc,
        created_at, updated_at)
      VALUES (${user}, ${r.instance_name}, ${r.webhook_url}, ${events}, ${r.is_active ?? true}, ${sealed},
        ${at(r.created_at)}, ${at(r.updated_at)})
      ON CONFLICT DO NOTHING RETURNING id`,
  );
}

async function writeIncident(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  // resolved_at is set exactly while resolved here; TAGUATO-SEND could leave it NULL or stale (§14 #28).
  if (!within(chars(r.title), 1, 255)) return skip("title empty or over 255 characters");
  const resolvedAt = r.status === "resolved" ? r.resolved_at ?? r.updated_at ?? r.created_at : null;
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.incidents (title, severity, status, created_by, created_at, updated_at, resolved_at)
      VALUES (${r.title}, ${r.severity}, ${r.status}, ${idOf("users", r.created_by)}, ${at(r.created_at)},
        ${at(r.updated_at)}, ${resolvedAt})
      RETURNING id`,
  );
}

async function writeIncidentUpdate(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  const incident = idOf("incidents", r.incident_id);
  if (incident === null) return skip(NO_PARENT);
  if (!r.message || !INCIDENT_STATUS.includes(r.status)) return skip("empty message or unknown status");
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.incident_updates (incident_id, status, message, created_by, created_at)
      VALUES (${incident}, ${r.status}, ${r.message}, ${idOf("users", r.created_by)}, ${at(r.created_at)})
      RETURNING id`,
  );
}

/** incident_services / maintenance_services: both ends must have come over. */
function linkService(table: "incident_services" | "maintenance_services", parent: string, col: string) {
  return async (r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> => {
    const owner = idOf(parent, r[col]);
    const service = idOf("services", r.service_id);
    if (owner === null || service === null) return skip(NO_PARENT);
    return await link(tx`
      INSERT INTO ${tx("taguato." + table)} (${tx(col)}, service_id) VALUES (${owner}, ${service})
      ON CONFLICT DO NOTHING RETURNING service_id`);
  };
}

async function writeMaintenance(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  if (!within(chars(r.title), 1, 255)) return skip("title empty or over 255 characters");
  if (r.scheduled_end < r.scheduled_start) return skip("window ends before it starts");
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.scheduled_maintenances (title, description, scheduled_start, scheduled_end, status,
        created_by, created_at, updated_at)
      VALUES (${r.title}, ${r.description ?? ""}, ${r.scheduled_start}, ${r.scheduled_end},
        ${r.status ?? "scheduled"}, ${idOf("users", r.created_by)}, ${at(r.created_at)}, ${at(r.updated_at)})
      RETURNING id`,
  );
}

/** Audit details as a JSON object without anything that may be a secret. */
function auditDetails(details: unknown): Record<string, unknown> | null {
  if (details === null || details === undefined) return null;
  if (typeof details !== "object" || Array.isArray(details)) return { value: details };
  return Object.fromEntries(Object.entries(details).filter(([k]) => !SECRET_KEYS.test(k)));
}

async function writeAudit(r: Row, { tx, idOf }: ImportContext): Promise<WriteResult> {
  // A user's id in resource_id follows the user to its new id; other resource ids stay as written.
  if (!WORD.test(r.action) || (r.resource_type !== null && !WORD.test(r.resource_type))) {
    return skip("action or resource type not [a-z0-9_]");
  }
  const userTarget = r.resource_type === "user" ? idOf("users", r.resource_id) : null;
  const details = auditDetails(r.details);
  return await insertId(
    tx<{ id: number }[]>`
      INSERT INTO taguato.audit_log (user_id, username, action, resource_type, resource_id, details,
        ip_address, created_at)
      VALUES (${idOf("users", r.user_id)}, ${r.username === null ? null : String(r.username).slice(0, 100)},
        ${r.action}, ${r.resource_type},
        ${userTarget === null ? r.resource_id : String(userTarget)}, ${
      details === null ? null : tx.json(details as never)
    },
        ${r.ip_address === null ? null : String(r.ip_address).slice(0, 64)}, ${at(r.created_at)})
      RETURNING id`,
  );
}

/** The tables brought over, parents before children. */
export const TABLES: TableSpec[] = [
  {
    table: "users",
    select: `id, username, password_hash, role, max_instances, is_active, must_change_password, rate_limit,
      email, phone_number, totp_secret, totp_enabled, ${TIMES}`,
    write: writeUser,
  },
  {
    table: "services",
    select: `id, name, description, display_order, is_active, ${ts("created_at")}`,
    write: writeService,
  },
  {
    table: "user_instances",
    select: `id, user_id, instance_name, channel_type, ${ts("created_at")}`,
    write: writeInstance,
  },
  {
    table: "instance_permissions",
    select: `id, instance_name, grantee_user_id, granted_by, ${ts("granted_at")},
      ${instanceId("instance_permissions")}`,
    link: true,
    write: writeGrant,
  },
  {
    table: "message_templates",
    select: `id, user_id, name, content, ${TIMES}`,
    write: writeTemplate,
  },
  { table: "contact_lists", select: `id, user_id, name, ${TIMES}`, write: writeContactList },
  {
    table: "contact_list_items",
    select: `id, list_id, phone_number, label, ${ts("created_at")}`,
    write: writeContactItem,
  },
  {
    // Only what is still to be sent: processed rows live on as their message_logs.
    table: "scheduled_messages",
    select: `id, user_id, instance_name, message_type, message_content, recipients, ${ts("scheduled_at")},
      ${TIMES}, ${instanceId("scheduled_messages")}`,
    where: "status = 'pending'",
    write: writeScheduled,
  },
  {
    table: "message_logs",
    select: `id, user_id, instance_name, phone_number, message_type, status, error_message,
      scheduled_message_id, ${ts("created_at")}`,
    write: writeMessageLog,
  },
  {
    table: "user_webhooks",
    select: `id, user_id, instance_name, webhook_url, events, is_active, ${TIMES}, ${
      instanceId("user_webhooks")
    }`,
    write: writeWebhook,
  },
  {
    table: "incidents",
    select: `id, title, severity, status, created_by, ${TIMES}, ${ts("resolved_at")}`,
    write: writeIncident,
  },
  {
    table: "incident_updates",
    select: `id, incident_id, status, message, created_by, ${ts("created_at")}`,
    write: writeIncidentUpdate,
  },
  {
    table: "incident_services",
    select: "incident_id, service_id",
    link: true,
    write: linkService("incident_services", "incidents", "incident_id"),
  },
  {
    table: "scheduled_maintenances",
    select: `id, title, description, ${ts("scheduled_start")}, ${ts("scheduled_end")}, status, created_by,
      ${TIMES}`,
    write: writeMaintenance,
  },
  {
    table: "maintenance_services",
    select: "maintenance_id, service_id",
    link: true,
    write: linkService("maintenance_services", "scheduled_maintenances", "maintenance_id"),
  },
  {
    table: "audit_log",
    select: `id, user_id, username, action, resource_type, resource_id, details, ip_address,
      ${ts("created_at")}`,
    write: writeAudit,
  },
];
