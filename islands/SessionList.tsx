import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { Icon } from "../components/Icon.tsx";
import { LOCALES } from "../lib/core/i18n.ts";
import { DataTable } from "./data_table.tsx";
import { describeAgent, SessionCells } from "./session_cells.tsx";
import { Alert, Button, ConfirmDialog, EmptyState, IslandRoot, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

const Session = z.object({
  id: z.number(),
  ip_address: z.nullable(z.string()),
  user_agent: z.nullable(z.string()),
  last_active: z.string(),
  created_at: z.string(),
  current: z.boolean(),
});
export type SessionItem = z.infer<typeof Session>;

export const SessionListProps = z.object({ locale: z.enum(LOCALES), sessions: z.array(Session) });
type Props = z.infer<typeof SessionListProps>;

type Confirm = { kind: "one"; session: SessionItem } | { kind: "all" };

/** The account's signed-in browsers and API clients: this one marked, any one revocable, or all. */
export function SessionList({ locale, sessions: initial }: Props) {
  const tr = translator(locale);
  const [sessions, setSessions] = useState(initial);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useApi(locale);
  const action = useApi(locale);

  const reload = async () => {
    const res = await list.run(() => api<{ sessions: SessionItem[] }>("/api/sessions"));
    if (res) setSessions(res.sessions);
  };

  const revoke = async () => {
    if (!confirm) return;
    if (confirm.kind === "all") {
      const ok = await action.run(() => api("/api/auth/logout-all", { method: "POST" }));
      if (ok) location.assign("/panel/login?notice=revoked");
      return;
    }
    const { session } = confirm;
    const ok = await action.run(() => api(`/api/sessions/${session.id}`, { method: "DELETE" }));
    if (!ok) return;
    if (session.current) {
      location.assign("/panel/login?notice=loggedOut");
      return;
    }
    setSessions((all) => all.filter((s) => s.id !== session.id));
    setNotice(tr("sessions.revoked"));
    setConfirm(null);
  };

  return (
    <IslandRoot as="section" class="card card-flush" aria-labelledby="sessions-title">
      <header class="card-head card-pad">
        <div>
          <h2 class="card-title" id="sessions-title">{tr("sessions.active", { count: sessions.length })}</h2>
          <p class="card-lead">{tr("sessions.hint")}</p>
        </div>
        <div class="toolbar">
          <Button small icon="refresh" busy={list.busy} onClick={reload}>{tr("ui.refresh")}</Button>
          <Button
            small
            variant="danger"
            icon="logout"
            onClick={() => setConfirm({ kind: "all" })}
            disabled={sessions.length === 0}
          >
            {tr("sessions.logoutAll")}
          </Button>
        </div>
      </header>
      {(notice || list.error) && (
        <div class="card-pad">
          {notice && <Alert tone="success">{notice}</Alert>}
          {list.error && <Alert tone="error">{list.error}</Alert>}
        </div>
      )}
      <DataTable
        locale={locale}
        rows={sessions.length}
        empty={<EmptyState icon="devices" title={tr("sessions.empty")} />}
        columns={[
          tr("sessions.device"),
          tr("sessions.ip"),
          tr("sessions.lastActive"),
          tr("sessions.created"),
        ]}
      >
        {sessions.map((s) => (
          <tr key={s.id} data-session-id={s.id} class={s.current ? "row-current" : undefined}>
            <td>
              <span class="cell-main" title={s.user_agent ?? undefined}>
                <Icon name="devices" />
                <span>{describeAgent(s.user_agent) ?? tr("sessions.unknownDevice")}</span>
                {s.current && <span class="badge badge-ok">{tr("sessions.current")}</span>}
              </span>
            </td>
            <SessionCells session={s} locale={locale} />
            <td class="col-actions">
              <Button
                small
                variant="ghost"
                icon="close"
                onClick={() =>
                  setConfirm({ kind: "one", session: s })}
              >
                {tr(s.current ? "sessions.logoutHere" : "sessions.revoke")}
              </Button>
            </td>
          </tr>
        ))}
      </DataTable>
      {confirm && (
        <ConfirmDialog
          locale={locale}
          title={tr(confirm.kind === "all" ? "sessions.logoutAllTitle" : "sessions.revokeTitle")}
          message={tr(
            confirm.kind === "all"
              ? "sessions.logoutAllText"
              : confirm.session.current
              ? "sessions.revokeCurrentText"
              : "sessions.revokeText",
          )}
          confirmLabel={tr(confirm.kind === "all" ? "sessions.logoutAll" : "sessions.revoke")}
          action={action}
          onConfirm={revoke}
          onClose={() => setConfirm(null)}
        />
      )}
    </IslandRoot>
  );
}
