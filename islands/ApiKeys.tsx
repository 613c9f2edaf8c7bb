import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { Icon } from "../components/Icon.tsx";
import { LOCALES } from "../lib/core/i18n.ts";
import {
  Alert,
  Button,
  CheckField,
  ConfirmDialog,
  IslandRoot,
  SelectField,
  TextField,
  translator,
} from "./ui.tsx";
import { ApiKeyTable, NewKeyCard, SCOPE_KEYS } from "./api_key_parts.tsx";
import { PasswordField } from "./password.tsx";
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

/** The expiry instant for the chosen option: end of the chosen day for a custom date. */
function expiryInstant(choice: Expiry, date: string): string | null {
  if (choice === "never") return null;
  if (choice === "custom") return date ? new Date(`${date}T23:59:59`).toISOString() : "";
  return new Date(Date.now() + Number(choice) * 86_400_000).toISOString();
}

/** API keys: create one (shown once, with copy), see when each was last used, revoke. */
export function ApiKeys({ locale, keys: initial, instances }: Props) {
  const tr = translator(locale);
  const [keys, setKeys] = useState(initial);
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
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
    if (!password) return setInvalid(tr("keys.passwordRequired"));
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
          password,
        },
      })
    );
    if (!res) return;
    const { key, ...item } = res.api_key;
    setCreated({ name: item.name, key });
    setKeys((all) => [item, ...all]);
    setName("");
    setPassword("");
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
    <IslandRoot class="stack" root="api-keys">
      {created && <NewKeyCard locale={locale} created={created} onDone={() => setCreated(null)} />}

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
          <PasswordField
            label={tr("keys.password")}
            name="password"
            autocomplete="current-password"
            hint={tr("keys.passwordHint")}
            value={password}
            onValue={setPassword}
          />
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
        <ApiKeyTable locale={locale} keys={keys} onRevoke={setRevoking} />
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
          action={action}
          onConfirm={revoke}
          onClose={() => setRevoking(null)}
        />
      )}
    </IslandRoot>
  );
}
