import { useState } from "preact/hooks";
import { Icon } from "../components/Icon.tsx";
import { type Locale, type MessageKey, t } from "../lib/core/i18n.ts";
import { type InputProps, TextField } from "./ui.tsx";

// The password policy of contract §2.5 as the browser sees it: the server checks it again, this only
// lets people see which rule is missing before they submit.
const RULES: { key: MessageKey; ok(pw: string): boolean }[] = [
  { key: "pw.min", ok: (pw) => new TextEncoder().encode(pw).length >= 8 },
  { key: "pw.upper", ok: (pw) => /[A-Z]/.test(pw) },
  { key: "pw.lower", ok: (pw) => /[a-z]/.test(pw) },
  { key: "pw.digit", ok: (pw) => /[0-9]/.test(pw) },
];

/** The first rule the password breaks, or null when the policy is met. */
export function passwordProblem(pw: string): MessageKey | null {
  return RULES.find((r) => !r.ok(pw))?.key ?? null;
}

/** A password input (required unless told otherwise). */
export function PasswordField(props: InputProps) {
  return <TextField type="password" required {...props} />;
}

/** A live checklist of the policy under a new-password field. */
export function PasswordRules({ value, locale, id }: { value: string; locale: Locale; id?: string }) {
  return (
    <ul class="pw-rules" id={id} aria-label={t(locale, "pw.rules")}>
      {RULES.map((r) => {
        const ok = r.ok(value);
        return (
          <li key={r.key} class={ok ? "pw-ok" : undefined}>
            <Icon name={ok ? "check" : "close"} />
            <span>{t(locale, r.key)}</span>
            <span class="sr-only">{t(locale, ok ? "pw.met" : "pw.unmet")}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** A new password and its confirmation as typed, and the message under the confirmation after a check. */
export function useNewPassword(locale: Locale) {
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  return {
    password,
    confirm,
    setPassword,
    setConfirm,
    invalid,
    setInvalid,
    /** Checks the policy and the match, shows what is wrong, and says whether the pair is acceptable. */
    valid(): boolean {
      const problem = validateNewPassword(locale, password, confirm);
      setInvalid(problem);
      return problem === null;
    },
  };
}

/** New password + confirmation, with the checklist under the first. */
export function NewPasswordFields(
  { locale, state, autoFocus }: {
    locale: Locale;
    state: ReturnType<typeof useNewPassword>;
    autoFocus?: boolean;
  },
) {
  return (
    <>
      <PasswordField
        label={t(locale, "pw.new")}
        name="new_password"
        autocomplete="new-password"
        autoFocus={autoFocus}
        value={state.password}
        onValue={state.setPassword}
      />
      <PasswordRules value={state.password} locale={locale} />
      <PasswordField
        label={t(locale, "pw.confirm")}
        name="confirm_password"
        autocomplete="new-password"
        value={state.confirm}
        onValue={state.setConfirm}
        error={state.invalid}
      />
    </>
  );
}

/** Checks a new password and its confirmation; returns the message to show, or null. */
function validateNewPassword(locale: Locale, password: string, confirm: string): string | null {
  const problem = passwordProblem(password);
  if (problem) return t(locale, problem);
  if (password !== confirm) return t(locale, "pw.mismatch");
  return null;
}
