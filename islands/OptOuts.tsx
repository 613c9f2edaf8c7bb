import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { ActionsCell, DataTable, DateCell } from "./data_table.tsx";
import { FilterActions, PagedCard, pageOf, usePagedList } from "./paged_list.tsx";
import { Alert, Button, EmptyState, IconButton, IslandRoot, TextField, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

const OptOut = z.object({
  phone_number: z.string(),
  source: z.string(),
  reason: z.nullable(z.string()),
  created_at: z.string(),
});
const OptOutPage = pageOf("opt_outs", OptOut);
type OptOutPage = z.infer<typeof OptOutPage>;

export const OptOutsProps = z.object({
  locale: z.enum(LOCALES),
  initial: OptOutPage,
  words: z.object({ opt_out_words: z.array(z.string()), opt_in_words: z.array(z.string()) }),
});
type Props = z.infer<typeof OptOutsProps>;
type Filters = { search: string };

const splitWords = (text: string) => text.split(",").map((w) => w.trim()).filter(Boolean);

/** Opt-outs: the registry (add by hand, search, remove) and the stop/start words inbound messages match. */
export function OptOuts({ locale, initial, words }: Props) {
  const tr = translator(locale);
  const [number, setNumber] = useState("");
  const [reason, setReason] = useState("");
  const [stops, setStops] = useState(words.opt_out_words.join(", "));
  const [starts, setStarts] = useState(words.opt_in_words.join(", "));
  const [notice, setNotice] = useState<string | null>(null);
  const add = useApi(locale);
  const save = useApi(locale);
  const list = usePagedList<Filters, OptOutPage>({
    locale,
    initial,
    filters: { search: "" },
    url: (f, page, limit) =>
      `/api/opt-outs?${new URLSearchParams({
        page: String(page),
        limit: String(limit),
        search: f.search.trim(),
      })}`,
    rows: (p) => p.opt_outs.length,
  });

  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await add.run(() =>
      api<{ opt_out: { phone_number: string } }>("/api/opt-outs", {
        body: { phone_number: number, reason: reason.trim() || undefined },
      })
    );
    if (!res) return;
    setNotice(tr("oo.added", { number: res.opt_out.phone_number }));
    setNumber("");
    setReason("");
    await list.load(1);
  };
  const remove = async (phone: string) => {
    if (!await add.run(() => api(`/api/opt-outs/${phone}`, { method: "DELETE" }))) return;
    setNotice(tr("oo.removed", { number: phone }));
    await list.load(list.data.page);
  };
  const saveWords = async (e: Event) => {
    e.preventDefault();
    const res = await save.run(() =>
      api<Props["words"]>("/api/opt-outs/words", {
        method: "PUT",
        body: { opt_out_words: splitWords(stops), opt_in_words: splitWords(starts) },
      })
    );
    if (!res) return;
    setStops(res.opt_out_words.join(", "));
    setStarts(res.opt_in_words.join(", "));
    setNotice(tr("oo.wordsSaved"));
  };

  return (
    <IslandRoot class="stack" root="opt-outs">
      {notice && <Alert tone="success">{notice}</Alert>}
      <div class="form-grid">
        <form class="card card-pad stack" data-form="opt-out" onSubmit={submit}>
          <h2 class="card-title">{tr("oo.addTitle")}</h2>
          <TextField
            label={tr("oo.number")}
            name="phone_number"
            value={number}
            onValue={setNumber}
            required
          />
          <TextField
            label={tr("oo.reason")}
            name="reason"
            value={reason}
            onValue={setReason}
            maxLength={500}
          />
          {add.error && <Alert tone="error">{add.error}</Alert>}
          <Button type="submit" variant="primary" icon="plus" busy={add.busy}>{tr("oo.add")}</Button>
        </form>
        <form class="card card-pad stack" data-form="opt-out-words" onSubmit={saveWords}>
          <h2 class="card-title">{tr("oo.wordsTitle")}</h2>
          <TextField
            label={tr("oo.stopWords")}
            name="opt_out_words"
            value={stops}
            onValue={setStops}
            hint={tr("oo.wordsHint")}
          />
          <TextField label={tr("oo.startWords")} name="opt_in_words" value={starts} onValue={setStarts} />
          {save.error && <Alert tone="error">{save.error}</Alert>}
          <Button type="submit" busy={save.busy}>{tr("oo.saveWords")}</Button>
        </form>
      </div>
      <form
        class="filter-bar"
        onSubmit={(e) => {
          e.preventDefault();
          list.load(1, list.filters);
        }}
      >
        <TextField label={tr("oo.search")} type="search" {...list.field("search")} />
        <FilterActions
          labels={[tr("ct.filter"), tr("ct.clear")]}
          list={list}
          onClear={() => list.clear({ search: "" })}
        />
      </form>
      {list.error && <Alert tone="error">{list.error}</Alert>}
      <PagedCard locale={locale} list={list} label={tr("oo.listTitle")}>
        <DataTable
          locale={locale}
          name="opt-outs"
          columns={[tr("oo.number"), tr("oo.source"), tr("oo.reason"), tr("oo.since")]}
          rows={list.data.opt_outs.length}
          empty={<EmptyState icon="shield" title={tr("oo.empty")} text={tr("oo.emptyHint")} />}
        >
          {list.data.opt_outs.map((o) => (
            <tr key={o.phone_number} data-opt-out={o.phone_number}>
              <td class="mono">{o.phone_number}</td>
              <td>
                <span class="badge badge-neutral">
                  {tr(
                    o.source === "inbound"
                      ? "oo.srcInbound"
                      : o.source === "api"
                      ? "oo.srcApi"
                      : "oo.srcManual",
                  )}
                </span>
              </td>
              <td>{o.reason ?? ""}</td>
              <DateCell iso={o.created_at} locale={locale} />
              <ActionsCell>
                <IconButton
                  icon="trash"
                  danger
                  label={tr("oo.remove")}
                  onClick={() => remove(o.phone_number)}
                />
              </ActionsCell>
            </tr>
          ))}
        </DataTable>
      </PagedCard>
    </IslandRoot>
  );
}
