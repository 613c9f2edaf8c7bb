import { useState } from "preact/hooks";
import { type Locale, t } from "../lib/core/i18n.ts";
import { Button } from "./ui.tsx";

/** Copies `text` to the clipboard and says so for two seconds. */
export function CopyButton({ text, locale, label }: { text: string; locale: Locale; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API refused (insecure context, permissions): fall back to a selection copy.
      const area = document.createElement("textarea");
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };
  return (
    <Button small variant="secondary" icon={copied ? "check" : "copy"} onClick={copy}>
      {copied ? t(locale, "ui.copied") : label ?? t(locale, "ui.copy")}
    </Button>
  );
}
