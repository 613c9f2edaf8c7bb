import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { DataTable } from "./data_table.tsx";
import { Alert, Button, Dialog, EmptyState, IslandRoot, TextField, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";
import { useForm } from "./use_form.ts";

const Engine = z.object({
  id: z.number(),
  name: z.string(),
  url: z.nullable(z.string()),
  capacity: z.nullable(z.number()),
  enabled: z.boolean(),
  instances: z.number(),
  is_default: z.boolean(),
  up: z.boolean(),
  version: z.nullable(z.string()),
  circuit: z.object({ state: z.enum(["closed", "open", "half_open"]) }),
});
type EngineItem = z.infer<typeof Engine>;

export const EnginesAdminProps = z.object({ locale: z.enum(LOCALES), engines: z.array(Engine) });
type Props = z.infer<typeof EnginesAdminProps>;

const EMPTY = { name: "", url: "", api_key: "", capacity: "" };
/** The capacity as the API takes it: blank = no limit; anything else is sent as typed (the API checks it). */
const capacityOf = (typed: string): number | null => typed.trim() === "" ? null : Number(typed.trim());

/** Admin → Engines: where instances live, how full each engine is, and adding or disabling one. */
export function EnginesAdmin({ locale, engines: initial }: Props) {
  const tr = translator(locale);
  const [engines, setEngines] = useState(initial);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const form = useForm(EMPTY);
  const list = useApi(locale);
  const action = useApi(locale);

  const reload = async () => {
    const res = await list.run(() => api<{ engines: EngineItem[] }>("/admin/engines"));
    if (res) setEngines(res.engines);
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const v = form.values;
    const res = await action.run(() =>
      api<{ engine: { name: string } }>("/admin/engines", {
        body: { name: v.name, url: v.url, api_key: v.api_key, capacity: capacityOf(v.capacity) },
      })
    );
    if (!res) return;
    setAdding(false);
    form.reset();
    setNotice(tr("engines.added", { name: res.engine.name }));
    await reload();
  };
  const toggle = async (engine: EngineItem) => {
    const ok = await action.run(() =>
      api(`/admin/engines/${engine.id}`, { method: "PUT", body: { enabled: !engine.enabled } })
    );
    if (ok) await reload();
  };

  return (
    <IslandRoot as="section" class="card card-flush" root="engines-admin">
      <header class="card-head card-pad">
        <h2 class="card-title">{tr("engines.title")}</h2>
        <div class="toolbar">
          <Button small icon="refresh" busy={list.busy} onClick={reload}>{tr("ui.refresh")}</Button>
          <Button
            small
            variant="primary"
            icon="plus"
            onClick={() => (action.setError(null), setAdding(true))}
            data-action="add-engine"
          >
            {tr("engines.add")}
          </Button>
        </div>
      </header>
      <div class="card-pad">
        {notice && <Alert tone="success">{notice}</Alert>}
        {(list.error || (!adding && action.error)) && <Alert tone="error">{list.error ?? action.error}
        </Alert>}
      </div>
      <DataTable
        locale={locale}
        rows={engines.length}
        empty={<EmptyState icon="server" title={tr("engines.empty")} />}
        columns={[
          tr("engines.name"),
          tr("engines.url"),
          tr("engines.usage"),
          tr("engines.health"),
          tr("engines.placement"),
        ]}
      >
        {engines.map((e) => (
          <tr key={e.id} data-engine={e.name}>
            <td>
              <strong>{e.name}</strong>
              {e.is_default && <span class="badge">{tr("engines.default")}</span>}
            </td>
            <td class="cell-wrap">
              {e.url ? <code>{e.url}</code> : tr("engines.configured")}
            </td>
            <td>
              {e.capacity === null
                ? tr("engines.usageUnlimited", { used: e.instances })
                : tr("engines.usageOf", { used: e.instances, capacity: e.capacity })}
            </td>
            <td>
              <span class={`badge ${e.up && e.circuit.state === "closed" ? "badge-ok" : "badge-danger"}`}>
                {e.up ? tr("engines.up") : tr("engines.down")}
              </span>{" "}
              {e.circuit.state !== "closed" && tr("engines.breakerOpen")}
              {e.version && <small>v{e.version}</small>}
            </td>
            <td>{tr(e.enabled ? "engines.enabled" : "engines.disabled")}</td>
            <td class="col-actions">
              <Button small variant="ghost" busy={action.busy} onClick={() => toggle(e)} data-toggle={e.name}>
                {tr(e.enabled ? "engines.disable" : "engines.enable")}
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
      {adding && (
        <Dialog title={tr("engines.add")} onClose={() => setAdding(false)} locale={locale}>
          <form onSubmit={add}>
            <TextField label={tr("engines.name")} required maxLength={100} {...form.field("name")} />
            <TextField
              label={tr("engines.url")}
              type="url"
              required
              placeholder="http://evolution-2:8080"
              {...form.field("url")}
            />
            <TextField
              label={tr("engines.apiKey")}
              type="password"
              required
              autoComplete="off"
              hint={tr("engines.apiKeyHint")}
              {...form.field("api_key")}
            />
            <TextField
              label={tr("engines.capacity")}
              inputMode="numeric"
              hint={tr("engines.capacityHint")}
              {...form.field("capacity")}
            />
            {action.error && <Alert tone="error">{action.error}</Alert>}
            <div class="form-actions">
              <Button variant="ghost" onClick={() => setAdding(false)}>{tr("ui.cancel")}</Button>
              <Button type="submit" variant="primary" busy={action.busy}>{tr("engines.add")}</Button>
            </div>
          </form>
        </Dialog>
      )}
    </IslandRoot>
  );
}
