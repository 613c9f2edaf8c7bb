import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { ContactItems } from "./contact_items.tsx";
import { CsvImport } from "./csv_import_panel.tsx";
import { ActionsCell, DataTable, DateCell } from "./data_table.tsx";
import {
  Alert,
  Button,
  ConfirmDialog,
  EmptyState,
  IconButton,
  IslandRoot,
  TextField,
  translator,
} from "./ui.tsx";
import { api, useApi } from "./use_api.ts";
import { WhatsappCheck } from "./whatsapp_check.tsx";

const List = z.object({
  id: z.number(),
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  item_count: z.number(),
});
type List = z.infer<typeof List>;

export const ContactsProps = z.object({
  locale: z.enum(LOCALES),
  lists: z.array(List),
  /** Instances the user can check numbers through. */
  instances: z.array(z.string()),
});
type Props = z.infer<typeof ContactsProps>;

/** Contacts: lists (create, delete), and for the open list its items, CSV import and WhatsApp check. */
export function Contacts({ locale, lists: initial, instances }: Props) {
  const tr = translator(locale);
  const [lists, setLists] = useState(initial);
  const [openId, setOpenId] = useState<number | null>(initial[0]?.id ?? null);
  const [name, setName] = useState("");
  const [doomed, setDoomed] = useState<List | null>(null);
  const [reload, setReload] = useState(0);
  const create = useApi(locale);
  const action = useApi(locale);
  const open = lists.find((l) => l.id === openId) ?? null;

  const refreshLists = async () => {
    const res = await api<{ lists: List[] }>("/api/contacts").catch(() => null);
    if (res) setLists(res.lists);
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const res = await create.run(() => api<{ list: List }>("/api/contacts", { body: { name: name.trim() } }));
    if (!res) return;
    setLists((all) => [{ ...res.list, item_count: 0 }, ...all]);
    setOpenId(res.list.id);
    setName("");
  };
  const remove = async (list: List) => {
    if (!await action.run(() => api(`/api/contacts/${list.id}`, { method: "DELETE" }))) return;
    setLists((all) => all.filter((l) => l.id !== list.id));
    if (openId === list.id) setOpenId(null);
    setDoomed(null);
  };
  const changed = () => {
    setReload((n) => n + 1);
    refreshLists();
  };

  return (
    <IslandRoot class="stack" root="contacts">
      <section class="card card-flush" aria-labelledby="lists-title">
        <header class="card-head card-pad">
          <h2 class="card-title" id="lists-title">{tr("ct.listsTitle", { count: lists.length })}</h2>
          <form class="inline-form" data-form="new-list" onSubmit={add}>
            <TextField
              label={tr("ct.newList")}
              name="list-name"
              value={name}
              onValue={setName}
              maxLength={100}
            />
            <Button type="submit" variant="primary" icon="plus" busy={create.busy}>{tr("ct.create")}</Button>
          </form>
        </header>
        {create.error && <Alert tone="error">{create.error}</Alert>}
        <DataTable
          locale={locale}
          name="contact-lists"
          columns={[tr("ct.list"), tr("ct.count"), tr("ct.updatedAt")]}
          rows={lists.length}
          empty={<EmptyState icon="users" title={tr("ct.noLists")} text={tr("ct.noListsHint")} />}
        >
          {lists.map((l) => (
            <tr key={l.id} data-list={l.name} aria-current={l.id === openId ? "true" : undefined}>
              <td>
                <button
                  type="button"
                  class="link-button"
                  onClick={() =>
                    setOpenId(l.id)}
                >
                  {l.name}
                </button>
              </td>
              <td data-count>{l.item_count}</td>
              <DateCell iso={l.updated_at} locale={locale} />
              <ActionsCell>
                <IconButton
                  icon="trash"
                  danger
                  label={tr("ct.deleteList")}
                  onClick={() =>
                    setDoomed(l)}
                />
              </ActionsCell>
            </tr>
          ))}
        </DataTable>
      </section>
      {open && (
        <section class="stack" aria-label={open.name} data-open-list={open.name}>
          <h2>{tr("ct.openTitle", { name: open.name })}</h2>
          <div class="form-grid">
            <CsvImport locale={locale} listId={open.id} onImported={changed} />
            <WhatsappCheck locale={locale} listId={open.id} instances={instances} onChecked={changed} />
          </div>
          <ContactItems locale={locale} listId={open.id} reload={reload} onRemoved={refreshLists} />
        </section>
      )}
      {doomed && (
        <ConfirmDialog
          locale={locale}
          title={tr("ct.deleteList")}
          message={tr("ct.deleteConfirm", { name: doomed.name, count: doomed.item_count })}
          confirmLabel={tr("ct.deleteList")}
          action={action}
          onConfirm={() => remove(doomed)}
          onClose={() => setDoomed(null)}
        />
      )}
    </IslandRoot>
  );
}
