import { useState } from "preact/hooks";
import { INCIDENT_STATUSES, SEVERITIES } from "../lib/status/model.ts";
import type { Locale, MessageKey } from "../lib/core/i18n.ts";
import { api, useApi } from "./use_api.ts";
import { useForm } from "./use_form.ts";
import { Alert, Button, CheckField, SelectField, TextField, translator } from "./ui.tsx";

// The Status-management island's forms: declare an incident, schedule maintenance, add a timeline update.

export interface ServiceOption {
  id: number;
  name: string;
}

const options = (locale: Locale, prefix: string, values: readonly string[]) =>
  values.map((v) => [v, translator(locale)(`${prefix}${v}` as MessageKey)] as const);

function ServicePicker(
  { services, chosen, onChange }: {
    services: ServiceOption[];
    chosen: number[];
    onChange(ids: number[]): void;
  },
) {
  return (
    <div class="check-grid">
      {services.map((s) => (
        <CheckField
          key={s.id}
          label={s.name}
          checked={chosen.includes(s.id)}
          onChange={(on) => onChange(on ? [...chosen, s.id] : chosen.filter((x) => x !== s.id))}
        />
      ))}
    </div>
  );
}

/** The "declare an incident" form; `onDone` reloads the lists. */
export function IncidentForm(
  { locale, services, onDone }: { locale: Locale; services: ServiceOption[]; onDone(): void },
) {
  const tr = translator(locale);
  const form = useForm({ title: "", severity: "minor", status: "investigating", message: "" });
  const [ids, setIds] = useState<number[]>([]);
  const { busy, error, run } = useApi(locale);
  const submit = async (e: Event) => {
    e.preventDefault();
    const ok = await run(() => api("/admin/incidents", { body: { ...form.values, service_ids: ids } }));
    if (ok) {
      form.reset();
      setIds([]);
      onDone();
    }
  };
  return (
    <form class="card card-pad stack" onSubmit={submit} data-form="incident">
      <h2 class="card-title">{tr("sadm.newIncident")}</h2>
      {error && <Alert tone="error">{error}</Alert>}
      <TextField
        label={tr("sadm.title")}
        {...form.field("title")}
        required
      />
      <div class="form-grid">
        <SelectField
          label={tr("sadm.severity")}
          {...form.field("severity")}
          options={options(locale, "status.sev.", SEVERITIES)}
        />
        <SelectField
          label={tr("sadm.status")}
          {...form.field("status")}
          options={options(locale, "status.st.", INCIDENT_STATUSES)}
        />
      </div>
      <TextField
        label={tr("sadm.message")}
        {...form.field("message")}
        required
      />
      <ServicePicker services={services} chosen={ids} onChange={setIds} />
      <div class="form-actions-start">
        <Button type="submit" variant="primary" busy={busy}>{tr("sadm.create")}</Button>
      </div>
    </form>
  );
}

/** Local `datetime-local` text → ISO instant (the browser knows the reader's zone; the server does not). */
const isoOf = (local: string) => local ? new Date(local).toISOString() : "";

/** The "schedule maintenance" form. */
export function MaintenanceForm(
  { locale, services, onDone }: { locale: Locale; services: ServiceOption[]; onDone(): void },
) {
  const tr = translator(locale);
  const form = useForm({ title: "", description: "", start: "", end: "" });
  const f = form.values;
  const [ids, setIds] = useState<number[]>([]);
  const { busy, error, run } = useApi(locale);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = {
      title: f.title,
      description: f.description,
      scheduled_start: isoOf(f.start),
      scheduled_end: isoOf(f.end),
      service_ids: ids,
    };
    if (await run(() => api("/admin/maintenance", { body }))) {
      form.reset();
      setIds([]);
      onDone();
    }
  };
  return (
    <form class="card card-pad stack" onSubmit={submit} data-form="maintenance">
      <h2 class="card-title">{tr("sadm.newMaintenance")}</h2>
      {error && <Alert tone="error">{error}</Alert>}
      <TextField
        label={tr("sadm.title")}
        {...form.field("title")}
        required
      />
      <TextField
        label={tr("sadm.description")}
        {...form.field("description")}
      />
      <div class="form-grid">
        <TextField
          label={tr("sadm.start")}
          type="datetime-local"
          {...form.field("start")}
          required
        />
        <TextField
          label={tr("sadm.end")}
          type="datetime-local"
          {...form.field("end")}
          required
        />
      </div>
      <ServicePicker services={services} chosen={ids} onChange={setIds} />
      <div class="form-actions-start">
        <Button type="submit" variant="primary" busy={busy}>{tr("sadm.schedule")}</Button>
      </div>
    </form>
  );
}

/** One incident's "add update" row. */
export function UpdateForm({ locale, id, onDone }: { locale: Locale; id: number; onDone(): void }) {
  const tr = translator(locale);
  const [status, setStatus] = useState("identified");
  const [message, setMessage] = useState("");
  const { busy, error, run } = useApi(locale);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await run(() => api(`/admin/incidents/${id}/updates`, { body: { status, message } }))) {
      setMessage("");
      onDone();
    }
  };
  return (
    <form class="form-grid" onSubmit={submit} data-form="update">
      {error && <Alert tone="error">{error}</Alert>}
      <SelectField
        label={tr("sadm.status")}
        name="update-status"
        value={status}
        onValue={setStatus}
        options={options(locale, "status.st.", INCIDENT_STATUSES)}
      />
      <TextField
        label={tr("sadm.message")}
        name="update-message"
        value={message}
        onValue={setMessage}
        required
      />
      <div class="form-actions-start">
        <Button type="submit" busy={busy}>{tr("sadm.addUpdate")}</Button>
      </div>
    </form>
  );
}
