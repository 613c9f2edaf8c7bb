import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { DataTable } from "./data_table.tsx";
import { FilterActions, PagedCard, pageOf, syncUrl, usePagedList } from "./paged_list.tsx";
import { describeAgent, SessionCells } from "./session_cells.tsx";
import { Alert, Button, ConfirmDialog, EmptyState, IslandRoot, SelectField, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

const Session = z.object({
  id: z.number(),
  user_id: z.number(),
  username: z.string(),
  ip_address: z.nullable(z.string()),
  user_agent: z.nullable(z.string()),
  last_active: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  current: z.boolean(),
});
type AdminSession = z.infer<typeof Session>;
const SessionsPage = pageOf("sessions", Session);

const Filters = z.object({ user_id: z.string() });
export type SessionFilters = z.infer<typeof Filters>;

export const SessionsAdminProps = z.object({
  locale: z.enum(LOCALES),
  users: z.array(z.object({ id: z.number(), username: z.string() })),
  filters: Filters,
  initial: SessionsPage,
});
type Props = z.infer<typeof SessionsAdminProps>;

/** Admin → Sessions: every user's live sessions, filtered by user, any of them revocable at once. */
export function SessionsAdmin({ locale, users, filters, initial }: Props) {
  const tr = translator(locale);
  const list = usePagedList({
    locale,
    initial,
    filters,
    url: (f, page, limit) =>
      `/admin/sessions?${new URLSearchParams({
        page: String(page),
        limit: String(limit),
        ...(f.user_id ? { user_id: f.user_id } : {}),
      })}`,
    onLoad: (_res, f) => syncUrl(f, _res.page),
    rows: (p) => p.sessions.length,
  });
  const [revoking, setRevoking] = useState<AdminSession | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useApi(locale);

  const revoke = async () => {
    if (!revoking) return;
    const ok = await action.run(() => api(`/admin/sessions/${revoking.id}`, { method: "DELETE" }));
    if (!ok) return;
    if (revoking.current) return location.assign("/panel/login?notice=loggedOut");
    setNotice(tr("adminSessions.revoked", { user: revoking.username }));
    setRevoking(null);
    await list.load(list.data.page);
  };

  return (
    <IslandRoot class="stack" root="sessions-admin">
      <form
        class="card filter-bar"
        onSubmit={(e) => {
          e.preventDefault();
          list.load(1, list.filters);
        }}
      >
        <SelectField
          label={tr("adminSessions.user")}
          {...list.field("user_id")}
          options={[
            ["", tr("adminSessions.allUsers")],
            ...users.map((u) => [String(u.id), u.username] as const),
          ]}
        />
        <FilterActions
          labels={[tr("audit.apply"), tr("audit.clear")]}
          list={list}
          onClear={() => list.clear({ user_id: "" })}
        />
      </form>
      {notice && <Alert tone="success">{notice}</Alert>}
      {list.error && <Alert tone="error">{list.error}</Alert>}
      <PagedCard locale={locale} list={list} label={tr("adminSessions.title")}>
        <DataTable
          locale={locale}
          rows={list.data.sessions.length}
          empty={<EmptyState icon="devices" title={tr("sessions.empty")} />}
          columns={[
            tr("adminSessions.user"),
            tr("sessions.device"),
            tr("sessions.ip"),
            tr("sessions.lastActive"),
            tr("sessions.created"),
          ]}
        >
          {list.data.sessions.map((s) => (
            <tr key={s.id} data-session-id={s.id} class={s.current ? "row-current" : undefined}>
              <td>
                <strong>{s.username}</strong>
                {s.current && <span class="badge badge-ok">{tr("sessions.current")}</span>}
              </td>
              <td title={s.user_agent ?? undefined}>
                {describeAgent(s.user_agent) ?? tr("sessions.unknownDevice")}
              </td>
              <SessionCells session={s} locale={locale} />
              <td class="col-actions">
                <Button
                  small
                  variant="ghost"
                  icon="close"
                  onClick={() =>
                    setRevoking(s)}
                >
                  {tr("sessions.revoke")}
                </Button>
              </td>
            </tr>
          ))}
        </DataTable>
      </PagedCard>
      {revoking && (
        <ConfirmDialog
          locale={locale}
          title={tr("adminSessions.revokeTitle")}
          message={tr("adminSessions.revokeText", { user: revoking.username })}
          confirmLabel={tr("sessions.revoke")}
          onConfirm={revoke}
          onClose={() => setRevoking(null)}
          action={action}
        />
      )}
    </IslandRoot>
  );
}
