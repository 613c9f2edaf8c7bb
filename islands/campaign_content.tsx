import { useRef } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { SegToggle } from "./seg_toggle.tsx";
import { VariableHints } from "./template_editor.tsx";
import { Button, IconButton, SelectField, TextField, translator } from "./ui.tsx";

// The create form's content: one of the user's templates, or 1 to 5 text variants (each recipient gets one
// at random) with the Templates page's variable hints, inserted at the cursor of the variant last edited;
// and an optional media URL (the text is its caption).

export const MAX_VARIANTS = 5;
const MEDIA_TYPES = ["image", "document", "video", "audio"] as const;

export interface Content {
  mode: "variants" | "template";
  variants: string[];
  templateId: string;
  mediaUrl: string;
  mediaType: string;
}

export const EMPTY_CONTENT: Content = {
  mode: "variants",
  variants: [""],
  templateId: "",
  mediaUrl: "",
  mediaType: "image",
};

export function ContentFields({ locale, templates, fieldHints, value, onValue }: {
  locale: Locale;
  templates: { id: number; name: string }[];
  fieldHints: string[];
  value: Content;
  onValue(next: Content): void;
}) {
  const tr = translator(locale);
  const set = (patch: Partial<Content>) => onValue({ ...value, ...patch });
  const areas = useRef<(HTMLTextAreaElement | null)[]>([]);
  const focused = useRef(0);
  const setVariant = (i: number, text: string) =>
    set({ variants: value.variants.map((v, j) => j === i ? text : v) });
  const insert = (variable: string) => {
    const i = Math.min(focused.current, value.variants.length - 1);
    const el = areas.current[i];
    const text = value.variants[i];
    const token = `{{${variable}}}`;
    const at = el?.selectionStart ?? text.length;
    setVariant(i, text.slice(0, at) + token + text.slice(el?.selectionEnd ?? at));
    queueMicrotask(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };
  return (
    <fieldset class="fieldset stack" data-content>
      <legend>{tr("campaigns.content")}</legend>
      <SegToggle
        role="radio"
        label={tr("campaigns.content")}
        attr="content-mode"
        options={[["variants", tr("campaigns.useVariants")], ["template", tr("campaigns.useTemplate")]]}
        value={value.mode}
        onValue={(mode) => set({ mode })}
      />
      {value.mode === "template"
        ? (
          <SelectField
            label={tr("campaigns.template")}
            name="template_id"
            value={value.templateId}
            onValue={(templateId) => set({ templateId })}
            options={[
              ["", tr("campaigns.pickTemplate")],
              ...templates.map((t) => [String(t.id), t.name] as const),
            ]}
          />
        )
        : (
          <>
            <VariableHints label={tr("tpl.hints")} fieldHints={fieldHints} onInsert={insert} />
            {value.variants.map((text, i) => (
              <div class="field" key={i}>
                <div class="variant-head">
                  <label for={`camp-variant-${i}`}>{tr("campaigns.variantN", { n: i + 1 })}</label>
                  {value.variants.length > 1 && (
                    <IconButton
                      icon="trash"
                      danger
                      label={tr("campaigns.removeVariant", { n: i + 1 })}
                      onClick={() => set({ variants: value.variants.filter((_, j) => j !== i) })}
                    />
                  )}
                </div>
                <textarea
                  id={`camp-variant-${i}`}
                  name={`variant-${i + 1}`}
                  ref={(el) => {
                    areas.current[i] = el;
                  }}
                  class="input textarea"
                  rows={3}
                  value={text}
                  onFocus={() => focused.current = i}
                  onInput={(e) => setVariant(i, e.currentTarget.value)}
                />
              </div>
            ))}
            <p class="field-hint">{tr("tpl.fallbackHint")}</p>
            {value.variants.length < MAX_VARIANTS && (
              <Button
                small
                icon="plus"
                onClick={() => set({ variants: [...value.variants, ""] })}
                data-action="add-variant"
              >
                {tr("campaigns.addVariant")}
              </Button>
            )}
          </>
        )}
      <div class="form-grid">
        <TextField
          label={tr("campaigns.mediaUrl")}
          name="media_url"
          type="url"
          value={value.mediaUrl}
          onValue={(mediaUrl) => set({ mediaUrl })}
          hint={tr("campaigns.mediaHint")}
        />
        <SelectField
          label={tr("campaigns.mediaType")}
          name="media_type"
          value={value.mediaType}
          onValue={(mediaType) => set({ mediaType })}
          options={MEDIA_TYPES.map((m) => [m, tr(`campaigns.media.${m}`)] as const)}
        />
      </div>
    </fieldset>
  );
}

/** The content's part of the create body. */
export function contentBody(c: Content) {
  return {
    ...(c.mode === "template"
      ? { template_id: c.templateId ? Number(c.templateId) : null }
      : { variants: c.variants.filter((v) => v.trim() !== "") }),
    ...(c.mediaUrl.trim() ? { media_url: c.mediaUrl.trim(), media_type: c.mediaType } : {}),
  };
}
