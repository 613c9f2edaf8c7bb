import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { DataTable } from "./data_table.tsx";
import { LocalTime } from "./local_time.tsx";
import { Alert, Button, EmptyState, IslandRoot, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

const Run = z.object({
  started_at: z.string(),
  duration_ms: z.number(),
  ok: z.boolean(),
  result: z.nullable(z.record(z.string(), z.unknown())),
  error: z.nullable(z.string()),
  holder: z.nullable(z.string()),
  manual: z.boolean(),
});
const Worker = z.object({
  name: z.string(),
  schedule: z.string(),
  next_run: z.nullable(z.string()),
  last_run: z.nullable(Run),
});
type WorkerItem = z.infer<typeof Worker>;

export const WorkersAdminProps = z.object({ locale: z.enum(LOCALES), workers: z.array(Worker) });
type Props = z.infer<typeof WorkersAdminProps>;

const summary = (r: Record<string, unknown> | null) =>
  r
    ? Object.entries(r).map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`).join(" · ")
    : "";

/** Admin → Workers: every background worker with its last run and next run, and "run now". */
export function WorkersAdmin({ locale, workers: initial }: Props) {
  const tr = translator(locale);
  const [workers, setWorkers] = useState(initial);
  const [running, setRunning] = useState<string | null>(null);
  const list = useApi(locale);
  const action = useApi(locale);

  const reload = async () => {
    const res = await list.run(() => api<{ workers: WorkerItem[] }>("/admin/workers"));
    if (res) setWorkers(res.workers);
  };
  const runNow = async (name: string) => {
    setRunning(name);
    const res = await action.run(() =>
      api(`/admin/workers/${encodeURIComponent(name)}/run`, { method: "POST" })
    );
    setRunning(null);
    if (res) await reload();
  };

  return (
    <IslandRoot as="section" class="card card-flush" root="workers-admin">
      <header class="card-head card-pad">
        <h2 class="card-title">{tr("workers.title")}</h2>
        <Button small icon="refresh" busy={list.busy} onClick={reload}>{tr("ui.refresh")}</Button>
      </header>
      {(list.error || action.error) && (
        <div class="card-pad">
          <Alert tone="error">{list.error ?? action.error}</Alert>
        </div>
      )}
      <DataTable
        locale={locale}
        rows={workers.length}
        empty={<EmptyState icon="pulse" title={tr("workers.empty")} />}
        columns={[
          tr("workers.name"),
          tr("workers.schedule"),
          tr("workers.lastRun"),
          tr("workers.result"),
          tr("workers.nextRun"),
        ]}
      >
        {workers.map((w) => (
          <tr key={w.name} data-worker={w.name}>
            <td>
              <strong>{w.name}</strong>
            </td>
            <td>
              <code>{w.schedule}</code>
            </td>
            <td>
              {w.last_run
                ? (
                  <span>
                    <span class={`badge ${w.last_run.ok ? "badge-ok" : "badge-danger"}`}>
                      {tr(w.last_run.ok ? "workers.ok" : "workers.failed")}
                    </span>{" "}
                    <LocalTime iso={w.last_run.started_at} locale={locale} /> ·{" "}
                    {tr("workers.duration", { ms: w.last_run.duration_ms })}
                  </span>
                )
                : tr("workers.never")}
            </td>
            <td class="cell-wrap">
              {w.last_run?.error
                ? <span class="text-danger">{w.last_run.error}</span>
                : summary(w.last_run?.result ?? null)}
            </td>
            <td>{w.next_run ? <LocalTime iso={w.next_run} locale={locale} /> : "—"}</td>
            <td class="col-actions">
              <Button
                small
                icon="bolt"
                busy={running === w.name}
                onClick={() => runNow(w.name)}
                data-run={w.name}
              >
                {tr("workers.runNow")}
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
    </IslandRoot>
  );
}
