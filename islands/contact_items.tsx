import { useEffect } from "preact/hooks";
import * as z from "zod/mini";
import type { Locale } from "../lib/core/i18n.ts";
import { ActionsCell, DataTable, DateCell } from "./data_table.tsx";
import { FilterActions, PagedCard, pageOf, usePagedList } from "./paged_list.tsx";
import { Alert, EmptyState, IconButton, SelectField, TextField, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

// A list's items on the Contacts page: search, the WhatsApp verdict filter, pages, and delete.

const Item = z.object({
  id: z.number(),
  phone_number: z.string(),
  label: z.string(),
  fields: z.record(z.string(), z.string()),
  whatsapp: z.nullable(z.string()),
  whatsapp_checked_at: z.nullable(z.string()),
  created_at: z.string(),
});
const ItemsPage = pageOf("items", Item);
type ItemsPage = z.infer<typeof ItemsPage>;
type Filters = { search: string; whatsapp: string };
const EMPTY: Filters = { search: "", whatsapp: "" };
const FIRST: ItemsPage = { items: [], total: 0, page: 1, limit: 50, pages: 0 };

function Verdict({ locale, value }: { locale: Locale; value: string | null }) {
  const tr = translator(locale);
  if (value === "valid") return <span class="badge badge-ok">{tr("ct.waValid")}</span>;
  if (value === "invalid") return <span class="badge badge-danger">{tr("ct.waInvalid")}</span>;
  return <span class="badge badge-neutral">{tr("ct.waUnchecked")}</span>;
}

/** `reload` changes whenever the list's items may have changed (an import, a check). */
export function ContactItems({ locale, listId, reload, onRemoved }: {
  locale: Locale;
  listId: number;
  reload: number;
  onRemoved(): void;
}) {
  const tr = translator(locale);
  const remove = useApi(locale);
  const list = usePagedList<Filters, ItemsPage>({
    locale,
    initial: FIRST,
    filters: EMPTY,
    url: (f, page, limit) => {
      const q = new URLSearchParams({ page: String(page), limit: String(limit) });
      if (f.search.trim()) q.set("search", f.search.trim());
      if (f.whatsapp) q.set("whatsapp", f.whatsapp);
      return `/api/contacts/${listId}/items?${q}`;
    },
    rows: (p) => p.items.length,
  });
  useEffect(() => void list.load(list.data.page), [listId, reload]);

  const drop = async (id: number) => {
    if (!await remove.run(() => api(`/api/contacts/${listId}/items/${id}`, { method: "DELETE" }))) return;
    onRemoved();
    await list.load(list.data.page);
  };

  return (
    <div class="stack">
      <form
        class="filter-bar"
        onSubmit={(e) => {
          e.preventDefault();
          list.load(1, list.filters);
        }}
      >
        <TextField label={tr("ct.search")} type="search" {...list.field("search")} />
        <SelectField
          label={tr("ct.whatsapp")}
          {...list.field("whatsapp")}
          options={[
            ["", tr("ct.waAny")],
            ["valid", tr("ct.waValid")],
            ["invalid", tr("ct.waInvalid")],
            ["unchecked", tr("ct.waUnchecked")],
          ]}
        />
        <FilterActions
          labels={[tr("ct.filter"), tr("ct.clear")]}
          list={list}
          onClear={() => list.clear(EMPTY)}
        />
      </form>
      {(list.error || remove.error) && <Alert tone="error">{list.error ?? remove.error}</Alert>}
      <PagedCard locale={locale} list={list} label={tr("ct.itemsTitle")}>
        <DataTable
          locale={locale}
          name="contact-items"
          columns={[tr("ct.number"), tr("ct.name"), tr("ct.fields"), tr("ct.whatsapp"), tr("ct.addedAt")]}
          rows={list.data.items.length}
          empty={<EmptyState icon="users" title={tr("ct.noItems")} text={tr("ct.noItemsHint")} />}
        >
          {list.data.items.map((i) => (
            <tr key={i.id} data-item={i.phone_number}>
              <td class="mono">{i.phone_number}</td>
              <td>{i.label}</td>
              <td class="muted">
                {Object.entries(i.fields).map(([k, v]) => `${k}: ${v}`).join(" · ")}
              </td>
              <td>
                <Verdict locale={locale} value={i.whatsapp} />
              </td>
              <DateCell iso={i.created_at} locale={locale} dateOnly />
              <ActionsCell>
                <IconButton icon="trash" danger label={tr("ct.removeItem")} onClick={() => drop(i.id)} />
              </ActionsCell>
            </tr>
          ))}
        </DataTable>
      </PagedCard>
    </div>
  );
}
