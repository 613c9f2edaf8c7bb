import { Icon } from "../components/Icon.tsx";
import { type Locale, type MessageKey, t } from "../lib/core/i18n.ts";
import { TextField } from "./ui.tsx";

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

/**
 * New password + confirmation, with the checklist. Returns null from `validateNewPassword` when both
 * are acceptable, else the message to show.
 */
export function NewPasswordFields(
  { locale, password, confirm, onPassword, onConfirm, confirmError, autoFocus }: {
    locale: Locale;
    password: string;
    confirm: string;
    onPassword(v: string): void;
    onConfirm(v: string): void;
    confirmError?: string | null;
    autoFocus?: boolean;
  },
) {
  return (
    <>
      <TextField
        label={t(locale, "pw.new")}
        type="password"
        name="new_password"
        autocomplete="new-password"
        required
        autoFocus={autoFocus}
        value={password}
        onValue={onPassword}
      />
      <PasswordRules value={password} locale={locale} />
      <TextField
        label={t(locale, "pw.confirm")}
        type="password"
        name="confirm_password"
        autocomplete="new-password"
        required
        value={confirm}
        onValue={onConfirm}
        error={confirmError}
      />
    </>
  );
}

/** Checks a new password and its confirmation; returns the message to show, or null. */
export function validateNewPassword(locale: Locale, password: string, confirm: string): string | null {
  const problem = passwordProblem(password);
  if (problem) return t(locale, problem);
  if (password !== confirm) return t(locale, "pw.mismatch");
  return null;
}
