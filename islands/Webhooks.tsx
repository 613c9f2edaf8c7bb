import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { Icon } from "../components/Icon.tsx";
import { LOCALES, type MessageKey, t } from "../lib/core/i18n.ts";
import { CopyButton } from "./copy_button.tsx";
import {
  Alert,
  Button,
  CheckField,
  ConfirmDialog,
  Dialog,
  EmptyState,
  LocalTime,
  SelectField,
  TableHead,
  TextField,
  useHydrated,
} from "./ui.tsx";
import { translated } from "./gateway_errors.ts";
import { api, useApi } from "./use_api.ts";
import { DeliveriesDialog } from "./webhook_deliveries.tsx";

const Hook = z.object({
  id: z.number(),
  instance_name: z.string(),
  webhook_url: z.string(),
  events: z.array(z.string()),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
type Hook = z.infer<typeof Hook>;

export const WebhooksProps = z.object({
  locale: z.enum(LOCALES),
  webhooks: z.array(Hook),
  /** Instances the user may attach a webhook to (owned; admins: all). */
  instances: z.array(z.string()),
  /** The server's list of accepted event names. */
  events: z.array(z.string()),
});
type Props = z.infer<typeof WebhooksProps>;

/** Events most integrations want, offered first. */
const COMMON = ["MESSAGES_UPSERT", "MESSAGES_UPDATE", "SEND_MESSAGE", "CONNECTION_UPDATE", "QRCODE_UPDATED"];

type Mode = { kind: "create" } | { kind: "edit" | "delete" | "deliveries"; hook: Hook };

/** The events picker: every event, or a chosen subset (common ones first). */
function EventsField(
  { locale, all, events, onChange }: {
    locale: Props["locale"];
    all: string[];
    events: string[] | null;
    onChange(events: string[] | null): void;
  },
) {
  const tr = (k: MessageKey) => t(locale, k);
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
function SecretCard({ locale, secret, onDone }: { locale: Props["locale"]; secret: string; onDone(): void }) {
  const tr = (k: MessageKey) => t(locale, k);
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

/** Webhooks: list, create (secret shown once), edit URL/events/active, delete, deliveries. */
export function Webhooks({ locale, webhooks: initial, instances, events: allEvents }: Props) {
  const tr = (k: MessageKey, p?: Record<string, string | number>) => t(locale, k, p);
  const hydrated = useHydrated();
  const [hooks, setHooks] = useState(initial);
  const [mode, setMode] = useState<Mode | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Form state of the create/edit dialog.
  const [instance, setInstance] = useState("");
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[] | null>(null);
  const [active, setActive] = useState(true);
  const [urlError, setUrlError] = useState<string | null>(null);
  const save = useApi(locale);
  const action = useApi(locale);

  const free = instances.filter((i) => !hooks.some((h) => h.instance_name === i));
  const openCreate = () => {
    setInstance(free[0] ?? "");
    setUrl("");
    setEvents(null);
    setUrlError(null);
    save.setError(null);
    setMode({ kind: "create" });
  };
  const openEdit = (hook: Hook) => {
    setUrl(hook.webhook_url);
    setEvents(hook.events.length ? hook.events : null);
    setActive(hook.is_active);
    setUrlError(null);
    save.setError(null);
    setMode({ kind: "edit", hook });
  };
  const close = () => {
    action.setError(null);
    setMode(null);
  };

  const checkForm = () => {
    const value = url.trim();
    if (!value) return setUrlError(tr("wh.urlRequired")), false;
    if (!/^https?:\/\/[^\s/]+/i.test(value)) return setUrlError(tr("wh.urlScheme")), false;
    if (events !== null && events.length === 0) return save.setError(tr("wh.eventsRequired")), false;
    setUrlError(null);
    return true;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    if (!mode || !checkForm()) return;
    if (mode.kind === "create") {
      if (!instance) return save.setError(tr("wh.instanceRequired"));
      const res = await save.run(() =>
        translated(locale, () =>
          api<{ webhook: Hook & { secret: string } }>("/api/webhooks", {
            body: { instance_name: instance, webhook_url: url.trim(), events: events ?? [] },
          }))
      );
      if (!res) return;
      const { secret: s, ...hook } = res.webhook;
      setHooks((all) => [hook, ...all]);
      setSecret(s);
      setMode(null);
      setNotice(tr("wh.created", { instance: hook.instance_name }));
    } else if (mode.kind === "edit") {
      const res = await save.run(() =>
        translated(locale, () =>
          api<{ webhook: Hook }>(`/api/webhooks/${mode.hook.id}`, {
            method: "PUT",
            body: { webhook_url: url.trim(), events: events ?? [], is_active: active },
          }))
      );
      if (!res) return;
      setHooks((all) => all.map((h) => h.id === res.webhook.id ? { ...h, ...res.webhook } : h));
      setMode(null);
      setNotice(tr("wh.updated", { instance: res.webhook.instance_name }));
    }
  };

  const rotate = async (hook: Hook) => {
    const res = await save.run(() =>
      translated(
        locale,
        () => api<{ webhook: { secret: string } }>(`/api/webhooks/${hook.id}/secret`, { method: "POST" }),
      )
    );
    if (!res) return;
    setSecret(res.webhook.secret);
    setMode(null);
    setNotice(tr("wh.rotated", { instance: hook.instance_name }));
  };

  const remove = async (hook: Hook) => {
    const ok = await action.run(() => api(`/api/webhooks/${hook.id}`, { method: "DELETE" }));
    if (!ok) return;
    setHooks((all) => all.filter((h) => h.id !== hook.id));
    setNotice(tr("wh.deleted", { instance: hook.instance_name }));
    setMode(null);
  };

  return (
    <div class="stack" data-hydrated={hydrated ? "true" : undefined} data-island-root="webhooks">
      {secret && <SecretCard locale={locale} secret={secret} onDone={() => setSecret(null)} />}
      {notice && <Alert tone="success">{notice}</Alert>}
      <section class="card card-flush" aria-labelledby="webhooks-title">
        <header class="card-head card-pad">
          <h2 class="card-title" id="webhooks-title">{tr("wh.listTitle", { count: hooks.length })}</h2>
          <Button
            variant="primary"
            icon="plus"
            onClick={openCreate}
            disabled={free.length === 0}
            title={free.length === 0 ? tr("wh.noFreeInstance") : undefined}
            data-action="create-webhook"
          >
            {tr("wh.new")}
          </Button>
        </header>
        {instances.length === 0 && (
          <div class="card-pad">
            <Alert tone="info">
              {tr("wh.noInstances")} <a href="/panel/instances">{tr("msg.goInstances")}</a>
            </Alert>
          </div>
        )}
        {hooks.length === 0
          ? <EmptyState icon="bolt" title={tr("wh.empty")} text={tr("wh.emptyHint")} />
          : (
            <div class="table-wrap">
              <table class="table" data-table="webhooks">
                <TableHead
                  locale={locale}
                  columns={[
                    tr("wh.instance"),
                    tr("wh.url"),
                    tr("wh.events"),
                    tr("wh.status"),
                    tr("wh.createdAt"),
                  ]}
                />
                <tbody>
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
                      <td class="nowrap">
                        <LocalTime iso={h.created_at} locale={locale} dateOnly />
                      </td>
                      <td class="col-actions">
                        <div class="row-actions">
                          <Button
                            small
                            variant="ghost"
                            icon="list"
                            onClick={() =>
                              setMode({ kind: "deliveries", hook: h })}
                            data-action="deliveries"
                          >
                            {tr("wh.deliveries")}
                          </Button>
                          <Button
                            small
                            variant="ghost"
                            icon="edit"
                            onClick={() =>
                              openEdit(h)}
                            data-action="edit"
                          >
                            {tr("wh.edit")}
                          </Button>
                          <button
                            type="button"
                            class="icon-button icon-button-plain icon-button-danger"
                            aria-label={tr("wh.deleteNamed", { instance: h.instance_name })}
                            title={tr("wh.delete")}
                            onClick={() =>
                              setMode({ kind: "delete", hook: h })}
                            data-action="delete"
                          >
                            <Icon name="trash" />
                          </button>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>

      {(mode?.kind === "create" || mode?.kind === "edit") && (
        <Dialog
          locale={locale}
          wide
          title={mode.kind === "create"
            ? tr("wh.createTitle")
            : tr("wh.editTitle", { instance: mode.hook.instance_name })}
          onClose={close}
        >
          <form class="stack" onSubmit={submit} noValidate data-form="webhook">
            {save.error && <Alert tone="error">{save.error}</Alert>}
            {mode.kind === "create" && (
              <SelectField
                label={tr("wh.instance")}
                name="instance_name"
                value={instance}
                onValue={setInstance}
                options={free.map((i) => [i, i] as const)}
                hint={tr("wh.instanceHint")}
              />
            )}
            <TextField
              label={tr("wh.url")}
              name="webhook_url"
              type="url"
              inputMode="url"
              autocomplete="off"
              placeholder="https://example.com/hooks/whatsapp"
              hint={tr("wh.urlHint")}
              error={urlError}
              value={url}
              onValue={setUrl}
            />
            <EventsField locale={locale} all={allEvents} events={events} onChange={setEvents} />
            {mode.kind === "edit" && (
              <>
                <CheckField
                  label={tr("wh.activeLabel")}
                  hint={tr("wh.activeHint")}
                  checked={active}
                  onChange={setActive}
                  name="is_active"
                />
                <div class="inline-note">
                  <span class="muted">{tr("wh.rotateHint")}</span>
                  <Button
                    small
                    variant="ghost"
                    icon="key"
                    busy={save.busy}
                    onClick={() => rotate(mode.hook)}
                    data-action="rotate"
                  >
                    {tr("wh.rotate")}
                  </Button>
                </div>
              </>
            )}
            <div class="form-actions">
              <Button variant="ghost" onClick={close}>{tr("ui.cancel")}</Button>
              <Button type="submit" variant="primary" busy={save.busy} data-action="save-webhook">
                {mode.kind === "create" ? tr("wh.create") : tr("ui.save")}
              </Button>
            </div>
          </form>
        </Dialog>
      )}
      {mode?.kind === "delete" && (
        <ConfirmDialog
          locale={locale}
          title={tr("wh.deleteTitle")}
          message={<p>{tr("wh.deleteText", { instance: mode.hook.instance_name })}</p>}
          confirmLabel={tr("wh.delete")}
          busy={action.busy}
          error={action.error}
          onConfirm={() => remove(mode.hook)}
          onClose={close}
        />
      )}
      {mode?.kind === "deliveries" && (
        <DeliveriesDialog
          locale={locale}
          webhook={mode.hook}
          onClose={close}
        />
      )}
    </div>
  );
}
