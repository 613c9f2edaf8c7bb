// The Campaigns page's island (issue #10): the history of the user's campaigns, the create dialog
// (islands/campaign_form.tsx) and one campaign's live detail (islands/campaign_detail.tsx).
import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { CampaignDetail } from "./campaign_detail.tsx";
import { CampaignForm } from "./campaign_form.tsx";
import { BADGES, CampaignItem, type Progress, progressFrom, stateLabel } from "./campaign_parts.ts";
import { ActionsCell, DataTable, DateCell } from "./data_table.tsx";
import { PagedCard, pageOf, usePagedList } from "./paged_list.tsx";
import { Alert, Button, EmptyState, IslandRoot, translator } from "./ui.tsx";

const CampaignPage = pageOf("campaigns", CampaignItem);

export const CampaignsProps = z.object({
  locale: z.enum(LOCALES),
  initial: CampaignPage,
  /** Instances the user may send on (owned, granted; admins: all). */
  instances: z.array(z.string()),
  lists: z.array(z.object({ id: z.number(), name: z.string(), item_count: z.number() })),
  templates: z.array(z.object({ id: z.number(), name: z.string() })),
  /** Custom field keys of the user's contact lists, offered as variable hints. */
  fieldHints: z.array(z.string()),
  /** The zone a start time is read in unless the form says otherwise. */
  timeZone: z.string(),
  /** The campaign to open at once (the address bar's ?campaign=). */
  open: z.nullable(z.number()),
});
type Props = z.infer<typeof CampaignsProps>;

/** Keeps the open campaign in the address bar, so a reload or a reopened tab shows it again. */
function syncOpen(id: number | null) {
  const q = new URLSearchParams(location.search);
  if (id === null) q.delete("campaign");
  else q.set("campaign", String(id));
  const query = q.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

/** Campaigns: the history with state and progress, the create dialog, and one campaign's live detail. */
export function Campaigns(
  { locale, initial, instances, lists, templates, fieldHints, timeZone, open }: Props,
) {
  const tr = translator(locale);
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<number | null>(open);
  const [notice, setNotice] = useState<string | null>(null);
  // The open campaign's live progress: its history row follows it between page reads.
  const [live, setLive] = useState<(Progress & { id: number }) | null>(null);
  const list = usePagedList({
    locale,
    initial,
    filters: {},
    url: (_f, page, limit) => `/api/campaigns?page=${page}&limit=${limit}`,
    rows: (p) => p.campaigns.length,
  });
  const show = (id: number | null) => {
    setOpenId(id);
    syncOpen(id);
  };
  const rows = list.data.campaigns;
  return (
    <IslandRoot class="stack" root="campaigns">
      {notice && <Alert tone="success">{notice}</Alert>}
      {openId !== null && (
        <CampaignDetail
          key={openId}
          locale={locale}
          id={openId}
          onProgress={(p) => setLive({ ...p, id: openId })}
          onClose={() => show(null)}
        />
      )}
      {list.error && <Alert tone="error">{list.error}</Alert>}
      <PagedCard locale={locale} list={list} label={tr("campaigns.history")}>
        <header class="card-head card-pad">
          <h2 class="card-title">{tr("campaigns.history")}</h2>
          <div class="row-actions">
            <Button small icon="refresh" busy={list.busy} onClick={() => list.load(list.data.page)}>
              {tr("ui.refresh")}
            </Button>
            <Button
              variant="primary"
              icon="plus"
              onClick={() => setCreating(true)}
              disabled={instances.length === 0}
              data-action="create-campaign"
            >
              {tr("campaigns.new")}
            </Button>
          </div>
        </header>
        {instances.length === 0 && <p class="card-pad muted">{tr("campaigns.noInstances")}</p>}
        <DataTable
          locale={locale}
          name="campaigns"
          columns={[
            tr("campaigns.name"),
            tr("campaigns.instance"),
            tr("campaigns.status"),
            tr("campaigns.progress"),
            tr("campaigns.createdAt"),
          ]}
          rows={rows.length}
          empty={<EmptyState icon="bolt" title={tr("campaigns.empty")} text={tr("campaigns.emptyText")} />}
        >
          {rows.map((row) => {
            const c = live?.id === row.id ? { ...row, status: live.status, counts: live.counts } : row;
            const p = progressFrom(c, c.counts);
            return (
              <tr key={c.id} data-id={c.id} aria-current={c.id === openId ? "true" : undefined}>
                <td>{c.name}</td>
                <td>{c.instance}</td>
                <td>
                  <span class={`badge ${BADGES[c.status] ?? "badge-neutral"}`} data-status={c.status}>
                    {stateLabel(locale, c.status)}
                  </span>
                </td>
                <td class="nowrap" data-done={p.done}>
                  {tr("campaigns.doneOf", { done: p.done, total: p.total })}
                  {(c.counts.failed ?? 0) > 0 && (
                    <span class="muted">{` · ${tr("campaigns.failedN", { n: c.counts.failed })}`}</span>
                  )}
                </td>
                <DateCell iso={c.created_at} locale={locale} />
                <ActionsCell>
                  <Button small onClick={() => show(c.id)} data-action="open">{tr("campaigns.open")}</Button>
                </ActionsCell>
              </tr>
            );
          })}
        </DataTable>
      </PagedCard>
      {creating && (
        <CampaignForm
          locale={locale}
          options={{ instances, lists, templates, fieldHints, timeZone }}
          onCreated={(c, n) => {
            setCreating(false);
            setNotice(tr("campaigns.createdNotice", { name: c.name, n }));
            show(c.id);
            list.load(1, list.applied, true);
          }}
          onClose={() => setCreating(false)}
        />
      )}
    </IslandRoot>
  );
}
