/**
 * Status subscribers: double opt-in by e-mail, notifications of incidents and maintenance to the
 * confirmed addresses that follow an affected service, and one-click unsubscribe (RFC 8058: every mail
 * carries List-Unsubscribe with an https/http link and List-Unsubscribe-Post, plus the link in its body).
 */
import type { AppDeps, Locale, Sql } from "../core/mod.ts";
import { randomToken, sha256Hex } from "../core/mod.ts";
import { createMailer, type EmailContent } from "../mail/mod.ts";

type Deps = Pick<AppDeps, "sql" | "config" | "log" | "selfUrl">;

const baseUrl = (deps: Deps) => deps.config.publicUrl ?? deps.selfUrl ?? "http://localhost:8000";
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface SubscribeInput {
  email: string;
  /** Null: every service. */
  serviceIds: number[] | null;
  locale: Locale;
}

const COPY = {
  es: {
    confirmSubject: "Confirme su suscripción al estado de TAGUATO-SEND",
    confirmText: "Para recibir avisos de incidentes y mantenimientos, confirme su suscripción:",
    ignore: "Si no la pidió, ignore este mensaje: no recibirá nada.",
    unsubscribe: "Darse de baja con un clic:",
    kinds: {
      incident_opened: "Nuevo incidente",
      incident_updated: "Actualización de incidente",
      incident_resolved: "Incidente resuelto",
      maintenance_scheduled: "Mantenimiento programado",
      maintenance_started: "Mantenimiento en curso",
      maintenance_completed: "Mantenimiento finalizado",
    },
  },
  en: {
    confirmSubject: "Confirm your TAGUATO-SEND status subscription",
    confirmText: "To receive incident and maintenance notices, confirm your subscription:",
    ignore: "If you did not ask for it, ignore this message: nothing more will be sent.",
    unsubscribe: "Unsubscribe with one click:",
    kinds: {
      incident_opened: "New incident",
      incident_updated: "Incident update",
      incident_resolved: "Incident resolved",
      maintenance_scheduled: "Maintenance scheduled",
      maintenance_started: "Maintenance in progress",
      maintenance_completed: "Maintenance completed",
    },
  },
} as const;

export type NoticeKind = keyof typeof COPY["es"]["kinds"];

/**
 * Records (or refreshes) a pending subscription and mails its confirmation link. An address already
 * confirmed only gets its services updated, silently: the answer never says which addresses exist.
 */
export async function subscribe(deps: Deps, input: SubscribeInput): Promise<void> {
  const smtp = deps.config.smtp;
  if (!smtp) return;
  const token = randomToken();
  const email = input.email.toLowerCase();
  const [row] = await deps.sql<{ pending: boolean }[]>`
    INSERT INTO taguato.status_subscribers (email, service_ids, locale, confirm_token_hash, unsubscribe_token)
    VALUES (${email}, ${input.serviceIds}, ${input.locale}, ${await sha256Hex(token)}, ${randomToken()})
    ON CONFLICT (email) DO UPDATE SET service_ids = excluded.service_ids, locale = excluded.locale,
      confirm_token_hash = CASE WHEN taguato.status_subscribers.confirmed_at IS NULL
                                THEN excluded.confirm_token_hash END,
      confirm_sent_at = now()
    RETURNING confirmed_at IS NULL AS pending`;
  if (!row.pending) return;
  const c = COPY[input.locale];
  const link = `${baseUrl(deps)}/api/status/subscribe/confirm?token=${token}`;
  await createMailer(smtp).send(email, {
    subject: c.confirmSubject,
    text: `${c.confirmText}\n\n${link}\n\n${c.ignore}\n`,
    html: `<p>${c.confirmText}</p><p><a href="${link}">${link}</a></p><p>${c.ignore}</p>`,
  });
}

/** Confirms the subscription the link's token names; false when the token names none (or was used). */
export async function confirmSubscription(sql: Sql, token: string): Promise<boolean> {
  const rows = await sql`
    UPDATE taguato.status_subscribers SET confirmed_at = now(), confirm_token_hash = NULL
    WHERE confirm_token_hash = ${await sha256Hex(token)} RETURNING id`;
  return rows.length === 1;
}

/** Removes the subscription of an unsubscribe token; false when there is none. */
export async function unsubscribe(sql: Sql, token: string): Promise<boolean> {
  const rows =
    await sql`DELETE FROM taguato.status_subscribers WHERE unsubscribe_token = ${token} RETURNING id`;
  return rows.length === 1;
}

export interface Notice {
  kind: NoticeKind;
  title: string;
  /** The update's message or the maintenance window, in words. */
  detail: string;
  /** Services concerned; empty = the whole platform (every subscriber hears about it). */
  serviceIds: number[];
}

function noticeMail(deps: Deps, locale: Locale, notice: Notice, token: string): EmailContent {
  const c = COPY[locale];
  const link = `${baseUrl(deps)}/api/status/unsubscribe?token=${token}`;
  const kind = c.kinds[notice.kind];
  return {
    subject: `[TAGUATO-SEND] ${kind}: ${notice.title}`,
    text: `${kind}: ${notice.title}\n\n${notice.detail}\n\n${
      baseUrl(deps)
    }/status/\n\n${c.unsubscribe} ${link}\n`,
    html: `<h2>${escapeHtml(kind)}: ${escapeHtml(notice.title)}</h2><p>${escapeHtml(notice.detail)}</p>` +
      `<p><a href="${baseUrl(deps)}/status/">${baseUrl(deps)}/status/</a></p>` +
      `<p>${c.unsubscribe} <a href="${link}">${link}</a></p>`,
    headers: { "List-Unsubscribe": `<${link}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}

/**
 * Mails `notice` to every confirmed subscriber who follows one of its services (or all services).
 * Never throws: a failed mail is logged and the others still go out. Returns how many were sent.
 */
export async function notifySubscribers(deps: Deps, notice: Notice): Promise<number> {
  const smtp = deps.config.smtp;
  if (!smtp) return 0;
  try {
    const rows = await deps.sql<{ email: string; locale: Locale; unsubscribe_token: string }[]>`
      SELECT email, locale, unsubscribe_token FROM taguato.status_subscribers
      WHERE confirmed_at IS NOT NULL
        AND (service_ids IS NULL OR ${notice.serviceIds.length === 0}
             OR service_ids && ${notice.serviceIds}::bigint[])
      ORDER BY id`;
    let sent = 0;
    for (const r of rows) {
      try {
        await createMailer(smtp).send(r.email, noticeMail(deps, r.locale, notice, r.unsubscribe_token));
        sent++;
      } catch (err) {
        deps.log.warn("status notice not delivered", { error: String(err) });
      }
    }
    return sent;
  } catch (err) {
    deps.log.warn("status notices failed", { error: String(err) });
    return 0;
  }
}

/** The linked service ids of an incident or maintenance (the notice's audience). */
export async function linkedServiceIds(
  sql: Sql,
  table: "incident_services" | "maintenance_services",
  id: number,
): Promise<number[]> {
  const owner = table === "incident_services" ? sql`incident_id` : sql`maintenance_id`;
  const rows = await sql<{ service_id: number }[]>`
    SELECT service_id FROM ${sql("taguato." + table)} WHERE ${owner} = ${id}`;
  return rows.map((r) => r.service_id);
}
