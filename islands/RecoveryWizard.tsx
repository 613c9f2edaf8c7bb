import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES, type MessageKey } from "../lib/core/i18n.ts";
import { NewPasswordFields, useNewPassword } from "./password.tsx";
import { Alert, Button, IslandRoot, TextField, translator } from "./ui.tsx";
import { AS_TYPED, ONE_TIME_CODE } from "./input_kinds.ts";
import { api, useApi } from "./use_api.ts";

export const RecoveryWizardProps = z.object({ locale: z.enum(LOCALES) });
type Props = z.infer<typeof RecoveryWizardProps>;

type Step = 1 | 2 | 3;
const STEPS: [Step, MessageKey][] = [[1, "recover.step1"], [2, "recover.step2"], [3, "recover.step3"]];

/**
 * Password recovery in three steps: who you are → the 6-digit code sent by e-mail or WhatsApp → a new
 * password. The first answer is the same whether or not the account exists.
 */
export function RecoveryWizard({ locale }: Props) {
  const tr = translator(locale);
  const [step, setStep] = useState<Step>(1);
  const [identifier, setIdentifier] = useState("");
  const [code, setCode] = useState("");
  const [token, setToken] = useState("");
  const pw = useNewPassword(locale);
  const [resent, setResent] = useState(false);
  const { busy, error, setError, run } = useApi(locale);
  const opts = { redirectOn401: false };

  const requestCode = () =>
    run(() => api("/api/auth/forgot-password", { body: { username: identifier.trim() }, ...opts }));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (step === 1) {
      if (await requestCode()) setStep(2);
    } else if (step === 2) {
      const res = await run(() =>
        api<{ reset_token: string }>("/api/auth/verify-reset-code", {
          body: { username: identifier.trim(), code: code.trim() },
          ...opts,
        })
      );
      if (res?.reset_token) {
        setToken(res.reset_token);
        setStep(3);
      }
    } else {
      if (!pw.valid()) return;
      const ok = await run(() =>
        api("/api/auth/reset-password", { body: { reset_token: token, new_password: pw.password }, ...opts })
      );
      if (ok) location.assign("/panel/login?notice=reset");
    }
  };

  const resend = async () => {
    setResent(false);
    if (await requestCode()) setResent(true);
  };

  const restart = () => {
    setStep(1);
    setCode("");
    setError(null);
    setResent(false);
  };

  return (
    <IslandRoot as="form" class="auth-form" onSubmit={submit} data-recover-step={step}>
      <ol class="steps" aria-label={tr("recover.progress")}>
        {STEPS.map(([n, key]) => (
          <li
            key={n}
            class={n < step ? "step-done" : n === step ? "step-current" : undefined}
            aria-current={n === step ? "step" : undefined}
          >
            <span class="step-number" aria-hidden="true">{n}</span>
            <span>{tr(key)}</span>
          </li>
        ))}
      </ol>
      {error && <Alert tone="error">{error}</Alert>}
      {step === 1 && (
        <>
          <p class="auth-lead">{tr("recover.intro")}</p>
          <TextField
            label={tr("recover.identifier")}
            name="identifier"
            autocomplete="username"
            {...AS_TYPED}
            required
            autoFocus
            value={identifier}
            onValue={setIdentifier}
          />
          <Button type="submit" variant="primary" busy={busy} class="btn-block">{tr("recover.send")}</Button>
        </>
      )}
      {step === 2 && (
        <>
          <Alert tone="info">{tr("recover.sent")}</Alert>
          {resent && <Alert tone="success">{tr("recover.resent")}</Alert>}
          <TextField
            label={tr("recover.code")}
            name="code"
            {...ONE_TIME_CODE}
            pattern="[0-9]{6}"
            maxLength={6}
            required
            autoFocus
            hint={tr("recover.codeHint")}
            value={code}
            onValue={(v) => setCode(v.replace(/\D/g, ""))}
          />
          <Button type="submit" variant="primary" busy={busy} class="btn-block">
            {tr("recover.verify")}
          </Button>
          <p class="auth-links">
            <button type="button" class="link-button" onClick={resend} disabled={busy}>
              {tr("recover.resend")}
            </button>
            <span aria-hidden="true">·</span>
            <button type="button" class="link-button" onClick={restart}>{tr("recover.other")}</button>
          </p>
        </>
      )}
      {step === 3 && (
        <>
          <p class="auth-lead">{tr("recover.newIntro")}</p>
          <input type="text" name="username" autocomplete="username" value={identifier} hidden readOnly />
          <NewPasswordFields locale={locale} state={pw} autoFocus />
          <Button type="submit" variant="primary" busy={busy} class="btn-block">{tr("recover.save")}</Button>
        </>
      )}
      <p class="auth-links">
        <a href="/panel/login">{tr("recover.backToLogin")}</a>
      </p>
    </IslandRoot>
  );
}
