import type { Ref } from "preact";
import type { Locale, MessageKey } from "../lib/core/i18n.ts";
import { translator } from "./ui.tsx";
import { EmojiButton } from "./emoji_button.tsx";
import { formatBytes, MAX_MEDIA_BYTES, mediaTypeOf } from "./gateway_rules.ts";
import { type Marker, WaPreview } from "./wa_format.tsx";

/** The file chosen for a media send. */
export interface Picked {
  name: string;
  size: number;
  mime: string;
  /** Raw base64, what sendMedia takes. */
  base64: string;
  /** For the preview of images. */
  url: string | null;
}

/** The file as a data: URL (its base64 is what sendMedia takes). */
export function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

const FORMATS: { marker: Marker; key: MessageKey; glyph: string; cls: string }[] = [
  { marker: "*", key: "msg.bold", glyph: "B", cls: "fmt-bold" },
  { marker: "_", key: "msg.italic", glyph: "I", cls: "fmt-italic" },
  { marker: "~", key: "msg.strike", glyph: "S", cls: "fmt-strike" },
  { marker: "```", key: "msg.mono", glyph: "</>", cls: "fmt-mono" },
];

/** The text's toolbar: WhatsApp formatting buttons, the emoji picker and the template menu. */
export function FormatBar({ locale, templates, onFormat, onInsert }: {
  locale: Locale;
  templates: { id: number; name: string; content: string }[];
  onFormat(marker: Marker): void;
  onInsert(text: string): void;
}) {
  const tr = translator(locale);
  return (
    <div class="format-bar" role="toolbar" aria-label={tr("msg.toolbar")} aria-controls="message-text">
      {FORMATS.map((f) => (
        <button
          key={f.marker}
          type="button"
          class={`format-btn ${f.cls}`}
          aria-label={tr(f.key)}
          title={tr(f.key)}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onFormat(f.marker)}
          data-format={f.marker}
        >
          {f.glyph}
        </button>
      ))}
      <EmojiButton locale={locale} onPick={onInsert} />
      {templates.length > 0 && (
        <select
          class="input template-select"
          aria-label={tr("msg.template")}
          value=""
          onChange={(e) => {
            const tpl = templates.find((x) => String(x.id) === e.currentTarget.value);
            e.currentTarget.value = "";
            if (tpl) onInsert(tpl.content);
          }}
          data-template-select
        >
          <option value="">{tr("msg.template")}</option>
          {templates.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
        </select>
      )}
    </div>
  );
}

/** How the message will look in WhatsApp: the file (an image shown) and the formatted text. */
export function ComposerPreview({ locale, kind, file, text }: {
  locale: Locale;
  kind: "text" | "media";
  file: Picked | null;
  text: string;
}) {
  const tr = translator(locale);
  return (
    <aside class="card composer-preview" aria-labelledby="preview-title">
      <h2 class="card-title" id="preview-title">{tr("msg.preview")}</h2>
      <div class="wa-chat">
        {kind === "media" && file && (
          <div class="wa-media">
            {file.url
              ? <img src={file.url} alt={file.name} />
              : <span class="wa-file">📎 {file.name} · {formatBytes(file.size)}</span>}
          </div>
        )}
        <WaPreview
          text={text}
          placeholder={tr(kind === "text" ? "msg.previewEmpty" : "msg.previewCaption")}
        />
      </div>
      <p class="field-hint">{tr("msg.previewHint")}</p>
    </aside>
  );
}

/** The file input of a media send, with what was chosen (name, size, kind) or the size limit. */
export function MediaField({ locale, file, error, inputRef, onPick }: {
  locale: Locale;
  file: Picked | null;
  error?: string;
  inputRef: Ref<HTMLInputElement>;
  onPick(input: HTMLInputElement): void;
}) {
  const tr = translator(locale);
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for="media-file">{tr("msg.file")}</label>
      <input
        ref={inputRef}
        id="media-file"
        type="file"
        name="media"
        class="input"
        accept="image/*,video/*,audio/*,application/pdf,.doc,.docx,.xls,.xlsx,.txt,.csv,.zip"
        onChange={(e) => onPick(e.currentTarget)}
        aria-describedby="media-file-hint"
      />
      {error
        ? <p class="field-error" id="media-file-hint">{error}</p>
        : (
          <p class="field-hint" id="media-file-hint">
            {file
              ? tr("msg.fileChosen", {
                name: file.name,
                size: formatBytes(file.size),
                type: tr(`media.${mediaTypeOf(file.mime)}` as const),
              })
              : tr("msg.fileHint", { max: formatBytes(MAX_MEDIA_BYTES) })}
          </p>
        )}
    </div>
  );
}
