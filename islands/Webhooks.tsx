import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import {
  Alert,
  Button,
  CheckField,
  ConfirmDialog,
  Dialog,
  IslandRoot,
  SelectField,
  TextField,
  translator,
} from "./ui.tsx";
import { translated } from "./gateway_errors.ts";
import { api, useApi } from "./use_api.ts";
import { DeliveriesDialog } from "./webhook_deliveries.tsx";
import { EventsField, SecretCard, WebhookTable } from "./webhook_parts.tsx";

const Hook = z.object({
  id: z.number(),
  instance_name: z.string(),
  webhook_url: z.string(),
  events: z.array(z.string()),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Hook = z.infer<typeof Hook>;

export const WebhooksProps = z.object({
  locale: z.enum(LOCALES),
  webhooks: z.array(Hook),
  /** Instances the user may attach a webhook to (owned; admins: all). */
  instances: z.array(z.string()),
  /** The server's list of accepted event names. */
  events: z.array(z.string()),
});
type Props = z.infer<typeof WebhooksProps>;

export type Mode = { kind: "create" } | { kind: "edit" | "delete" | "deliveries"; hook: Hook };

/** Webhooks: list, create (secret shown once), edit URL/events/active, delete, deliveries. */
export function Webhooks({ locale, webhooks: initial, instances, events: allEvents }: Props) {
  const tr = translator(locale);
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
    <IslandRoot class="stack" root="webhooks">
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
        <WebhookTable
          locale={locale}
          hooks={hooks}
          onMode={setMode}
          onEdit={openEdit}
        />
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
          action={action}
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
    </IslandRoot>
  );
}
