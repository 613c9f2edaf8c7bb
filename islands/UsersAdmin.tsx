import { useEffect, useRef, useState } from "preact/hooks";
import * as z from "zod/mini";
import { Icon } from "../components/Icon.tsx";
import { LOCALES, type MessageKey } from "../lib/core/i18n.ts";
import { PagedCard, pageOf, syncUrl, usePagedList } from "./paged_list.tsx";
import { ActionsCell, DataTable, DateCell } from "./data_table.tsx";
import { Alert, Button, ConfirmDialog, EmptyState, IconButton, IslandRoot, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";
import { UserDialog } from "./user_dialog.tsx";

const User = z.object({
  id: z.number(),
  username: z.string(),
  role: z.enum(["admin", "user"]),
  max_instances: z.number(),
  is_active: z.boolean(),
  must_change_password: z.boolean(),
  rate_limit: z.nullable(z.number()),
  email: z.nullable(z.string()),
  phone_number: z.nullable(z.string()),
  totp_enabled: z.optional(z.boolean()),
  created_at: z.string(),
});
export type UserItem = z.infer<typeof User>;

const UserPage = pageOf("users", User);

export const UsersAdminProps = z.object({
  locale: z.enum(LOCALES),
  currentUserId: z.number(),
  search: z.string(),
  initial: UserPage,
});
type Props = z.infer<typeof UsersAdminProps>;

type Modal =
  | { kind: "create" }
  | { kind: "edit"; user: UserItem }
  | { kind: keyof typeof CONFIRM; user: UserItem };

// The two confirmed actions on a user: what the dialog says, the request, and the notice after it.
const CONFIRM: Record<"delete" | "reset2fa", {
  title: MessageKey;
  text: MessageKey;
  label: MessageKey;
  done: MessageKey;
  request(user: UserItem): Promise<unknown>;
}> = {
  delete: {
    title: "users.deleteTitle",
    text: "users.deleteText",
    label: "users.delete",
    done: "users.deleted",
    request: (user) => api(`/admin/users/${user.id}`, { method: "DELETE" }),
  },
  reset2fa: {
    title: "users.reset2faTitle",
    text: "users.reset2faText",
    label: "users.reset2fa",
    done: "users.tfaReset",
    request: (user) => api(`/admin/users/${user.id}/reset-2fa`, { method: "POST" }),
  },
};

/** Admin → Users: a searchable, paginated table with create, edit, delete and 2FA reset. */
export function UsersAdmin({ locale, currentUserId, search: initialSearch, initial }: Props) {
  const tr = translator(locale);
  const list = usePagedList({
    locale,
    initial,
    filters: { search: initialSearch },
    url: (f, page, limit) => {
      const params = new URLSearchParams({ page: String(page), limit: String(limit) });
      if (f.search.trim()) params.set("search", f.search.trim());
      return `/admin/users?${params}`;
    },
    onLoad: (res, f) => syncUrl(f, res.page),
    // Past the last page (after a delete or a narrower search): step back to the last one.
    rows: (res) => res.users.length,
  });
  const { data, filters } = list;
  const search = filters.search;
  // Pages and reloads use the search as typed, like the debounced search does.
  const load = (page: number) => list.load(page, filters);
  const [modal, setModal] = useState<Modal | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const action = useApi(locale);
  const first = useRef(true);

  // Debounced search: one request once typing pauses, not one per key.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => load(1), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const done = async (message: string) => {
    setModal(null);
    setNotice(message);
    await load(data.page);
  };

  const confirmed = async (kind: keyof typeof CONFIRM, user: UserItem) => {
    const ok = await action.run(() => CONFIRM[kind].request(user));
    if (ok) await done(tr(CONFIRM[kind].done, { username: user.username }));
  };

  const close = () => {
    action.setError(null);
    setModal(null);
  };

  return (
    <IslandRoot class="stack" root="users-admin">
      <div class="toolbar toolbar-spread">
        <div class="search-box">
          <Icon name="search" />
          <label class="sr-only" for="user-search">{tr("users.search")}</label>
          <input
            id="user-search"
            type="search"
            class="input"
            placeholder={tr("users.searchPlaceholder")}
            value={search}
            onInput={(e) => list.set("search")(e.currentTarget.value)}
            autocomplete="off"
          />
          {list.busy && <span class="spinner" aria-hidden="true" />}
        </div>
        <Button
          variant="primary"
          icon="plus"
          onClick={() => {
            setNotice(null);
            setModal({ kind: "create" });
          }}
          data-action="create-user"
        >
          {tr("users.new")}
        </Button>
      </div>
      {notice && <Alert tone="success">{notice}</Alert>}
      {list.error && <Alert tone="error">{list.error}</Alert>}

      <PagedCard
        locale={locale}
        list={list}
        label={tr("users.title")}
        onPage={load}
      >
        <DataTable
          locale={locale}
          name="users"
          rows={data.users.length}
          empty={
            <EmptyState
              icon="users"
              title={tr(search ? "users.noMatch" : "users.empty")}
              text={search ? tr("users.noMatchHint", { search }) : undefined}
            />
          }
          columns={[
            { label: "ID", class: "col-id" },
            tr("users.user"),
            tr("users.role"),
            { label: tr("users.maxInstances"), class: "col-num" },
            { label: tr("users.rateLimit"), class: "col-num" },
            tr("users.status"),
            tr("users.created"),
          ]}
        >
          {data.users.map((u) => (
            <tr key={u.id} data-user-row={u.username}>
              <td class="col-id">{u.id}</td>
              <td>
                <span class="cell-stack">
                  <strong>{u.username}</strong>
                  {u.id === currentUserId && <span class="badge badge-neutral">{tr("users.you")}</span>}
                  <span class="muted">{u.email ?? tr("users.noEmail")}</span>
                </span>
              </td>
              <td>
                <span class={`badge ${u.role === "admin" ? "badge-brand" : "badge-neutral"}`}>
                  {tr(u.role === "admin" ? "role.admin" : "role.user")}
                </span>
              </td>
              <td class="col-num">{u.max_instances}</td>
              <td class="col-num">
                {u.rate_limit === null || u.rate_limit === 0
                  ? <span class="muted">{tr("users.unlimited")}</span>
                  : tr("users.perMinute", { n: u.rate_limit })}
              </td>
              <td>
                <span class="badge-row">
                  <span class={`badge ${u.is_active ? "badge-ok" : "badge-danger"}`}>
                    {tr(u.is_active ? "users.active" : "users.inactive")}
                  </span>
                  {u.totp_enabled && <span class="badge badge-neutral">2FA</span>}
                  {u.must_change_password && (
                    <span class="badge badge-warn" title={tr("users.mustChangeHint")}>
                      {tr("users.mustChange")}
                    </span>
                  )}
                </span>
              </td>
              <DateCell iso={u.created_at} locale={locale} dateOnly />
              <ActionsCell>
                <IconButton
                  icon="edit"
                  title={tr("users.edit")}
                  label={tr("users.editUser", { username: u.username })}
                  onClick={() => setModal({ kind: "edit", user: u })}
                />
                {u.totp_enabled && (
                  <IconButton
                    icon="shield"
                    title={tr("users.reset2fa")}
                    label={tr("users.reset2faUser", { username: u.username })}
                    onClick={() => setModal({ kind: "reset2fa", user: u })}
                  />
                )}
                {u.id !== currentUserId && (
                  <IconButton
                    icon="trash"
                    danger
                    title={tr("users.delete")}
                    label={tr("users.deleteUser", { username: u.username })}
                    onClick={() => setModal({ kind: "delete", user: u })}
                  />
                )}
              </ActionsCell>
            </tr>
          ))}
        </DataTable>
      </PagedCard>

      {(modal?.kind === "create" || modal?.kind === "edit") && (
        <UserDialog
          locale={locale}
          user={modal.kind === "edit" ? modal.user : null}
          self={modal.kind === "edit" && modal.user.id === currentUserId}
          onClose={close}
          onSaved={(name, created) =>
            done(tr(created ? "users.createdNotice" : "users.updated", { username: name }))}
        />
      )}
      {(modal?.kind === "delete" || modal?.kind === "reset2fa") && (
        <ConfirmDialog
          locale={locale}
          title={tr(CONFIRM[modal.kind].title)}
          message={<p>{tr(CONFIRM[modal.kind].text, { username: modal.user.username })}</p>}
          confirmLabel={tr(CONFIRM[modal.kind].label)}
          action={action}
          onConfirm={() => confirmed(modal.kind, modal.user)}
          onClose={close}
        />
      )}
    </IslandRoot>
  );
}
