import type { Locale } from "../lib/core/i18n.ts";
import { CopyButton } from "./copy_button.tsx";
import { ActionsCell, DataTable, DateCell } from "./data_table.tsx";
import { Alert, Button, CheckField, EmptyState, IconButton, translator } from "./ui.tsx";
import type { Hook, Mode } from "./Webhooks.tsx";

/** Events most integrations want, offered first. */
const COMMON = ["MESSAGES_UPSERT", "MESSAGES_UPDATE", "SEND_MESSAGE", "CONNECTION_UPDATE", "QRCODE_UPDATED"];

/** The events picker: every event, or a chosen subset (common ones first). */
export function EventsField(
  { locale, all, events, onChange }: {
    locale: Locale;
    all: string[];
    events: string[] | null;
    onChange(events: string[] | null): void;
  },
) {
  const tr = translator(locale);
  const ordered = [...COMMON.filter((e) => all.includes(e)), ...all.filter((e) => !COMMON.includes(e))];
  return (
    <fieldset class="fieldset">
      <legend>{tr("wh.events")}</legend>
      <CheckField
        label={tr("wh.allEvents")}
        hint={tr("wh.allEventsHint")}
        checked={events === null}
        onChange={(on) => onChange(on ? null : [...COMMON.filter((e) => all.includes(e)).slice(0, 2)])}
        name="all_events"
      />
      {events !== null && (
        <div class="check-grid check-grid-events" data-events>
          {ordered.map((ev) => (
            <CheckField
              key={ev}
              label={ev}
              name={`event_${ev}`}
              checked={events.includes(ev)}
              onChange={(on) => onChange(on ? [...events, ev] : events.filter((x) => x !== ev))}
            />
          ))}
        </div>
      )}
    </fieldset>
  );
}

/** The secret, shown once after create or rotate, with copy and how to verify it. */
export function SecretCard({ locale, secret, onDone }: { locale: Locale; secret: string; onDone(): void }) {
  const tr = translator(locale);
  return (
    <section class="card card-highlight" aria-labelledby="wh-secret-title" data-webhook-secret>
      <h2 class="card-title" id="wh-secret-title">{tr("wh.secretTitle")}</h2>
      <Alert tone="warn">{tr("wh.secretWarning")}</Alert>
      <div class="secret-box">
        <code class="secret secret-wide" data-secret={secret}>{secret}</code>
        <CopyButton text={secret} locale={locale} />
      </div>
      <p class="field-hint">{tr("wh.secretUsage")}</p>
      <div class="form-actions form-actions-start">
        <Button small onClick={onDone}>{tr("wh.secretStored")}</Button>
      </div>
    </section>
  );
}

/** The webhooks table, with each row's deliveries, edit and delete buttons. */
export function WebhookTable({ locale, hooks, onMode, onEdit }: {
  locale: Locale;
  hooks: Hook[];
  onMode(mode: Mode): void;
  onEdit(hook: Hook): void;
}) {
  const tr = translator(locale);
  return (
    <DataTable
      locale={locale}
      name="webhooks"
      rows={hooks.length}
      empty={<EmptyState icon="bolt" title={tr("wh.empty")} text={tr("wh.emptyHint")} />}
      columns={[
        tr("wh.instance"),
        tr("wh.url"),
        tr("wh.events"),
        tr("wh.status"),
        tr("wh.createdAt"),
      ]}
    >
      {hooks.map((h) => (
        <tr key={h.id} data-webhook-id={h.id} class={h.is_active ? undefined : "row-muted"}>
          <td>
            <strong>{h.instance_name}</strong>
          </td>
          <td class="cell-truncate" title={h.webhook_url}>
            <code>{h.webhook_url}</code>
          </td>
          <td>
            {h.events.length === 0
              ? <span class="muted">{tr("wh.allEventsShort")}</span>
              : (
                <span class="tag-list">
                  {h.events.slice(0, 3).map((e) => <span key={e} class="tag">{e}</span>)}
                  {h.events.length > 3 && (
                    <span class="tag" title={h.events.slice(3).join(", ")}>
                      +{h.events.length - 3}
                    </span>
                  )}
                </span>
              )}
          </td>
          <td>
            <span class={`badge ${h.is_active ? "badge-ok" : "badge-neutral"}`}>
              {tr(h.is_active ? "wh.active" : "wh.paused")}
            </span>
          </td>
          <DateCell iso={h.created_at} locale={locale} dateOnly />
          <ActionsCell>
            <Button
              small
              variant="ghost"
              icon="list"
              onClick={() => onMode({ kind: "deliveries", hook: h })}
              data-action="deliveries"
            >
              {tr("wh.deliveries")}
            </Button>
            <Button
              small
              variant="ghost"
              icon="edit"
              onClick={() => onEdit(h)}
              data-action="edit"
            >
              {tr("wh.edit")}
            </Button>
            <IconButton
              icon="trash"
              danger
              label={tr("wh.deleteNamed", { instance: h.instance_name })}
              title={tr("wh.delete")}
              onClick={() => onMode({ kind: "delete", hook: h })}
              data-action="delete"
            />
          </ActionsCell>
        </tr>
      ))}
    </DataTable>
  );
}
