import { useEffect, useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { instanceNameProblem, type InstanceState, normalizeState } from "./gateway_rules.ts";
import { ConnectDialog } from "./instance_connect.tsx";
import { DetailDialog } from "./instance_detail.tsx";
import { InstanceTable } from "./instance_table.tsx";
import { Alert, Button, ConfirmDialog, Dialog, IslandRoot, TextField, translator } from "./ui.tsx";
import { gatewayError, translated } from "./gateway_errors.ts";
import { api, ApiError, useApi } from "./use_api.ts";

const Item = z.object({
  name: z.string(),
  state: z.enum(["open", "connecting", "close"]),
  ownerJid: z.nullable(z.string()),
  profileName: z.nullable(z.string()),
  createdAt: z.string(),
  owner: z.string(),
  canDelete: z.boolean(),
  granted: z.boolean(),
});
export type InstanceItem = z.infer<typeof Item>;

export const InstancesProps = z.object({
  locale: z.enum(LOCALES),
  instances: z.array(Item),
  /** Instances the user owns, and their limit (null = unlimited, admins). */
  owned: z.number(),
  max: z.nullable(z.number()),
  sandbox: z.boolean(),
  /** The signed-in user: the owner of instances created here. */
  username: z.string(),
});
type Props = z.infer<typeof InstancesProps>;

const REFRESH_MS = 10_000;

export type Action = { kind: "connect" | "detail" | "logout" | "delete"; name: string };

/** Instances: live states, create, connect (QR or pairing code), disconnect, restart, details, delete. */
export function Instances(
  { locale, instances: initial, owned: initialOwned, max, sandbox, username }: Props,
) {
  const tr = translator(locale);
  const [items, setItems] = useState(initial);
  const [owned, setOwned] = useState(initialOwned);
  const [name, setName] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [typed, setTyped] = useState("");
  const [engineDown, setEngineDown] = useState(false);
  const [restarting, setRestarting] = useState<string | null>(null);
  const create = useApi(locale);
  const act = useApi(locale);

  const setState = (instance: string, state: InstanceState, extra: Partial<InstanceItem> = {}) =>
    setItems((all) => all.map((i) => i.name === instance ? { ...i, state, ...extra } : i));

  /** States (and phone, profile) from the engine; names it does not list count as disconnected. */
  const refresh = async () => {
    try {
      const list = await api<
        { name: string; connectionStatus?: string; ownerJid?: string; profileName?: string }[]
      >(
        "/instance/fetchInstances",
      );
      const byName = new Map(list.map((i) => [i.name, i]));
      setItems((all) =>
        all.map((i) => {
          const e = byName.get(i.name);
          return {
            ...i,
            state: normalizeState(e?.connectionStatus),
            ownerJid: e?.ownerJid ?? i.ownerJid,
            profileName: e?.profileName ?? i.profileName,
          };
        })
      );
      setEngineDown(false);
    } catch {
      setEngineDown(true);
    }
  };
  useEffect(() => {
    refresh();
    const timer = setInterval(() => document.visibilityState === "visible" && refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    const instance = name.trim();
    const problem = instanceNameProblem(instance);
    if (problem) return setNameError(tr(problem));
    setNameError(null);
    const res = await create.run(() =>
      translated(locale, () => api("/instance/create", { body: { instanceName: instance } }))
    );
    if (!res) return;
    setItems((all) => [{
      name: instance,
      state: "close",
      ownerJid: null,
      profileName: null,
      createdAt: new Date().toISOString(),
      owner: username,
      canDelete: true,
      granted: false,
    }, ...all]);
    setOwned((n) => n + 1);
    setName("");
    setNotice({ tone: "success", text: tr("inst.created", { name: instance }) });
  };

  const logout = async (instance: string) => {
    const ok = await act.run(() =>
      api(`/instance/logout/${encodeURIComponent(instance)}`, { method: "DELETE" })
    );
    if (!ok) return;
    setState(instance, "close");
    setNotice({ tone: "success", text: tr("inst.loggedOut", { name: instance }) });
    setAction(null);
  };

  const remove = async (instance: string) => {
    const ok = await act.run(() =>
      api(`/instance/delete/${encodeURIComponent(instance)}`, { method: "DELETE" })
    );
    if (!ok) return;
    setItems((all) => all.filter((i) => i.name !== instance));
    setOwned((n) => Math.max(0, n - 1));
    setNotice({ tone: "success", text: tr("inst.deleted", { name: instance }) });
    setAction(null);
  };

  const restart = async (instance: string) => {
    setNotice(null);
    setRestarting(instance);
    try {
      const res = await api<{ error?: boolean; instance?: { state?: string } }>(
        `/instance/restart/${encodeURIComponent(instance)}`,
        { method: "POST" },
      );
      // The engine answers a restart it could not do with HTTP 200 and error: true.
      if (res.error === true) throw new ApiError(409, tr("inst.restartFailed"));
      setNotice({ tone: "success", text: tr("inst.restarted", { name: instance }) });
      setTimeout(refresh, 3000);
    } catch (err) {
      setNotice({ tone: "error", text: gatewayError(locale, err) });
    } finally {
      setRestarting(null);
    }
  };

  const close = () => {
    act.setError(null);
    setTyped("");
    setAction(null);
  };
  const current = action && items.find((i) => i.name === action.name);
  const full = max !== null && owned >= max;

  return (
    <IslandRoot class="stack" root="instances">
      <section class="card" aria-labelledby="new-instance-title">
        <h2 class="card-title" id="new-instance-title">{tr("inst.createTitle")}</h2>
        <form class="inline-form" onSubmit={submit} data-form="create-instance" noValidate>
          <TextField
            label={tr("inst.name")}
            name="instance_name"
            autocomplete="off"
            maxLength={100}
            placeholder={tr("inst.namePlaceholder")}
            hint={tr("inst.nameRule")}
            error={nameError}
            value={name}
            onValue={setName}
          />
          <Button type="submit" variant="primary" icon="plus" busy={create.busy} disabled={full}>
            {tr("inst.create")}
          </Button>
        </form>
        {create.error && <Alert tone="error">{create.error}</Alert>}
        <p class="field-hint" data-instance-limit>
          {max === null ? tr("inst.unlimited", { owned }) : tr("inst.limit", { owned, max })}
          {full && ` ${tr("inst.limitReached")}`}
        </p>
      </section>

      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
      {engineDown && <Alert tone="warn">{tr("inst.engineDown")}</Alert>}

      <section class="card card-flush" aria-labelledby="instances-title">
        <header class="card-head card-pad">
          <h2 class="card-title" id="instances-title">{tr("inst.listTitle", { count: items.length })}</h2>
          <Button small variant="ghost" icon="refresh" onClick={refresh}>{tr("ui.refresh")}</Button>
        </header>
        <InstanceTable
          locale={locale}
          items={items}
          sandbox={sandbox}
          restarting={restarting}
          onAction={setAction}
          onRestart={restart}
        />
      </section>

      {action?.kind === "connect" && (
        <ConnectDialog
          locale={locale}
          name={action.name}
          sandbox={sandbox}
          onState={(state) => setState(action.name, state)}
          onClose={() => {
            setAction(null);
            refresh();
          }}
        />
      )}
      {action?.kind === "detail" && current && (
        <DetailDialog locale={locale} instance={current} onClose={close} />
      )}
      {action?.kind === "logout" && (
        <ConfirmDialog
          locale={locale}
          title={tr("inst.logoutTitle", { name: action.name })}
          message={<p>{tr("inst.logoutText")}</p>}
          confirmLabel={tr("inst.disconnect")}
          action={act}
          onConfirm={() => logout(action.name)}
          onClose={close}
        />
      )}
      {action?.kind === "delete" && (
        <Dialog locale={locale} title={tr("inst.deleteTitle", { name: action.name })} onClose={close}>
          <form
            class="stack"
            noValidate
            data-form="delete-instance"
            onSubmit={(e) => {
              e.preventDefault();
              if (typed === action.name) {
                remove(action.name);
              }
            }}
          >
            <Alert tone="warn">{tr("inst.deleteText")}</Alert>
            <TextField
              label={tr("inst.deleteConfirm", { name: action.name })}
              name="confirm_name"
              autocomplete="off"
              spellcheck={false}
              value={typed}
              onValue={setTyped}
            />
            {act.error && <Alert tone="error">{act.error}</Alert>}
            <div class="form-actions">
              <Button variant="ghost" onClick={close}>{tr("ui.cancel")}</Button>
              <Button
                type="submit"
                variant="danger"
                busy={act.busy}
                disabled={typed !== action.name}
                data-confirm
              >
                {tr("inst.delete")}
              </Button>
            </div>
          </form>
        </Dialog>
      )}
    </IslandRoot>
  );
}
