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
  EmptyState,
  LocalTime,
  SelectField,
  TableHead,
  TextField,
  useHydrated,
} from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

export const SCOPES = ["full", "send", "read"] as const;

const ApiKey = z.object({
  id: z.number(),
  name: z.string(),
  key_prefix: z.string(),
  scope: z.enum(SCOPES),
  instance_names: z.nullable(z.array(z.string())),
  expires_at: z.nullable(z.string()),
  last_used_at: z.nullable(z.string()),
  last_used_ip: z.nullable(z.string()),
  revoked_at: z.nullable(z.string()),
  created_at: z.string(),
  status: z.enum(["active", "expired", "revoked"]),
});
export type ApiKeyItem = z.infer<typeof ApiKey>;

export const ApiKeysProps = z.object({
  locale: z.enum(LOCALES),
  keys: z.array(ApiKey),
  /** Instance names the user can reach: the choices for restricting a key. */
  instances: z.array(z.string()),
});
type Props = z.infer<typeof ApiKeysProps>;

const EXPIRY = ["never", "30", "90", "365", "custom"] as const;
type Expiry = typeof EXPIRY[number];

const SCOPE_KEYS: Record<typeof SCOPES[number], [MessageKey, MessageKey]> = {
  full: ["keys.scopeFull", "keys.scopeFullHint"],
  send: ["keys.scopeSend", "keys.scopeSendHint"],
  read: ["keys.scopeRead", "keys.scopeReadHint"],
};

/** The expiry instant for the chosen option: end of the chosen day for a custom date. */
function expiryInstant(choice: Expiry, date: string): string | null {
  if (choice === "never") return null;
  if (choice === "custom") return date ? new Date(`${date}T23:59:59`).toISOString() : "";
  return new Date(Date.now() + Number(choice) * 86_400_000).toISOString();
}

const STATUS: Record<ApiKeyItem["status"], [MessageKey, string]> = {
  active: ["keys.active", "badge-ok"],
  expired: ["keys.expired", "badge-warn"],
  revoked: ["keys.revokedBadge", "badge-danger"],
};

