import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES, type MessageKey } from "../lib/core/i18n.ts";
import { api, useApi } from "./use_api.ts";
import { Alert, Button, IslandRoot, SelectField, translator } from "./ui.tsx";
import { IncidentForm, MaintenanceForm, UpdateForm } from "./status_forms.tsx";
import { MAINTENANCE_STATUSES } from "../lib/status/model.ts";

const Service = z.object({ id: z.number(), name: z.string() });
const Incident = z.object({
  id: z.number(),
  title: z.string(),
  severity: z.string(),
  status: z.string(),
  automatic: z.boolean(),
  affected_services: z.array(Service),
  updates: z.array(
    z.object({ id: z.number(), status: z.string(), message: z.string(), created_at: z.string() }),
  ),
});
const Maintenance = z.object({
  id: z.number(),
  title: z.string(),
  status: z.string(),
  scheduled_start: z.string(),
  scheduled_end: z.string(),
  affected_services: z.array(Service),
});

export const StatusAdminProps = z.object({
  locale: z.enum(LOCALES),
  services: z.array(Service),
  incidents: z.array(Incident),
  maintenances: z.array(Maintenance),
});
type Props = z.infer<typeof StatusAdminProps>;
type Incident = z.infer<typeof Incident>;
type Maintenance = z.infer<typeof Maintenance>;

const stamp = (iso: string) => new Date(iso).toLocaleString();

/**
 * Admin → Status management: declare incidents and post their updates, schedule maintenance and move
 * it along, through the same /admin/incidents and /admin/maintenance API as any client.
 */
export function StatusAdmin(p: Props) {
  const tr = translator(p.locale);
  const [incidents, setIncidents] = useState(p.incidents);
  const [maintenances, setMaintenances] = useState(p.maintenances);
  const { error, run } = useApi(p.locale);
  const reload = async () => {
    const [i, m] = await Promise.all([
      api<{ incidents: Incident[] }>("/admin/incidents?limit=100"),
      api<{ maintenances: Maintenance[] }>("/admin/maintenance?limit=100"),
    ]);
    setIncidents(i.incidents);
    setMaintenances(m.maintenances);
  };
  const act = (fn: () => Promise<unknown>) => run(async () => (await fn(), await reload()));
  return (
    <IslandRoot root="status-admin" class="stack">
      {error && <Alert tone="error">{error}</Alert>}
      <div class="card-grid">
        <IncidentForm locale={p.locale} services={p.services} onDone={() => act(async () => {})} />
        <MaintenanceForm locale={p.locale} services={p.services} onDone={() => act(async () => {})} />
      </div>
      <section class="card card-pad stack" aria-labelledby="inc-h">
        <h2 id="inc-h" class="card-title">{tr("sadm.incidents")}</h2>
        {!incidents.length && <p>{tr("status.noIncidents")}</p>}
        {incidents.map((i) => (
          <article key={i.id} class="status-incident" data-incident={i.id}>
            <h3>
              {i.title} <span class="badge badge-info">{tr(`status.st.${i.status}` as MessageKey)}</span>{" "}
              <span class="badge badge-warn">{tr(`status.sev.${i.severity}` as MessageKey)}</span>
              {i.automatic && <span class="badge badge-neutral">{tr("status.automatic")}</span>}
            </h3>
            <p class="field-hint">{i.affected_services.map((s) => s.name).join(", ")}</p>
            <ol class="status-timeline">
              {i.updates.map((u) => (
                <li key={u.id}>
                  <strong>{tr(`status.st.${u.status}` as MessageKey)}</strong> {stamp(u.created_at)}
                  <p>{u.message}</p>
                </li>
              ))}
            </ol>
            <UpdateForm locale={p.locale} id={i.id} onDone={() => act(async () => {})} />
            <Button
              small
              variant="danger"
              onClick={() =>
                confirm(tr("sadm.confirmDelete")) &&
                act(() => api(`/admin/incidents/${i.id}`, { method: "DELETE" }))}
            >
              {tr("sadm.delete")}
            </Button>
          </article>
        ))}
      </section>
      <section class="card card-pad stack" aria-labelledby="mnt-h">
        <h2 id="mnt-h" class="card-title">{tr("sadm.maintenances")}</h2>
        {maintenances.map((m) => (
          <article key={m.id} class="status-incident" data-maintenance={m.id}>
            <h3>{m.title}</h3>
            <p class="field-hint">
              {stamp(m.scheduled_start)} – {stamp(m.scheduled_end)} ·{" "}
              {m.affected_services.map((s) => s.name).join(", ")}
            </p>
            <SelectField
              label={tr("sadm.status")}
              value={m.status}
              onValue={(status) =>
                act(() => api(`/admin/maintenance/${m.id}`, { method: "PUT", body: { status } }))}
              options={MAINTENANCE_STATUSES.map((s) => [s, tr(`sadm.m.${s}` as MessageKey)] as const)}
            />
            <Button
              small
              variant="danger"
              onClick={() =>
                confirm(tr("sadm.confirmDelete")) &&
                act(() => api(`/admin/maintenance/${m.id}`, { method: "DELETE" }))}
            >
              {tr("sadm.delete")}
            </Button>
          </article>
        ))}
      </section>
    </IslandRoot>
  );
}
