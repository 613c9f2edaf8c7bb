// One row of the message history table (MessageHistory's private part).
import { isMessageKey, type Locale, type MessageKey } from "../lib/core/i18n.ts";
import { StatusBadge } from "./state_badge.tsx";
import { LocalTime } from "./local_time.tsx";
import { translator } from "./ui.tsx";
import type { HistoryLog } from "./MessageHistory.tsx";

/** Date, instance, number (with "received"), text, type, delivery badge and error of one message. */
export function HistoryRow({ locale, log: l }: { locale: Locale; log: HistoryLog }) {
  const tr = translator(locale);
  return (
    <tr data-log-id={l.id} data-log-status={l.status}>
      <td class="nowrap">
        <LocalTime iso={l.created_at} locale={locale} />
      </td>
      <td>{l.instance_name}</td>
      <td>
        <span class="cell-stack">
          <code>{l.phone_number}</code>
          {l.direction === "inbound" && <span class="muted">{tr("hist.inbound")}</span>}
          {l.source === "client" && <span class="muted">{tr("hist.clientReported")}</span>}
        </span>
      </td>
      <td class="cell-truncate" title={l.body_text ?? ""}>
        {l.body_text ?? <span class="muted">—</span>}
      </td>
      <td>
        {isMessageKey(`type.${l.message_type}`) ? tr(`type.${l.message_type}` as MessageKey) : l.message_type}
      </td>
      <td>
        <StatusBadge locale={locale} status={l.status} />
      </td>
      <td class="cell-truncate" title={l.error_message ?? ""}>
        {l.error_message ?? <span class="muted">—</span>}
      </td>
    </tr>
  );
}
