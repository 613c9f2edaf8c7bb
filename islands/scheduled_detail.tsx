import { useEffect, useState } from "preact/hooks";
import * as z from "zod/mini";
import type { Locale } from "../lib/core/i18n.ts";
import { localLabel, type Scheduled } from "./scheduled_parts.tsx";
import { Alert, Dialog, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

// The Scheduled page's detail dialog: the message and what each recipient got.

const Recipient = z.object({
  phone_number: z.string(),
  status: z.string(),
  error_message: z.nullable(z.string()),
  message_text: z.nullable(z.string()),
});

/** One message: its fields, results and what each recipient got. */
export function ScheduleDetail({ locale, message, onClose }: {
  locale: Locale;
  message: Scheduled;
  onClose(): void;
}) {
  const tr = translator(locale);
  const [rows, setRows] = useState<z.infer<typeof Recipient>[] | null>(null);
  const load = useApi(locale);
  useEffect(() => {
    load.run(() =>
      api<{ recipients: z.infer<typeof Recipient>[] }>(`/api/scheduled/${message.id}/recipients`)
    )
      .then((r) => r && setRows(r.recipients));
  }, [message.id]);
  return (
    <Dialog locale={locale} wide title={tr("sch.detailTitle", { id: message.id })} onClose={onClose}>
      <dl class="detail-list" data-detail="scheduled">
        <dt>{tr("sch.when")}</dt>
        <dd>{localLabel(message.scheduled_at_local)} ({message.time_zone})</dd>
        <dt>{tr("sch.instance")}</dt>
        <dd>{message.instance_name}</dd>
        <dt>{tr("sch.content")}</dt>
        <dd style={{ whiteSpace: "pre-wrap" }}>{message.message_content}</dd>
        <dt>{tr("sch.status")}</dt>
        <dd>{tr(`sch.status.${message.status}` as never)}</dd>
      </dl>
      {load.error && <Alert tone="error">{load.error}</Alert>}
      {rows && rows.length === 0 && <p class="muted">{tr("sch.notSentYet")}</p>}
      {rows && rows.length > 0 && (
        <div class="table-wrap">
          <table class="table" data-table="scheduled-recipients">
            <thead>
              <tr>
                <th scope="col">{tr("sch.number")}</th>
                <th scope="col">{tr("sch.status")}</th>
                <th scope="col">{tr("sch.sentText")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.phone_number}>
                  <td>{r.phone_number}</td>
                  <td>{r.status}{r.error_message ? ` — ${r.error_message}` : ""}</td>
                  <td style={{ whiteSpace: "pre-wrap" }}>{r.message_text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Dialog>
  );
}
