import { type ComponentChildren, h, type JSX } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { Icon, type IconName } from "../components/Icon.tsx";
import { type Locale, type MessageKey, t } from "../lib/core/i18n.ts";

// Building blocks shared by the islands: one look for every form, table, dialog and message.

/** `t` bound to the island's locale: `tr("key", params)`. */
export const translator = (locale: Locale) => (key: MessageKey, params?: Record<string, string | number>) =>
  t(locale, key, params);

/** An inline message. Errors are announced at once (role=alert), the rest politely (role=status). */
export function Alert(
  { tone, children, id }: {
    tone: "error" | "success" | "info" | "warn";
    children: ComponentChildren;
    id?: string;
  },
) {
  const icon: IconName = tone === "success" ? "check" : tone === "info" ? "info" : "alert";
  return (
    <div id={id} class={`alert alert-${tone}`} role={tone === "error" ? "alert" : "status"}>
      <Icon name={icon} />
      <div>{children}</div>
    </div>
  );
}

export type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "value" | "onInput" | "label"> & {
  label: string;
  value: string;
  onValue(value: string): void;
  hint?: string;
  error?: string | null;
};

/** A labelled input with an optional hint and a field-level error wired to aria-describedby. */
export function TextField({ label, value, onValue, hint, error, id, ...rest }: InputProps) {
  const auto = useId();
  const inputId = (id as string | undefined) ?? `f-${auto}`;
  // An error replaces the hint rather than repeating it underneath.
  const hintId = hint && !error ? `${inputId}-hint` : undefined;
  const errorId = error ? `${inputId}-error` : undefined;
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={inputId}>{label}</label>
      <input
        {...rest}
        id={inputId}
        class="input"
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
      />
      {hintId && <p class="field-hint" id={hintId}>{hint}</p>}
      {error && <p class="field-error" id={errorId}>{error}</p>}
    </div>
  );
}

/** A labelled select from `[value, label]` pairs. */
export function SelectField(
  { label, value, onValue, options, hint, name }: {
    label: string;
    value: string;
    onValue(value: string): void;
    options: readonly (readonly [string, string])[];
    hint?: string;
    name?: string;
  },
) {
  const id = `f-${useId()}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        name={name}
        class="input"
        value={value}
        onChange={(e) => onValue(e.currentTarget.value)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      >
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
      {hint && <p class="field-hint" id={`${id}-hint`}>{hint}</p>}
    </div>
  );
}

/** A checkbox with its label on the right. */
export function CheckField(
  { label, checked, onChange, hint, name }: {
    label: string;
    checked: boolean;
    onChange(checked: boolean): void;
    hint?: string;
    name?: string;
  },
) {
  const id = `f-${useId()}`;
  return (
    <div class="check-field">
      <input
        type="checkbox"
        id={id}
        name={name}
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <label for={id}>
        {label}
        {hint && <span class="field-hint">{hint}</span>}
      </label>
    </div>
  );
}

type ButtonProps = Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, "icon"> & {
  variant?: "primary" | "secondary" | "ghost" | "danger";
  busy?: boolean;
  icon?: IconName;
  small?: boolean;
};

/** A button that shows a spinner and refuses clicks while its action runs. */
export function Button(
  { variant = "secondary", busy, icon, small, children, disabled, type, class: extra, ...rest }: ButtonProps,
) {
  return (
    <button
      {...rest}
      type={type ?? "button"}
      class={`btn btn-${variant}${small ? " btn-small" : ""}${extra ? ` ${extra}` : ""}`}
      disabled={Boolean(disabled) || busy}
      aria-busy={busy ? "true" : undefined}
    >
      {busy ? <span class="spinner" aria-hidden="true" /> : icon && <Icon name={icon} />}
      <span>{children}</span>
    </button>
  );
}

/** A borderless button that shows only an icon; `label` is what screen readers announce. */
export function IconButton(
  { icon, label, danger, ...rest }: Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, "icon"> & {
    icon: IconName;
    label: string;
    danger?: boolean;
  },
) {
  return (
    <button
      {...rest}
      type="button"
      class={`icon-button icon-button-plain${danger ? " icon-button-danger" : ""}`}
      aria-label={label}
    >
      <Icon name={icon} />
    </button>
  );
}

/**
 * A modal on the native <dialog>: focus is trapped and restored, Escape closes it, and the page behind
 * is inert. Rendered only while open, so its form state starts fresh each time.
 */
export function Dialog(
  { title, onClose, children, locale, wide }: {
    title: string;
    onClose(): void;
    children: ComponentChildren;
    locale: Locale;
    wide?: boolean;
  },
) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = `d-${useId()}`;
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.open && dialog.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={`dialog${wide ? " dialog-wide" : ""}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <header class="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <IconButton icon="close" label={t(locale, "ui.close")} onClick={onClose} />
      </header>
      <div class="dialog-body">{children}</div>
    </dialog>
  );
}

/**
 * "Are you sure?" with the consequence spelled out; the confirm button runs `onConfirm`. `action` is
 * the confirmed request's state (a `useApi` result): its spinner and its error.
 */
export function ConfirmDialog(
  { title, message, confirmLabel, onConfirm, onClose, locale, action, danger = true }: {
    title: string;
    message: ComponentChildren;
    confirmLabel: string;
    onConfirm(): void;
    onClose(): void;
    locale: Locale;
    action: { busy: boolean; error: string | null; setError(error: null): void };
    danger?: boolean;
  },
) {
  const { busy, error } = action;
  // A refused confirmation's error belongs to this dialog: it goes when the dialog does.
  const close = () => {
    action.setError(null);
    onClose();
  };
  return (
    <Dialog title={title} onClose={close} locale={locale}>
      <div class="dialog-message">{message}</div>
      {error && <Alert tone="error">{error}</Alert>}
      <div class="form-actions">
        <Button variant="ghost" onClick={close}>{t(locale, "ui.cancel")}</Button>
        <Button variant={danger ? "danger" : "primary"} busy={busy} onClick={onConfirm} data-confirm>
          {confirmLabel}
        </Button>
      </div>
    </Dialog>
  );
}

/** The foot of a dialog that shows live data: reload it, or close. */
export function RefreshCloseActions(
  { locale, busy, onRefresh, onClose }: { locale: Locale; busy: boolean; onRefresh(): void; onClose(): void },
) {
  return (
    <div class="form-actions">
      <Button variant="ghost" icon="refresh" busy={busy} onClick={onRefresh}>
        {t(locale, "ui.refresh")}
      </Button>
      <Button onClick={onClose}>{t(locale, "ui.close")}</Button>
    </div>
  );
}

/** What a table shows when it has no rows. */
export function EmptyState({ icon, title, text }: { icon: IconName; title: string; text?: string }) {
  return (
    <div class="empty-state">
      <span class="empty-icon">
        <Icon name={icon} />
      </span>
      <p class="empty-title">{title}</p>
      {text && <p class="muted">{text}</p>}
    </div>
  );
}

/** Marks the island's root once hooks run, so browser tests can wait for interactivity. */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

/**
 * An island's outer element (a div unless `as` says otherwise), named by `root` (`data-island-root`)
 * and marked `data-hydrated` once it is interactive, so browser tests can wait for it.
 */
export function IslandRoot(
  { as = "div", root, children, ...rest }: JSX.HTMLAttributes<HTMLElement> & {
    as?: "div" | "section" | "form";
    root?: string;
  },
) {
  const hydrated = useHydrated();
  return h(
    as,
    { ...rest, "data-island-root": root, "data-hydrated": hydrated ? "true" : undefined },
    children,
  );
}
