import { type Locale, type MessageKey, t } from "../lib/core/i18n.ts";
import type { InstanceState } from "./gateway_rules.ts";

const STATE: Record<InstanceState, [MessageKey, string]> = {
  open: ["state.open", "badge-ok"],
  connecting: ["state.connecting", "badge-warn"],
  close: ["state.close", "badge-neutral"],
};

/** Connected / connecting / disconnected, with a dot that pulses while connecting. */
export function StateBadge({ locale, state }: { locale: Locale; state: InstanceState }) {
  const [label, tone] = STATE[state];
  return (
    <span class={`badge state-badge ${tone}`} data-state={state}>
      <span class={`state-dot state-dot-${state}`} aria-hidden="true" />
      {t(locale, label)}
    </span>
  );
}

/** A message's delivery status (ledger statuses) as a badge. */
const STATUS: Record<string, [MessageKey, string]> = {
  sending: ["status.sending", "badge-neutral"],
  sent: ["status.sent", "badge-info"],
  delivered: ["status.delivered", "badge-ok"],
  read: ["status.read", "badge-brand"],
  played: ["status.played", "badge-brand"],
  failed: ["status.failed", "badge-danger"],
  cancelled: ["status.cancelled", "badge-neutral"],
  unknown: ["status.unknown", "badge-warn"],
};

export const MESSAGE_STATUSES = Object.keys(STATUS);

export function StatusBadge({ locale, status }: { locale: Locale; status: string }) {
  const [label, tone] = STATUS[status] ?? ["status.unknown", "badge-warn"];
  return <span class={`badge ${tone}`} data-status={status}>{t(locale, label)}</span>;
}
