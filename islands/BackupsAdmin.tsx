import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { DataTable } from "./data_table.tsx";
import { LocalTime } from "./local_time.tsx";
import {
  Alert,
  Button,
  ConfirmDialog,
  Dialog,
  EmptyState,
  IslandRoot,
  TextField,
  translator,
} from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

const Backup = z.object({
  filename: z.string(),
  size: z.number(),
  created_at: z.string(),
  kind: z.enum(["auto", "manual", "pre_restore"]),
});
type BackupItem = z.infer<typeof Backup>;

export const BackupsAdminProps = z.object({
  locale: z.enum(LOCALES),
  backups: z.array(Backup),
  /** False in the embedded database mode: the page explains instead of offering buttons that fail. */
  available: z.boolean(),
});
type Props = z.infer<typeof BackupsAdminProps>;

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Admin → Backups: create, list, download, delete, and restore behind a typed confirmation. */
export function BackupsAdmin({ locale, backups: initial, available }: Props) {
  const tr = translator(locale);
  const [backups, setBackups] = useState(initial);
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<BackupItem | null>(null);
  const [restoring, setRestoring] = useState<BackupItem | null>(null);
  const [typed, setTyped] = useState("");
  const list = useApi(locale);
  const action = useApi(locale);

  const reload = async () => {
    const res = await list.run(() => api<{ backups: BackupItem[] }>("/admin/backup"));
    if (res) setBackups(res.backups);
  };
  const create = async () => {
    const res = await action.run(() => api<{ filename: string }>("/admin/backup", { method: "POST" }));
    if (res) {
      setNotice(tr("backups.created", { name: res.filename }));
      await reload();
    }
  };
  const remove = async () => {
    if (!removing) return;
    const ok = await action.run(() => api(`/admin/backup/${removing.filename}`, { method: "DELETE" }));
    if (!ok) return;
    setRemoving(null);
    setNotice(tr("backups.deleted", { name: removing.filename }));
    await reload();
  };
  const restore = async () => {
    if (!restoring) return;
    const res = await action.run(() =>
      api<{ safety_backup: string }>(`/admin/backup/${restoring.filename}/restore`, {
        body: { confirm: typed },
      })
    );
    if (!res) return;
    setRestoring(null);
    setNotice(tr("backups.restored", { name: restoring.filename, safety: res.safety_backup }));
    await reload();
  };

  return (
    <IslandRoot as="section" class="card card-flush" root="backups-admin">
      <header class="card-head card-pad">
        <h2 class="card-title">{tr("backups.title")}</h2>
        <div class="toolbar">
          <Button small icon="refresh" busy={list.busy} onClick={reload}>{tr("ui.refresh")}</Button>
          <Button
            small
            variant="primary"
            icon="plus"
            busy={action.busy}
            disabled={!available}
            onClick={create}
            data-action="create-backup"
          >
            {tr("backups.create")}
          </Button>
        </div>
      </header>
      <div class="card-pad">
        {!available && <Alert tone="info">{tr("backups.embedded")}</Alert>}
        {notice && <Alert tone="success">{notice}</Alert>}
        {(list.error || (!removing && !restoring && action.error)) && (
          <Alert tone="error">{list.error ?? action.error}</Alert>
        )}
      </div>
      <DataTable
        locale={locale}
        rows={backups.length}
        empty={<EmptyState icon="database" title={tr("backups.empty")} />}
        columns={[tr("backups.file"), tr("backups.kind"), tr("backups.size"), tr("backups.date")]}
      >
        {backups.map((b) => (
          <tr key={b.filename} data-backup={b.filename}>
            <td>
              <code>{b.filename}</code>
            </td>
            <td>{tr(`backups.kind.${b.kind}`)}</td>
            <td>{kib(b.size)}</td>
            <td>
              <LocalTime iso={b.created_at} locale={locale} />
            </td>
            <td class="col-actions">
              <a class="btn btn-ghost btn-small" href={`/admin/backup/${b.filename}`} download>
                {tr("backups.download")}
              </a>
              <Button
                small
                variant="ghost"
                disabled={!available}
                onClick={() => (setTyped(""), setRestoring(b))}
                data-restore={b.filename}
              >
                {tr("backups.restore")}
              </Button>
              <Button small variant="ghost" icon="trash" onClick={() => setRemoving(b)}>
                {tr("backups.delete")}
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
      {removing && (
        <ConfirmDialog
          locale={locale}
          title={tr("backups.deleteTitle")}
          message={removing.filename}
          confirmLabel={tr("backups.delete")}
          onConfirm={remove}
          onClose={() => setRemoving(null)}
          action={action}
        />
      )}
      {restoring && (
        <Dialog
          locale={locale}
          title={tr("backups.restoreTitle")}
          onClose={() => setRestoring(null)}
        >
          <form
            class="stack"
            onSubmit={(e) => {
              e.preventDefault();
              restore();
            }}
          >
            <Alert tone="warn">{tr("backups.restoreWarning", { name: restoring.filename })}</Alert>
            <TextField
              label={tr("backups.confirmLabel")}
              value={typed}
              onValue={setTyped}
              autoComplete="off"
              name="confirm"
            />
            {action.error && <Alert tone="error">{action.error}</Alert>}
            <Button
              type="submit"
              variant="danger"
              busy={action.busy}
              disabled={typed !== "RESTORE"}
              data-action="confirm-restore"
            >
              {tr("backups.restore")}
            </Button>
          </form>
        </Dialog>
      )}
    </IslandRoot>
  );
}
