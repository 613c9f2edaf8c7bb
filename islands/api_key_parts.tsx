import type { Locale, MessageKey } from "../lib/core/i18n.ts";
import type { ApiKeyItem } from "./ApiKeys.tsx";
import { CopyButton } from "./copy_button.tsx";
import { DataTable } from "./data_table.tsx";
import { LocalTime } from "./local_time.tsx";
import { Alert, Button, EmptyState, translator } from "./ui.tsx";

/** Each scope's label and the hint that says what it allows. */
export const SCOPE_KEYS: Record<ApiKeyItem["scope"], [MessageKey, MessageKey]> = {
  full: ["keys.scopeFull", "keys.scopeFullHint"],
  send: ["keys.scopeSend", "keys.scopeSendHint"],
  read: ["keys.scopeRead", "keys.scopeReadHint"],
};

const STATUS: Record<ApiKeyItem["status"], [MessageKey, string]> = {
  active: ["keys.active", "badge-ok"],
  expired: ["keys.expired", "badge-warn"],
  revoked: ["keys.revokedBadge", "badge-danger"],
};

/** The key just created, shown once with copy and an example call. */
export function NewKeyCard({ locale, created, onDone }: {
  locale: Locale;
  created: { name: string; key: string };
  onDone(): void;
}) {
  const tr = translator(locale);
  return (
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
        <Button small onClick={onDone}>{tr("keys.stored")}</Button>
      </div>
    </section>
  );
}

/** The keys table: scope, instances, last use, expiry, status, and revoke for active keys. */
export function ApiKeyTable({ locale, keys, onRevoke }: {
  locale: Locale;
  keys: ApiKeyItem[];
  onRevoke(key: ApiKeyItem): void;
}) {
  const tr = translator(locale);
  return (
    <DataTable
      locale={locale}
      name="api-keys"
      rows={keys.length}
      empty={<EmptyState icon="key" title={tr("keys.empty")} text={tr("keys.emptyHint")} />}
      columns={[
        tr("keys.name"),
        tr("keys.scope"),
        tr("keys.instances"),
        tr("keys.lastUsed"),
        tr("keys.expires"),
        tr("keys.status"),
      ]}
    >
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
                onClick={() => onRevoke(k)}
              >
                {tr("keys.revoke")}
              </Button>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