/** API keys: create one (shown once, with copy), see when each was last used, revoke. */
export function ApiKeys({ locale, keys: initial, instances }: Props) {
  const tr = (k: MessageKey, p?: Record<string, string | number>) => t(locale, k, p);
  const hydrated = useHydrated();
  const [keys, setKeys] = useState(initial);
  const [name, setName] = useState("");
  const [scope, setScope] = useState<string>("full");
  const [limited, setLimited] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  const [expiry, setExpiry] = useState<Expiry>("never");
  const [date, setDate] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const create = useApi(locale);
  const action = useApi(locale);

  const submit = async (e: Event) => {
    e.preventDefault();
    setNotice(null);
    const expires = expiryInstant(expiry, date);
    if (!name.trim()) return setInvalid(tr("keys.nameRequired"));
    if (limited && chosen.length === 0) return setInvalid(tr("keys.instancesRequired"));
    if (expires === "" || (expires && new Date(expires).getTime() <= Date.now())) {
      return setInvalid(tr("keys.expiryFuture"));
    }
    setInvalid(null);
    const res = await create.run(() =>
      api<{ api_key: ApiKeyItem & { key: string } }>("/api/keys", {
        body: {
          name: name.trim(),
          scope,
          instance_names: limited ? chosen : null,
          expires_at: expires,
        },
      })
    );
    if (!res) return;
    const { key, ...item } = res.api_key;
    setCreated({ name: item.name, key });
    setKeys((all) => [item, ...all]);
    setName("");
    setLimited(false);
    setChosen([]);
    setExpiry("never");
  };

  const revoke = async () => {
    if (!revoking) return;
    const ok = await action.run(() => api(`/api/keys/${revoking.id}`, { method: "DELETE" }));
    if (!ok) return;
    const now = new Date().toISOString();
    setKeys((all) =>
      all.map((k) => k.id === revoking.id ? { ...k, status: "revoked" as const, revoked_at: now } : k)
    );
    setNotice(tr("keys.revoked", { name: revoking.name }));
    setRevoking(null);
  };

  const active = keys.filter((k) => k.status === "active").length;
  const toggle = (instance: string, on: boolean) =>
    setChosen((all) => on ? [...all, instance] : all.filter((i) => i !== instance));

  return (
    <div class="stack" data-hydrated={hydrated ? "true" : undefined} data-island-root="api-keys">
      {created && (
        <section class="card card-highlight" aria-labelledby="new-key-title" data-new-key>
          <h2 class="card-title" id="new-key-title">{tr("keys.createdTitle", { name: created.name })}</h2>
          <Alert tone="warn">{tr("keys.createdWarning")}</Alert>
          <div class="secret-box">
            <code class="secret secret-wide" data-api-key={created.key}>{created.key}</code>
            <CopyButton text={created.key} locale={locale} />
          </div>
          <p class="field-hint">{tr("keys.usage")}</p>
          <pre class="code-block"><code>{`curl -H "apikey: ${created.key}" ${location.origin}/instance/fetchInstances`}</code></pre>
          <div class="form-actions form-actions-start">
            <Button small onClick={() => setCreated(null)}>{tr("keys.stored")}</Button>
          </div>
        </section>
      )}

      <section class="card" aria-labelledby="create-key-title">
        <h2 class="card-title" id="create-key-title">{tr("keys.createTitle")}</h2>
        <form class="stack" onSubmit={submit} data-form="create-key" noValidate>
          {create.error && <Alert tone="error">{create.error}</Alert>}
          {invalid && <Alert tone="error">{invalid}</Alert>}
          <div class="form-grid">
            <TextField
              label={tr("keys.name")}
              name="name"
              required
              maxLength={100}
              placeholder={tr("keys.namePlaceholder")}
              value={name}
              onValue={setName}
            />
            <SelectField
              label={tr("keys.scope")}
              name="scope"
              value={scope}
              onValue={setScope}
              options={SCOPES.map((s) => [s, tr(SCOPE_KEYS[s][0])] as const)}
              hint={tr(SCOPE_KEYS[scope as typeof SCOPES[number]][1])}
            />
            <SelectField
              label={tr("keys.expiry")}
              name="expiry"
              value={expiry}
              onValue={(v) => setExpiry(v as Expiry)}
              options={[
                ["never", tr("keys.never")],
                ["30", tr("keys.days", { n: 30 })],
                ["90", tr("keys.days", { n: 90 })],
                ["365", tr("keys.oneYear")],
                ["custom", tr("keys.customDate")],
              ]}
            />
            {expiry === "custom" && (
              <TextField
                label={tr("keys.expiryDate")}
                name="expires_on"
                type="date"
                value={date}
                onValue={setDate}
              />
            )}
          </div>
          <fieldset class="fieldset">
            <legend>{tr("keys.instances")}</legend>
            <CheckField
              label={tr("keys.limit")}
              hint={tr(instances.length ? "keys.limitHint" : "keys.noInstances")}
              checked={limited}
              onChange={setLimited}
            />
            {limited && instances.length > 0 && (
              <div class="check-grid">
                {instances.map((i) => (
                  <CheckField
                    key={i}
                    label={i}
                    checked={chosen.includes(i)}
                    onChange={(on) => toggle(i, on)}
                  />
                ))}
              </div>
            )}
          </fieldset>
          <div class="form-actions form-actions-start">
            <Button type="submit" variant="primary" icon="key" busy={create.busy}>{tr("keys.create")}</Button>
          </div>
        </form>
      </section>

      {notice && <Alert tone="success">{notice}</Alert>}
      <section class="card card-flush" aria-labelledby="keys-title">
        <header class="card-head card-pad">
          <h2 class="card-title" id="keys-title">{tr("keys.listTitle", { count: active })}</h2>
        </header>
        {keys.length === 0
          ? <EmptyState icon="key" title={tr("keys.empty")} text={tr("keys.emptyHint")} />
          : (
            <div class="table-wrap">
              <table class="table" data-table="api-keys">
                <TableHead
                  locale={locale}
                  columns={[
                    tr("keys.name"),
                    tr("keys.scope"),
                    tr("keys.instances"),
                    tr("keys.lastUsed"),
                    tr("keys.expires"),
                    tr("keys.status"),
                  ]}
                />
                <tbody>
                  {keys.map((k) => (
                    <tr key={k.id} data-key-id={k.id} class={k.status === "active" ? undefined : "row-muted"}>
                      <td>
                        <span class="cell-stack">
                          <strong>{k.name}</strong>
                          <code class="muted">{k.key_prefix}…</code>
                        </span>
                      </td>
                      <td>
                        <span class={`badge ${k.scope === "full" ? "badge-brand" : "badge-neutral"}`}>
                          {tr(SCOPE_KEYS[k.scope][0])}
                        </span>
                      </td>
                      <td>
                        {k.instance_names === null
                          ? <span class="muted">{tr("keys.allInstances")}</span>
                          : (
                            <span class="tag-list">
                              {k.instance_names.map((i) => <span key={i} class="tag">{i}</span>)}
                            </span>
                          )}
                      </td>
                      <td>
                        {k.last_used_at
                          ? (
                            <span class="cell-stack">
                              <LocalTime iso={k.last_used_at} locale={locale} />
                              {k.last_used_ip && <code class="muted">{k.last_used_ip}</code>}
                            </span>
                          )
                          : <span class="muted">{tr("keys.neverUsed")}</span>}
                      </td>
                      <td>
                        {k.expires_at === null
                          ? <span class="muted">{tr("keys.never")}</span>
                          : <LocalTime iso={k.expires_at} locale={locale} dateOnly />}
                      </td>
                      <td>
                        <span class={`badge ${STATUS[k.status][1]}`}>{tr(STATUS[k.status][0])}</span>
                      </td>
                      <td class="col-actions">
                        {k.status === "active" && (
                          <Button
                            small
                            variant="ghost"
                            icon="trash"
                            onClick={() => setRevoking(k)}
                          >
                            {tr("keys.revoke")}
                          </Button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      {revoking && (
        <ConfirmDialog
          locale={locale}
          title={tr("keys.revokeTitle")}
          message={
            <p>
              <Icon name="alert" /> {tr("keys.revokeText", { name: revoking.name })}
            </p>
          }
          confirmLabel={tr("keys.revoke")}
          busy={action.busy}
          error={action.error}
          onConfirm={revoke}
          onClose={() => {
            action.setError(null);
            setRevoking(null);
          }}
        />
      )}
    </div>
  );
}
