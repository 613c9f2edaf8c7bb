import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { ActionsCell, DataTable } from "./data_table.tsx";
import { FilterActions, PagedCard, pageOf, syncUrl, usePagedList } from "./paged_list.tsx";
import { ScheduleDetail } from "./scheduled_detail.tsx";
import { localLabel, Scheduled, ScheduleForm } from "./scheduled_parts.tsx";
import { Alert, Button, ConfirmDialog, EmptyState, IslandRoot, SelectField, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

const SchedulePage = pageOf("messages", Scheduled);
type SchedulePage = z.infer<typeof SchedulePage>;
const STATUSES = ["pending", "processing", "completed", "failed", "cancelled"] as const;

const Filters = z.object({ status: z.string(), instance_name: z.string() });
type Filters = z.infer<typeof Filters>;

export const ScheduledListProps = z.object({
  locale: z.enum(LOCALES),
  initial: SchedulePage,
  filters: Filters,
  /** Instances the user may schedule on (owned, granted; admins: all). */
  instances: z.array(z.string()),
  /** The user's contact lists, offered as recipients on create. */
  lists: z.array(z.object({ id: z.number(), name: z.string(), item_count: z.number() })),
  /** The zone a time is read in unless the form says otherwise (the user's setting or the default). */
  timeZone: z.string(),
});
type Props = z.infer<typeof ScheduledListProps>;

const BADGES: Record<string, string> = {
  pending: "badge-info",
  processing: "badge-brand",
  completed: "badge-ok",
  failed: "badge-danger",
  cancelled: "badge-neutral",
};

type Mode = { kind: "create" } | { kind: "edit" | "detail" | "cancel"; message: Scheduled };

/** The API address of one page with these filters. */
function pageUrl(f: Filters, page: number, limit: number) {
  const q = new URLSearchParams({ page: String(page), limit: String(limit) });
  if (f.status) q.set("status", f.status);
  if (f.instance_name) q.set("instance_name", f.instance_name);
  return `/api/scheduled?${q}`;
}

/** Scheduled messages: create with time zone and recurrence, list with filters, detail, edit, cancel. */
export function ScheduledList({ locale, initial, filters, instances, lists, timeZone }: Props) {
  const tr = translator(locale);
  const [mode, setMode] = useState<Mode | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useApi(locale);
  const list = usePagedList({
    locale,
    initial,
    filters,
    url: pageUrl,
    onLoad: (p, f) => syncUrl(f, p.page),
    rows: (p) => p.messages.length,
  });
  const reload = () => list.load(list.data.page);

  const saved = (m: Scheduled, created: boolean) => {
    setMode(null);
    setNotice(
      tr(created ? "sch.created" : "sch.updated", {
        id: m.id,
        when: `${localLabel(m.scheduled_at_local)} (${m.time_zone})`,
      }),
    );
    return created ? list.load(1) : reload();
  };
  const cancel = async (m: Scheduled) => {
    const ok = await action.run(() => api(`/api/scheduled/${m.id}`, { method: "DELETE" }));
    if (!ok) return;
    setMode(null);
    setNotice(tr("sch.cancelled", { id: m.id }));
    await reload();
  };

  const rows = list.data.messages;
  return (
    <IslandRoot class="stack" root="scheduled">
      {notice && <Alert tone="success">{notice}</Alert>}
      <form
        class="card filter-bar"
        onSubmit={(e) => {
          e.preventDefault();
          list.load(1, list.filters);
        }}
      >
        <SelectField
          label={tr("sch.status")}
          {...list.field("status")}
          options={[["", tr("sch.allStatuses")], ...STATUSES.map((s) => [s, tr(`sch.status.${s}`)] as const)]}
        />
        <SelectField
          label={tr("sch.instance")}
          {...list.field("instance_name")}
          options={[["", tr("sch.allInstances")], ...instances.map((i) => [i, i] as const)]}
        />
        <FilterActions
          labels={[tr("sch.apply"), tr("sch.clear")]}
          list={list}
          onClear={() => list.clear({ status: "", instance_name: "" })}
        />
      </form>
      {list.error && <Alert tone="error">{list.error}</Alert>}
      <PagedCard locale={locale} list={list} label={tr("sch.listTitle")}>
        <header class="card-head card-pad">
          <h2 class="card-title">{tr("sch.listTitle")}</h2>
          <Button
            variant="primary"
            icon="plus"
            onClick={() => setMode({ kind: "create" })}
            disabled={instances.length === 0}
            data-action="create-scheduled"
          >
            {tr("sch.new")}
          </Button>
        </header>
        <DataTable
          locale={locale}
          name="scheduled"
          columns={[
            tr("sch.when"),
            tr("sch.instance"),
            tr("sch.recipientCount"),
            tr("sch.repeat"),
            tr("sch.status"),
          ]}
          rows={rows.length}
          empty={<EmptyState icon="list" title={tr("sch.empty")} text={tr("sch.emptyText")} />}
        >
          {rows.map((m) => (
            <tr key={m.id} data-id={m.id}>
              <td class="nowrap">
                {localLabel(m.scheduled_at_local)} <span class="muted">{m.time_zone}</span>
              </td>
              <td>{m.instance_name}</td>
              <td>{(JSON.parse(m.recipients) as string[]).length}</td>
              <td>{tr(`sch.repeat.${(m.recurrence?.type as string | undefined) ?? "none"}` as never)}</td>
              <td>
                <span class={`badge ${BADGES[m.status] ?? "badge-neutral"}`} data-status={m.status}>
                  {tr(`sch.status.${m.status}` as never)}
                </span>
              </td>
              <ActionsCell>
                <Button small onClick={() => setMode({ kind: "detail", message: m })} data-action="detail">
                  {tr("sch.detail")}
                </Button>
                {m.status === "pending" && (
                  <>
                    <Button
                      small
                      icon="edit"
                      onClick={() => setMode({ kind: "edit", message: m })}
                      data-action="edit"
                    >
                      {tr("sch.edit")}
                    </Button>
                    <Button
                      small
                      variant="danger"
                      onClick={() => setMode({ kind: "cancel", message: m })}
                      data-action="cancel"
                    >
                      {tr("sch.cancel")}
                    </Button>
                  </>
                )}
              </ActionsCell>
            </tr>
          ))}
        </DataTable>
      </PagedCard>

      {(mode?.kind === "create" || mode?.kind === "edit") && (
        <ScheduleForm
          locale={locale}
          message={mode.kind === "edit" ? mode.message : null}
          instances={instances}
          lists={lists}
          timeZone={timeZone}
          onSaved={(m) => saved(m, mode.kind === "create")}
          onClose={() => setMode(null)}
        />
      )}
      {mode?.kind === "detail" && (
        <ScheduleDetail
          locale={locale}
          message={mode.message}
          onClose={() => setMode(null)}
        />
      )}
      {mode?.kind === "cancel" && (
        <ConfirmDialog
          locale={locale}
          title={tr("sch.cancelTitle", { id: mode.message.id })}
          message={tr("sch.cancelText")}
          confirmLabel={tr("sch.cancel")}
          onConfirm={() => cancel(mode.message)}
          onClose={() => setMode(null)}
          action={action}
        />
      )}
    </IslandRoot>
  );
}
