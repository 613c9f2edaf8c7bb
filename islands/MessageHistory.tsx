import { useEffect, useRef, useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES, type MessageKey } from "../lib/core/i18n.ts";
import { SENT_EVENT } from "./MessageComposer.tsx";
import { MESSAGE_STATUSES } from "./state_badge.tsx";
import { DateRangeFields, FilterActions, PagedCard, pageOf, usePagedList } from "./paged_list.tsx";
import { DataTable } from "./data_table.tsx";
import { Alert, Button, EmptyState, IslandRoot, SelectField, TextField, translator } from "./ui.tsx";
import { HistoryRow } from "./history_row.tsx";

const Log = z.object({
  id: z.number(),
  instance_name: z.string(),
  phone_number: z.string(),
  message_type: z.string(),
  status: z.string(),
  error_message: z.nullable(z.string()),
  direction: z.string(),
  source: z.string(),
  body_text: z.optional(z.nullable(z.string())),
  created_at: z.string(),
  status_updated_at: z.string(),
});

const LogPage = pageOf("logs", Log);
export type HistoryLog = z.infer<typeof Log>;

export const MessageHistoryProps = z.object({
  locale: z.enum(LOCALES),
  instances: z.array(z.string()),
  initial: LogPage,
});
type Props = z.infer<typeof MessageHistoryProps>;

type Filters = {
  q: string;
  status: string;
  instance_name: string;
  direction: string;
  date_from: string;
  date_to: string;
};
const EMPTY: Filters = { q: "", status: "", instance_name: "", direction: "", date_from: "", date_to: "" };

// While something may still change (a send waiting for its receipts), refresh often; otherwise slowly.
const FAST_MS = 3000;
const SLOW_MS = 15_000;
const PENDING = new Set(["sending", "sent", "delivered", "unknown"]);

/** The API query: dates are whole days in the reader's zone, sent as instants. */
function query(f: Filters, page: number, limit: number): URLSearchParams {
  const q = new URLSearchParams({ page: String(page), limit: String(limit) });
  if (f.q.trim()) q.set("q", f.q.trim());
  if (f.status) q.set("status", f.status);
  if (f.instance_name) q.set("instance_name", f.instance_name);
  if (f.direction) q.set("direction", f.direction);
  if (f.date_from) q.set("date_from", new Date(`${f.date_from}T00:00:00`).toISOString());
  if (f.date_to) q.set("date_to", new Date(`${f.date_to}T23:59:59.999`).toISOString());
  return q;
}

/** Message history: filters, paginated table with delivery badges, CSV export; refreshes by itself. */
export function MessageHistory({ locale, instances, initial }: Props) {
  const tr = translator(locale);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const list = usePagedList({
    locale,
    initial,
    filters: EMPTY,
    url: (f, page, limit) => `/api/messages/log?${query(f, page, limit)}`,
    onLoad: () => setUpdatedAt(Date.now()),
  });
  const { data, filters, applied, load } = list;
  const latest = useRef({ page: initial.page, applied: EMPTY });
  latest.current = { page: data.page, applied };
  const moving = useRef(false);

  // Polls quietly (no spinner) so delivered/read show up without a reload; faster while rows are moving.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let alive = true;
    const schedule = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(tick, ms);
    };
    const tick = async () => {
      if (!alive) return;
      if (document.visibilityState === "visible") {
        await load(latest.current.page, latest.current.applied, true);
      }
      if (alive) schedule(moving.current ? FAST_MS : SLOW_MS);
    };
    const onSent = () => {
      load(1, latest.current.applied, true);
      schedule(FAST_MS);
    };
    globalThis.addEventListener(SENT_EVENT, onSent);
    schedule(moving.current ? FAST_MS : SLOW_MS);
    return () => {
      alive = false;
      clearTimeout(timer);
      globalThis.removeEventListener(SENT_EVENT, onSent);
    };
  }, []);
  // A send is "moving" for a few minutes: receipts (delivered, read) can take that long.
  moving.current = data.logs.some((l) =>
    l.direction === "outbound" && PENDING.has(l.status) &&
    Date.now() - new Date(l.status_updated_at).getTime() < 5 * 60_000
  );

  const filtered = list.filtered;
  const exportHref = (() => {
    const q = query(applied, 1, data.limit);
    q.delete("page");
    q.delete("limit");
    const s = q.toString();
    return `/api/messages/export${s ? `?${s}` : ""}`;
  })();

  return (
    <IslandRoot as="section" class="stack" root="history" aria-labelledby="history-title">
      <div class="section-head">
        <h2 class="section-title" id="history-title">{tr("hist.title")}</h2>
        <div class="toolbar">
          {updatedAt && (
            <span class="muted small" aria-live="polite">
              {tr("hist.updated", {
                time: new Date(updatedAt).toLocaleTimeString(locale === "es" ? "es-PY" : "en-US"),
              })}
            </span>
          )}
          <Button
            small
            variant="ghost"
            icon="refresh"
            busy={list.busy}
            onClick={() => load(data.page, applied)}
          >
            {tr("ui.refresh")}
          </Button>
          <a
            class="btn btn-secondary btn-small"
            href={exportHref}
            download="message_history.csv"
            data-action="export"
          >
            <span>{tr("hist.export")}</span>
          </a>
        </div>
      </div>
      <form
        class="card filter-bar"
        aria-label={tr("hist.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          load(1, filters);
        }}
      >
        <TextField
          label={tr("hist.search")}
          type="search"
          maxLength={100}
          placeholder={tr("hist.searchHint")}
          {...list.field("q")}
        />
        <SelectField
          label={tr("hist.instance")}
          {...list.field("instance_name")}
          options={[["", tr("hist.allInstances")], ...instances.map((i) => [i, i] as const)]}
        />
        <SelectField
          label={tr("hist.status")}
          {...list.field("status")}
          options={[
            ["", tr("hist.allStatuses")],
            ...MESSAGE_STATUSES.map((s) => [s, tr(`status.${s}` as MessageKey)] as const),
          ]}
        />
        <SelectField
          label={tr("hist.direction")}
          {...list.field("direction")}
          options={[["", tr("hist.bothDirections")], ["outbound", tr("hist.outbound")], [
            "inbound",
            tr("hist.inbound"),
          ]]}
        />
        <DateRangeFields labels={[tr("hist.from"), tr("hist.to")]} list={list} />
        <FilterActions
          labels={[tr("hist.apply"), tr("hist.clear")]}
          list={list}
          onClear={() => list.clear(EMPTY)}
        />
      </form>
      {list.error && <Alert tone="error">{list.error}</Alert>}
      <PagedCard
        locale={locale}
        list={list}
      >
        <DataTable
          locale={locale}
          name="history"
          actions={false}
          rows={data.logs.length}
          empty={
            <EmptyState
              icon="chat"
              title={tr(filtered ? "hist.noMatch" : "hist.empty")}
              text={tr(filtered ? "hist.noMatchHint" : "hist.emptyHint")}
            />
          }
          columns={[
            tr("hist.date"),
            tr("hist.instance"),
            tr("hist.number"),
            tr("hist.text"),
            tr("hist.type"),
            tr("hist.status"),
            tr("hist.error"),
          ]}
        >
          {data.logs.map((l) => <HistoryRow key={l.id} locale={locale} log={l} />)}
        </DataTable>
      </PagedCard>
    </IslandRoot>
  );
}
