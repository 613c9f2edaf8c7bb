import { useEffect, useId, useRef, useState } from "preact/hooks";
import { type Locale, t } from "../lib/core/i18n.ts";

// The emoji picker is emoji-picker-element (a web component). It is imported on first open, so the
// custom element is only defined in browsers that use it; its data comes from the gateway
// (/panel/emoji/<locale>.json, served from emoji-picker-element-data): the CSP allows no CDN.

let loading: Promise<Record<string, unknown>> | null = null;

/** Loads the component (defines <emoji-picker>) and its labels in the panel's language. */
function loadPicker(locale: Locale): Promise<Record<string, unknown>> {
  loading ??= Promise.all([
    import("emoji-picker-element"),
    locale === "es" ? import("emoji-picker-element/i18n/es.js") : import("emoji-picker-element/i18n/en.js"),
  ]).then(([, i18n]) => i18n.default as unknown as Record<string, unknown>);
  return loading;
}

/** A button that opens the picker in a popover; a chosen emoji goes to `onPick`. */
export function EmojiButton({ locale, onPick }: { locale: Locale; onPick(emoji: string): void }) {
  const [open, setOpen] = useState(false);
  const [failed, setFailed] = useState(false);
  const holder = useRef<HTMLDivElement>(null);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const popId = `emoji-${useId()}`;

  useEffect(() => {
    if (!open) return;
    let picker: HTMLElement | null = null;
    let alive = true;
    loadPicker(locale).then((i18n) => {
      if (!alive || !holder.current) return;
      picker = document.createElement("emoji-picker");
      picker.setAttribute("locale", locale);
      picker.setAttribute("data-source", `/panel/emoji/${locale}.json`);
      (picker as unknown as { i18n: unknown }).i18n = i18n;
      picker.addEventListener("emoji-click", (e) => {
        const unicode = (e as CustomEvent<{ unicode?: string }>).detail.unicode;
        if (unicode) pick.current(unicode);
      });
      holder.current.append(picker);
    }, () => alive && setFailed(true));
    const outside = (e: MouseEvent) => {
      if (wrap.current && !e.composedPath().includes(wrap.current)) setOpen(false);
    };
    const escape = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener("mousedown", outside);
    document.addEventListener("keydown", escape, true);
    return () => {
      alive = false;
      picker?.remove();
      document.removeEventListener("mousedown", outside);
      document.removeEventListener("keydown", escape, true);
    };
  }, [open, locale]);

  return (
    <div class="emoji-wrap" ref={wrap}>
      <button
        ref={button}
        type="button"
        class="format-btn"
        aria-expanded={open ? "true" : "false"}
        aria-controls={open ? popId : undefined}
        aria-label={t(locale, "msg.emoji")}
        title={t(locale, "msg.emoji")}
        data-action="emoji"
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true">😊</span>
      </button>
      {open && (
        <div class="emoji-popover" id={popId} role="dialog" aria-label={t(locale, "msg.emoji")} ref={holder}>
          {failed && <p class="muted emoji-failed">{t(locale, "msg.emojiFailed")}</p>}
        </div>
      )}
    </div>
  );
}
