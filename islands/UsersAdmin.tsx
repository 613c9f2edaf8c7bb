import { useEffect, useRef, useState } from "preact/hooks";
import * as z from "zod/mini";
import { Icon } from "../components/Icon.tsx";
import { type Locale, LOCALES, type MessageKey, t } from "../lib/core/i18n.ts";
import { passwordProblem, PasswordRules } from "./password.tsx";
import {
  Alert,
  Button,
  CheckField,
  ConfirmDialog,
  Dialog,
  EmptyState,
  LocalTime,
  Pagination,
  SelectField,
  TableHead,
  TextField,
  useHydrated,
} from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

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
type UserItem = z.infer<typeof User>;

const UserPage = z.object({
  users: z.array(User),
  total: z.number(),
  page: z.number(),
  limit: z.number(),
  pages: z.number(),
});
type UserPage = z.infer<typeof UserPage>;

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
  | { kind: "delete"; user: UserItem }
  | { kind: "reset2fa"; user: UserItem };

/** Keeps page and search in the address bar, so a reload (server-rendered) shows the same list. */
function syncUrl(page: number, search: string) {
  const params = new URLSearchParams();
  if (search) params.set("search", search);
  if (page > 1) params.set("page", String(page));
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

/** Admin → Users: a searchable, paginated table with create, edit, delete and 2FA reset. */
export function UsersAdmin({ locale, currentUserId, search: initialSearch, initial }: Props) {
  const tr = (k: MessageKey, p?: Record<string, string | number>) => t(locale, k, p);
  const hydrated = useHydrated();
  const [data, setData] = useState<UserPage>(initial);
  const [search, setSearch] = useState(initialSearch);
  const [modal, setModal] = useState<Modal | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useApi(locale);
  const action = useApi(locale);
  const first = useRef(true);

  const load = async (page: number, term = search) => {
    const params = new URLSearchParams({ page: String(page), limit: String(data.limit) });
    if (term.trim()) params.set("search", term.trim());
    const res = await list.run(() => api<UserPage>(`/admin/users?${params}`));
    if (!res) return;
    // Past the last page (after a delete or a narrower search): step back to the last one.
    if (res.users.length === 0 && res.total > 0 && page > 1) return load(res.pages, term);
    setData(res);
    syncUrl(res.page, term.trim());
  };

  // Debounced search: one request once typing pauses, not one per key.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => load(1, search), 300);
    return () => clearTimeout(timer);
  }, [search]);

  const done = async (message: string) => {
    setModal(null);
    setNotice(message);
    await load(data.page);
  };

  const remove = async (user: UserItem) => {
    const ok = await action.run(() => api(`/admin/users/${user.id}`, { method: "DELETE" }));
    if (ok) await done(tr("users.deleted", { username: user.username }));
  };

  const reset2fa = async (user: UserItem) => {
    const ok = await action.run(() => api(`/admin/users/${user.id}/reset-2fa`, { method: "POST" }));
    if (ok) await done(tr("users.tfaReset", { username: user.username }));
  };

  const close = () => {
    action.setError(null);
    setModal(null);
  };

  return (
    <div class="stack" data-hydrated={hydrated ? "true" : undefined} data-island-root="users-admin">
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
            onInput={(e) => setSearch(e.currentTarget.value)}
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

      <section
        class="card card-flush"
        aria-label={tr("users.title")}
        aria-busy={list.busy ? "true" : undefined}
      >
        {data.users.length === 0
          ? (
            <EmptyState
              icon="users"
              title={tr(search ? "users.noMatch" : "users.empty")}
              text={search ? tr("users.noMatchHint", { search }) : undefined}
            />
          )
          : (
            <div class="table-wrap">
              <table class="table" data-table="users">
                <TableHead
                  locale={locale}
                  columns={[
                    { label: "ID", class: "col-id" },
                    tr("users.user"),
                    tr("users.role"),
                    { label: tr("users.maxInstances"), class: "col-num" },
                    { label: tr("users.rateLimit"), class: "col-num" },
                    tr("users.status"),
                    tr("users.created"),
                  ]}
                />
                <tbody>
                  {data.users.map((u) => (
                    <tr key={u.id} data-user-row={u.username}>
                      <td class="col-id">{u.id}</td>
                      <td>
                        <span class="cell-stack">
                          <strong>{u.username}</strong>
                          {u.id === currentUserId && (
                            <span class="badge badge-neutral">{tr("users.you")}</span>
                          )}
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
                      <td class="nowrap">
                        <LocalTime iso={u.created_at} locale={locale} dateOnly />
                      </td>
                      <td class="col-actions">
                        <span class="row-actions">
                          <button
                            type="button"
                            class="icon-button icon-button-plain"
                            title={tr("users.edit")}
                            aria-label={tr("users.editUser", { username: u.username })}
                            onClick={() => setModal({ kind: "edit", user: u })}
                          >
                            <Icon name="edit" />
                          </button>
                          {u.totp_enabled && (
                            <button
                              type="button"
                              class="icon-button icon-button-plain"
                              title={tr("users.reset2fa")}
                              aria-label={tr("users.reset2faUser", { username: u.username })}
                              onClick={() => setModal({ kind: "reset2fa", user: u })}
                            >
                              <Icon name="shield" />
                            </button>
                          )}
                          {u.id !== currentUserId && (
                            <button
                              type="button"
                              class="icon-button icon-button-plain icon-button-danger"
                              title={tr("users.delete")}
                              aria-label={tr("users.deleteUser", { username: u.username })}
                              onClick={() => setModal({ kind: "delete", user: u })}
                            >
                              <Icon name="trash" />
                            </button>
                          )}
                        </span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        <Pagination
          locale={locale}
          page={data.page}
          pages={data.pages}
          total={data.total}
          limit={data.limit}
          busy={list.busy}
          onPage={(p) => load(p)}
        />
      </section>

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
      {modal?.kind === "delete" && (
        <ConfirmDialog
          locale={locale}
          title={tr("users.deleteTitle")}
          message={<p>{tr("users.deleteText", { username: modal.user.username })}</p>}
          confirmLabel={tr("users.delete")}
          busy={action.busy}
          error={action.error}
          onConfirm={() => remove(modal.user)}
          onClose={close}
        />
      )}
      {modal?.kind === "reset2fa" && (
        <ConfirmDialog
          locale={locale}
          title={tr("users.reset2faTitle")}
          message={<p>{tr("users.reset2faText", { username: modal.user.username })}</p>}
          confirmLabel={tr("users.reset2fa")}
          busy={action.busy}
          error={action.error}
          onConfirm={() => reset2fa(modal.user)}
          onClose={close}
        />
      )}
    </div>
  );
}

/** "" → null (unlimited / cleared), else the integer typed. */
const optionalInt = (v: string): number | null => (v.trim() === "" ? null : Number(v));

/** Create (user = null) or edit one account; on edit only the changed fields are sent. */
function UserDialog(
  { locale, user, self, onClose, onSaved }: {
    locale: Locale;
    user: UserItem | null;
    self: boolean;
    onClose(): void;
    onSaved(username: string, created: boolean): void;
  },
) {
  const tr = (k: MessageKey, p?: Record<string, string | number>) => t(locale, k, p);
  const [username, setUsername] = useState(user?.username ?? "");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<string>(user?.role ?? "user");
  const [maxInstances, setMaxInstances] = useState(String(user?.max_instances ?? 1));
  const [rateLimit, setRateLimit] = useState(user?.rate_limit == null ? "" : String(user.rate_limit));
  const [email, setEmail] = useState(user?.email ?? "");
  const [phone, setPhone] = useState(user?.phone_number ?? "");
  const [active, setActive] = useState(user?.is_active ?? true);
  const [invalid, setInvalid] = useState<Partial<Record<"username" | "password" | "max" | "rate", string>>>(
    {},
  );
  const { busy, error, run } = useApi(locale);

  const submit = async (e: Event) => {
    e.preventDefault();
    const max = Number(maxInstances);
    const rate = optionalInt(rateLimit);
    const problems: typeof invalid = {};
    if (!user && !/^[A-Za-z0-9_]{3,50}$/.test(username)) problems.username = tr("users.usernameRule");
    if (!user || password) {
      const p = passwordProblem(password);
      if (p) problems.password = tr(p);
    }
    if (!Number.isInteger(max) || max < 0) problems.max = tr("users.maxRule");
    if (rate !== null && (!Number.isInteger(rate) || rate < 0)) problems.rate = tr("users.rateRule");
    setInvalid(problems);
    if (Object.keys(problems).length) return;

    const fields: Record<string, unknown> = {
      role,
      max_instances: max,
      rate_limit: rate,
      email: email.trim(),
      phone_number: phone.trim(),
    };
    let body: Record<string, unknown>;
    if (!user) {
      body = { username, password, ...fields };
    } else {
      const before: Record<string, unknown> = {
        role: user.role,
        max_instances: user.max_instances,
        rate_limit: user.rate_limit,
        email: user.email ?? "",
        phone_number: user.phone_number ?? "",
      };
      body = Object.fromEntries(Object.entries(fields).filter(([k, v]) => v !== before[k]));
      if (active !== user.is_active) body.is_active = active;
      if (password) body.password = password;
      if (Object.keys(body).length === 0) return onClose();
    }
    const ok = await run(() =>
      user ? api(`/admin/users/${user.id}`, { method: "PUT", body }) : api("/admin/users", { body })
    );
    if (ok) onSaved(user?.username ?? username, !user);
  };

  return (
    <Dialog
      locale={locale}
      wide
      title={user ? tr("users.editTitle", { username: user.username }) : tr("users.createTitle")}
      onClose={onClose}
    >
      <form class="stack" onSubmit={submit} data-form={user ? "edit-user" : "create-user"} noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <div class="form-grid">
          {!user && (
            <TextField
              label={tr("users.username")}
              name="username"
              autocomplete="off"
              autoCapitalize="none"
              spellcheck={false}
              required
              autoFocus
              maxLength={50}
              hint={tr("users.usernameRule")}
              error={invalid.username}
              value={username}
              onValue={setUsername}
            />
          )}
          <div class="field-group">
            <TextField
              label={tr(user ? "users.newPassword" : "users.password")}
              name="password"
              type="password"
              autocomplete="new-password"
              required={!user}
              hint={tr(user ? "users.newPasswordHint" : "users.passwordHint")}
              error={invalid.password}
              value={password}
              onValue={setPassword}
            />
            {(!user || password) && <PasswordRules value={password} locale={locale} />}
          </div>
          <SelectField
            label={tr("users.role")}
            name="role"
            value={role}
            onValue={setRole}
            options={[["user", tr("role.user")], ["admin", tr("role.admin")]]}
            hint={self ? tr("users.selfRoleHint") : undefined}
          />
          <TextField
            label={tr("users.maxInstances")}
            name="max_instances"
            type="number"
            min={0}
            step={1}
            inputMode="numeric"
            required
            error={invalid.max}
            value={maxInstances}
            onValue={setMaxInstances}
          />
          <TextField
            label={tr("users.rateLimitLabel")}
            name="rate_limit"
            type="number"
            min={0}
            step={1}
            inputMode="numeric"
            hint={tr("users.rateLimitHint")}
            error={invalid.rate}
            value={rateLimit}
            onValue={setRateLimit}
          />
          <TextField
            label={tr("users.email")}
            name="email"
            type="email"
            autocomplete="off"
            hint={tr("users.emailHint")}
            value={email}
            onValue={setEmail}
          />
          <TextField
            label={tr("users.phone")}
            name="phone_number"
            type="tel"
            inputMode="tel"
            autocomplete="off"
            hint={tr("users.phoneHint")}
            value={phone}
            onValue={setPhone}
          />
        </div>
        {user && !self && (
          <CheckField
            label={tr("users.activeLabel")}
            hint={tr("users.activeHint")}
            checked={active}
            onChange={setActive}
          />
        )}
        {!user && <p class="field-hint">{tr("users.mustChangeNote")}</p>}
        <div class="form-actions">
          <Button variant="ghost" onClick={onClose}>{tr("ui.cancel")}</Button>
          <Button type="submit" variant="primary" busy={busy} data-action="save-user">
            {tr(user ? "ui.save" : "users.create")}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
