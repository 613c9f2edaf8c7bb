import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { NewPasswordFields, PasswordField, useNewPassword } from "./password.tsx";
import { Alert, Button, IslandRoot, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

export const ChangePasswordFormProps = z.object({
  locale: z.enum(LOCALES),
  username: z.string(),
  /** The first-login screen: the user cannot reach any other page until this succeeds. */
  forced: z.boolean(),
  /** Where to continue after signing in again (a panel path checked by the server). */
  next: z.optional(z.string()),
});
type Props = z.infer<typeof ChangePasswordFormProps>;

/**
 * Current password, new password twice. A password change ends every session of the account, this one
 * included, so success leads to the login page.
 */
export function ChangePasswordForm({ locale, username, forced, next }: Props) {
  const tr = translator(locale);
  const [current, setCurrent] = useState("");
  const pw = useNewPassword(locale);
  const [done, setDone] = useState(false);
  const { busy, error, run } = useApi(locale);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!pw.valid()) return;
    if (pw.password === current) {
      pw.setInvalid(tr("pw.same"));
      return;
    }
    const ok = await run(() =>
      api("/api/auth/change-password", {
        body: { current_password: current, new_password: pw.password },
        redirectOn401: false,
      })
    );
    if (!ok) return;
    setDone(true);
    // The gateway ends every session on a password change; had it kept this one, the login page
    // forwards a signed-in browser to the panel, so this lands right either way.
    const params = new URLSearchParams({ notice: "changed" });
    if (next && next !== "/panel/") params.set("next", next);
    location.assign(`/panel/login?${params}`);
  };

  return (
    <IslandRoot
      as="form"
      class={forced ? "auth-form" : "stack"}
      onSubmit={submit}
      data-form="change-password"
    >
      {done && <Alert tone="success">{tr("pw.changed")}</Alert>}
      {error && <Alert tone="error">{error}</Alert>}
      {/* Lets password managers file the new password under the right account. */}
      <input type="text" name="username" autocomplete="username" value={username} hidden readOnly />
      <PasswordField
        label={tr("pw.current")}
        name="current_password"
        autocomplete="current-password"
        autoFocus={forced}
        value={current}
        onValue={setCurrent}
      />
      <NewPasswordFields locale={locale} state={pw} />
      <div class={forced ? "form-actions" : "form-actions form-actions-start"}>
        <Button type="submit" variant="primary" busy={busy || done} class={forced ? "btn-block" : undefined}>
          {tr("pw.submit")}
        </Button>
      </div>
      {!forced && <p class="field-hint">{tr("pw.signsOut")}</p>}
    </IslandRoot>
  );
}
