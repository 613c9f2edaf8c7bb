import { useRef, useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { renderTemplate, templateVariables } from "../lib/messaging/render.ts";
import { Alert, Button, Dialog, TextField, translator } from "./ui.tsx";

// The Templates page's editor: name, content with variable hints that insert at the cursor, and a live
// preview rendered by the same renderer the send paths use, for a sample contact typed beside it.

export interface Draft {
  name: string;
  content: string;
}

const BUILT_IN = ["name", "number"];

/** The variables a text can use (built-in ones, then the contacts' own fields) as chips that insert them. */
export function VariableHints({ label, fieldHints, onInsert }: {
  label: string;
  fieldHints: string[];
  onInsert(name: string): void;
}) {
  return (
    <div class="badge-row" data-variable-hints aria-label={label}>
      {[...BUILT_IN, ...fieldHints.filter((f) => !BUILT_IN.includes(f))].map((v) => (
        <button
          key={v}
          type="button"
          class="badge badge-brand"
          data-insert={v}
          onClick={() => onInsert(v)}
        >
          {`{{${v}}}`}
        </button>
      ))}
    </div>
  );
}

/** The sample contact's inputs: name, number and one per custom variable the content uses. */
function SampleFields({ locale, names, sample, onSample }: {
  locale: Locale;
  names: string[];
  sample: Record<string, string>;
  onSample(key: string, value: string): void;
}) {
  const tr = translator(locale);
  return (
    <fieldset class="fieldset" data-sample>
      <legend>{tr("tpl.sample")}</legend>
      {names.map((key) => (
        <TextField
          key={key}
          label={key === "name" ? tr("tpl.sampleName") : key === "number" ? tr("tpl.sampleNumber") : key}
          name={`sample-${key}`}
          value={sample[key] ?? ""}
          onValue={(v) => onSample(key, v)}
        />
      ))}
    </fieldset>
  );
}

/** The create/edit dialog; `onSave` gets the draft and resolves with an error message or null. */
export function TemplateEditor({ locale, initial, fieldHints, busy, error, onSave, onClose }: {
  locale: Locale;
  initial: Draft & { id?: number };
  fieldHints: string[];
  busy: boolean;
  error: string | null;
  onSave(draft: Draft): void;
  onClose(): void;
}) {
  const tr = translator(locale);
  const [name, setName] = useState(initial.name);
  const [content, setContent] = useState(initial.content);
  const [sample, setSample] = useState<Record<string, string>>({ name: "Ana", number: "595981000111" });
  const area = useRef<HTMLTextAreaElement>(null);
  const used = templateVariables(content);
  const names = [...new Set([...BUILT_IN, ...used])];
  const preview = renderTemplate(content, sample);

  const insert = (variable: string) => {
    const el = area.current;
    const token = `{{${variable}}}`;
    const at = el?.selectionStart ?? content.length;
    const end = el?.selectionEnd ?? at;
    setContent(content.slice(0, at) + token + content.slice(end));
    queueMicrotask(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };

  return (
    <Dialog title={tr(initial.id ? "tpl.edit" : "tpl.new")} onClose={onClose} locale={locale} wide>
      <form
        class="stack"
        data-form="template"
        onSubmit={(e) => {
          e.preventDefault();
          onSave({ name: name.trim(), content });
        }}
      >
        <TextField
          label={tr("tpl.name")}
          name="name"
          value={name}
          onValue={setName}
          maxLength={100}
          required
        />
        <div class="field">
          <label for="tpl-content">{tr("tpl.content")}</label>
          <VariableHints label={tr("tpl.hints")} fieldHints={fieldHints} onInsert={insert} />
          <textarea
            ref={area}
            id="tpl-content"
            name="content"
            class="input textarea"
            rows={6}
            value={content}
            onInput={(e) => setContent(e.currentTarget.value)}
          />
          <p class="field-hint">{tr("tpl.fallbackHint")}</p>
        </div>
        <div class="form-grid">
          <SampleFields
            locale={locale}
            names={names}
            sample={sample}
            onSample={(k, v) => setSample((s) => ({ ...s, [k]: v }))}
          />
          <div class="field">
            <span class="field-label">{tr("tpl.preview")}</span>
            <div class="code-block preview-text" data-preview>{preview.text}</div>
            {preview.unknown.length > 0 && (
              <Alert tone="warn">{tr("tpl.unknown", { names: preview.unknown.join(", ") })}</Alert>
            )}
          </div>
        </div>
        {error && <Alert tone="error">{error}</Alert>}
        <div class="form-actions">
          <Button variant="ghost" onClick={onClose}>{tr("ui.cancel")}</Button>
          <Button type="submit" variant="primary" busy={busy} data-action="save-template">
            {tr("tpl.save")}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
