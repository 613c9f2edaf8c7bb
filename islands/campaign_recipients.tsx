import { useEffect, useState } from "preact/hooks";
import * as z from "zod/mini";
import type { Locale } from "../lib/core/i18n.ts";
import { DataTable, DateCell } from "./data_table.tsx";
import { PagedCard, pageOf, usePagedList } from "./paged_list.tsx";
import { reasonLabel } from "./campaign_parts.ts";
import { Alert, EmptyState, SelectField, translator } from "./ui.tsx";

// The campaign detail's recipient list by state: the failed ones (with the engine's reason) first, and the
// skipped (opted out, invalid, over quota), unknown (a crash mid-send) and cancelled ones on request.

const Recipient = z.object({
  id: z.number(),
  phone_number: z.string(),
  variant: z.number(),
  status: z.string(),
  reason: z.nullable(z.string()),
  message_status: z.nullable(z.string()),
  sent_at: z.nullable(z.string()),
});
const RecipientPage = pageOf("recipients", Recipient);
type RecipientPage = z.infer<typeof RecipientPage>;

const SHOWN = ["failed", "skipped", "unknown", "cancelled"] as const;
const EMPTY: RecipientPage = { recipients: [], total: 0, page: 1, limit: 20, pages: 0 };
const SKIP_REASONS = new Set(["opted_out", "invalid", "quota"]);

export function CampaignRecipients({ locale, id, counts }: {
  locale: Locale;
  id: number;
  /** The live counts: when the shown state's count changes, the page is read again. */
  counts: Record<string, number>;
}) {
  const tr = translator(locale);
  const list = usePagedList({
    locale,
    initial: EMPTY,
    filters: { status: "failed" },
    url: (f, page, limit) => `/api/campaigns/${id}/recipients?status=${f.status}&page=${page}&limit=${limit}`,
  });
  const [status, setStatus] = useState("failed");
  const count = counts[status] ?? 0;
  useEffect(() => {
    list.load(status === list.applied.status ? list.data.page : 1, { status }, true);
  }, [id, status, count]);

  const reason = (r: z.infer<typeof Recipient>) =>
    r.status === "skipped" && r.reason && SKIP_REASONS.has(r.reason)
      ? tr(`campaigns.skip.${r.reason}` as "campaigns.skip.invalid")
      : reasonLabel(locale, r.reason) ?? "—";
  const rows = list.data.recipients;
  return (
    <section class="stack" aria-labelledby={`camp-rcpt-${id}`} data-recipients>
      <header class="card-head">
        <h3 class="card-title" id={`camp-rcpt-${id}`}>{tr("campaigns.recipientList")}</h3>
        <SelectField
          label={tr("campaigns.showState")}
          name="recipient-status"
          value={status}
          onValue={setStatus}
          options={SHOWN.map((s) => [s, `${tr(`campaigns.counts.${s}`)} (${counts[s] ?? 0})`] as const)}
        />
      </header>
      {list.error && <Alert tone="error">{list.error}</Alert>}
      <PagedCard locale={locale} list={list}>
        <DataTable
          locale={locale}
          name="campaign-recipients"
          actions={false}
          columns={[
            tr("campaigns.number"),
            tr("campaigns.variant"),
            tr("campaigns.reason"),
            tr("campaigns.when"),
          ]}
          rows={rows.length}
          empty={<EmptyState icon="check" title={tr("campaigns.noneInState")} />}
        >
          {rows.map((r) => (
            <tr key={r.id} data-status={r.status}>
              <td class="mono">{r.phone_number}</td>
              <td>{r.variant}</td>
              <td data-reason>{reason(r)}</td>
              <DateCell iso={r.sent_at} locale={locale} />
            </tr>
          ))}
        </DataTable>
      </PagedCard>
    </section>
  );
}
