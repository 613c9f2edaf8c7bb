import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { ActionsCell, DataTable, DateCell } from "./data_table.tsx";
import { type Draft, TemplateEditor } from "./template_editor.tsx";
import { Alert, Button, ConfirmDialog, EmptyState, IconButton, IslandRoot, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

const Template = z.object({
  id: z.number(),
  name: z.string(),
  content: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  variables: z.array(z.string()),
});
type Template = z.infer<typeof Template>;

export const TemplatesProps = z.object({
  locale: z.enum(LOCALES),
  templates: z.array(Template),
  /** Custom field keys found in the user's contact lists, offered as variable hints. */
  fieldHints: z.array(z.string()),
});
type Props = z.infer<typeof TemplatesProps>;

type Mode = { kind: "edit"; tpl: Draft & { id?: number } } | { kind: "delete"; tpl: Template };

/** Templates: list with the variables each uses, create/edit with hints and a live preview, delete. */
export function Templates({ locale, templates: initial, fieldHints }: Props) {
  const tr = translator(locale);
  const [templates, setTemplates] = useState(initial);
  const [mode, setMode] = useState<Mode | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const save = useApi(locale);
  const action = useApi(locale);

  const submit = async (draft: Draft) => {
    if (mode?.kind !== "edit") return;
    const id = mode.tpl.id;
    const res = await save.run(() =>
      api<{ template: Template }>(id ? `/api/templates/${id}` : "/api/templates", {
        method: id ? "PUT" : "POST",
        body: draft,
      })
    );
    if (!res) return;
    setTemplates((all) => [res.template, ...all.filter((t) => t.id !== res.template.id)]);
    setNotice(tr(id ? "tpl.updated" : "tpl.created", { name: res.template.name }));
    setMode(null);
  };

  const remove = async (tpl: Template) => {
    if (!await action.run(() => api(`/api/templates/${tpl.id}`, { method: "DELETE" }))) return;
    setTemplates((all) => all.filter((t) => t.id !== tpl.id));
    setNotice(tr("tpl.deleted", { name: tpl.name }));
    setMode(null);
  };

  const edit = (tpl: Draft & { id?: number }) => {
    save.setError(null);
    setMode({ kind: "edit", tpl });
  };

  return (
    <IslandRoot class="stack" root="templates">
      {notice && <Alert tone="success">{notice}</Alert>}
      <section class="card card-flush" aria-labelledby="templates-title">
        <header class="card-head card-pad">
          <h2 class="card-title" id="templates-title">{tr("tpl.listTitle", { count: templates.length })}</h2>
          <Button
            variant="primary"
            icon="plus"
            data-action="new-template"
            onClick={() => edit({ name: "", content: "" })}
          >
            {tr("tpl.new")}
          </Button>
        </header>
        <DataTable
          locale={locale}
          name="templates"
          columns={[tr("tpl.name"), tr("tpl.variables"), tr("tpl.updatedAt")]}
          rows={templates.length}
          empty={<EmptyState icon="edit" title={tr("tpl.empty")} text={tr("tpl.emptyHint")} />}
        >
          {templates.map((tpl) => (
            <tr key={tpl.id} data-template={tpl.name}>
              <td>
                <strong>{tpl.name}</strong>
                <div class="muted truncate">{tpl.content}</div>
              </td>
              <td>
                <div class="badge-row">
                  {tpl.variables.map((v) => <span key={v} class="badge badge-neutral">{`{{${v}}}`}</span>)}
                </div>
              </td>
              <DateCell iso={tpl.updated_at} locale={locale} />
              <ActionsCell>
                <IconButton icon="edit" label={tr("tpl.edit")} onClick={() => edit(tpl)} />
                <IconButton
                  icon="trash"
                  danger
                  label={tr("tpl.delete")}
                  onClick={() => setMode({ kind: "delete", tpl })}
                />
              </ActionsCell>
            </tr>
          ))}
        </DataTable>
      </section>
      {mode?.kind === "edit" && (
        <TemplateEditor
          locale={locale}
          initial={mode.tpl}
          fieldHints={fieldHints}
          busy={save.busy}
          error={save.error}
          onSave={submit}
          onClose={() => setMode(null)}
        />
      )}
      {mode?.kind === "delete" && (
        <ConfirmDialog
          locale={locale}
          title={tr("tpl.delete")}
          message={tr("tpl.deleteConfirm", { name: mode.tpl.name })}
          confirmLabel={tr("tpl.delete")}
          action={action}
          onConfirm={() => remove(mode.tpl)}
          onClose={() => setMode(null)}
        />
      )}
    </IslandRoot>
  );
}
