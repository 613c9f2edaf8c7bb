import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import { PasswordField } from "./password.tsx";
import { Alert, Button, IslandRoot, TextField, translator } from "./ui.tsx";
import { AS_TYPED, ONE_TIME_CODE } from "./input_kinds.ts";
import { api, useApi } from "./use_api.ts";
import { useForm } from "./use_form.ts";

export const NOTICES = ["expired", "loggedOut", "changed", "reset", "revoked"] as const;

export const LoginFormProps = z.object({
  locale: z.enum(LOCALES),
  /** Where to go after signing in; already checked by the server to be a panel path. */
  next: z.string(),
  notice: z.optional(z.enum(NOTICES)),
});
type Props = z.infer<typeof LoginFormProps>;

interface LoginResponse {
  requires_2fa?: boolean;
  user?: { must_change_password?: boolean };
}

const NOTICE_KEYS = {
  expired: "login.noticeExpired",
  loggedOut: "login.noticeLoggedOut",
  changed: "login.noticeChanged",
  reset: "login.noticeReset",
  revoked: "login.noticeRevoked",
} as const;

/**
 * Sign-in in two steps in one place: username and password, then (only for accounts with 2FA) the
 * authenticator code. The API sets the HttpOnly session cookie; this only decides where to go next.
 */
export function LoginForm({ locale, next, notice }: Props) {
  const tr = translator(locale);
  const [step, setStep] = useState<"credentials" | "totp">("credentials");
  const form = useForm({ username: "", password: "", totp_code: "" });
  const { username, password, totp_code: code } = form.values;
  const { busy, error, setError, run } = useApi(locale);

  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, string> = { username: username.trim(), password };
    if (step === "totp") body.totp_code = code.replace(/\s+/g, "");
    const res = await run(() =>
      api<LoginResponse>("/api/auth/login", {
        body,
        headers: { "X-Taguato-Client": "panel" },
        redirectOn401: false,
      })
    );
    if (!res) return;
    if (res.requires_2fa && !res.user) {
      setStep("totp");
      form.set("totp_code", "");
      return;
    }
    // The forced password change comes first; `next` rides along so the user still lands where they meant to.
    const carry = next === "/panel/" ? "" : `?next=${encodeURIComponent(next)}`;
    location.assign(res.user?.must_change_password ? `/panel/change-password${carry}` : next);
  };

  const back = () => {
    setStep("credentials");
    form.set("totp_code", "");
    form.set("password", "");
    setError(null);
  };

  return (
    <IslandRoot as="form" class="auth-form" onSubmit={submit} data-login-step={step}>
      {notice && step === "credentials" && !error && <Alert tone="info">{tr(NOTICE_KEYS[notice])}</Alert>}
      {error && <Alert tone="error">{error}</Alert>}
      {step === "credentials"
        ? (
          <>
            <TextField
              label={tr("login.username")}
              autocomplete="username"
              {...AS_TYPED}
              required
              autoFocus
              {...form.field("username")}
            />
            <PasswordField
              label={tr("login.password")}
              autocomplete="current-password"
              {...form.field("password")}
            />
            <Button type="submit" variant="primary" busy={busy} class="btn-block">
              {busy ? tr("login.submitting") : tr("login.submit")}
            </Button>
            <p class="auth-links">
              <a href="/panel/recover">{tr("login.forgot")}</a>
            </p>
          </>
        )
        : (
          <>
            <p class="auth-lead">{tr("login.totpIntro")}</p>
            <TextField
              label={tr("login.totpCode")}
              {...ONE_TIME_CODE}
              autoFocus
              required
              maxLength={32}
              hint={tr("login.totpHint")}
              {...form.field("totp_code")}
            />
            <Button type="submit" variant="primary" busy={busy} class="btn-block">
              {busy ? tr("login.verifying") : tr("login.verify")}
            </Button>
            <p class="auth-links">
              <button type="button" class="link-button" onClick={back}>{tr("login.back")}</button>
            </p>
          </>
        )}
    </IslandRoot>
  );
}
