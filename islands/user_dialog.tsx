import { useState } from "preact/hooks";
import { useForm } from "./use_form.ts";
import type { Locale } from "../lib/core/i18n.ts";
import { PasswordField, passwordProblem, PasswordRules } from "./password.tsx";
import { Alert, Button, CheckField, Dialog, SelectField, TextField, translator } from "./ui.tsx";
import { AS_TYPED, COUNT } from "./input_kinds.ts";
import { api, useApi } from "./use_api.ts";
import type { UserItem } from "./UsersAdmin.tsx";
import { QuotaFields } from "./quota_fields.tsx";

/** "" → null (unlimited / cleared), else the integer typed. */
const optionalInt = (v: string): number | null => (v.trim() === "" ? null : Number(v));

/** Create (user = null) or edit one account; on edit only the changed fields are sent. */

export function UserDialog(
  { locale, user, self, onClose, onSaved }: {
    locale: Locale;
    user: UserItem | null;
    self: boolean;
    onClose(): void;
    onSaved(username: string, created: boolean): void;
  },
) {
  const tr = translator(locale);
  const form = useForm({
    username: user?.username ?? "",
    password: "",
    role: user?.role ?? "user",
    max_instances: String(user?.max_instances ?? 1),
    rate_limit: user?.rate_limit == null ? "" : String(user.rate_limit),
    email: user?.email ?? "",
    phone_number: user?.phone_number ?? "",
  });
  const { username, password, role, email } = form.values;
  const { max_instances: maxInstances, rate_limit: rateLimit, phone_number: phone } = form.values;
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
              autocomplete="off"
              {...AS_TYPED}
              required
              autoFocus
              maxLength={50}
              hint={tr("users.usernameRule")}
              error={invalid.username}
              {...form.field("username")}
            />
          )}
          <div class="field-group">
            <PasswordField
              label={tr(user ? "users.newPassword" : "users.password")}
              autocomplete="new-password"
              required={!user}
              hint={tr(user ? "users.newPasswordHint" : "users.passwordHint")}
              error={invalid.password}
              {...form.field("password")}
            />
            {(!user || password) && <PasswordRules value={password} locale={locale} />}
          </div>
          <SelectField
            label={tr("users.role")}
            {...form.field("role")}
            options={[["user", tr("role.user")], ["admin", tr("role.admin")]]}
            hint={self ? tr("users.selfRoleHint") : undefined}
          />
          <TextField
            label={tr("users.maxInstances")}
            {...COUNT}
            required
            error={invalid.max}
            {...form.field("max_instances")}
          />
          <TextField
            label={tr("users.rateLimitLabel")}
            {...COUNT}
            hint={tr("users.rateLimitHint")}
            error={invalid.rate}
            {...form.field("rate_limit")}
          />
          <TextField
            label={tr("users.email")}
            type="email"
            autocomplete="off"
            hint={tr("users.emailHint")}
            {...form.field("email")}
          />
          <TextField
            label={tr("users.phone")}
            type="tel"
            inputMode="tel"
            autocomplete="off"
            hint={tr("users.phoneHint")}
            {...form.field("phone_number")}
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
      {user && <QuotaFields locale={locale} userId={user.id} />}
    </Dialog>
  );
}
