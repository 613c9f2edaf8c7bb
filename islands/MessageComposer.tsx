import { useEffect, useRef, useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES } from "../lib/core/i18n.ts";
import {
  base64Payload,
  formatBytes,
  MAX_MEDIA_BYTES,
  MAX_TEXT,
  mediaTypeOf,
  recipientProblem,
  textLength,
} from "./gateway_rules.ts";
import { gatewayError } from "./gateway_errors.ts";
import { StateBadge } from "./state_badge.tsx";
import { Alert, Button, IslandRoot, SelectField, TextField, translator } from "./ui.tsx";
import { SegToggle } from "./seg_toggle.tsx";
import { api } from "./use_api.ts";
import { useFormattedText, useLiveInstances } from "./composer_state.ts";
import { ComposerPreview, FormatBar, MediaField, type Picked, readAsDataUrl } from "./composer_parts.tsx";
import {
  type DraftProblems,
  draftProblems,
  draftRequest,
  type Drafts,
  EMPTY_DRAFTS,
  isStructured,
  KindFields,
  KindPreview,
  type StructuredKind,
} from "./composer_kinds.tsx";

export const MessageComposerProps = z.object({
  locale: z.enum(LOCALES),
  instances: z.array(z.object({ name: z.string(), state: z.enum(["open", "connecting", "close"]) })),
  templates: z.array(z.object({ id: z.number(), name: z.string(), content: z.string() })),
  /** Preselected instance (?instance= in the page URL). */
  selected: z.string(),
});
type Props = z.infer<typeof MessageComposerProps>;

/** Fired on window after a send, so the history island on the same page reloads. */
export const SENT_EVENT = "taguato:message-sent";

type Kind = "text" | "media" | StructuredKind;

/**
 * Send one message: instance (open ones only), number, then text with formatting and emoji, a file, a
 * poll, a location or a contact card.
 */
export function MessageComposer({ locale, instances: initial, templates, selected }: Props) {
  const tr = translator(locale);
  const instances = useLiveInstances(initial);
  const firstOpen = initial.find((i) => i.name === selected && i.state === "open")?.name ??
    initial.find((i) => i.state === "open")?.name ?? "";
  const [instance, setInstance] = useState(firstOpen);
  const [number, setNumber] = useState("");
  const [kind, setKind] = useState<Kind>("text");
  const [drafts, setDrafts] = useState<Drafts>(EMPTY_DRAFTS);
  const [problems, setProblems] = useState<DraftProblems>({});
  const [file, setFile] = useState<Picked | null>(null);
  const [errors, setErrors] = useState<Partial<Record<"instance" | "number" | "text" | "file", string>>>({});
  const [result, setResult] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const { text, setText, area, format, insert } = useFormattedText(() =>
    setErrors((x) => ({ ...x, text: undefined }))
  );
  const fileInput = useRef<HTMLInputElement>(null);
  useEffect(() => () => {
    if (file?.url) URL.revokeObjectURL(file.url);
  }, [file]);

  const open = instances.filter((i) => i.state === "open");
  const chosen = instances.find((i) => i.name === instance);

  const pickFile = async (input: HTMLInputElement) => {
    const f = input.files?.[0];
    setErrors((e) => ({ ...e, file: undefined }));
    if (!f) return setFile(null);
    if (f.size > MAX_MEDIA_BYTES) {
      input.value = "";
      setFile(null);
      return setErrors((e) => ({ ...e, file: tr("msg.fileTooBig", { max: formatBytes(MAX_MEDIA_BYTES) }) }));
    }
    const base64 = base64Payload(await readAsDataUrl(f));
    if (base64 === null) return setErrors((e) => ({ ...e, file: tr("msg.fileUnreadable") }));
    setFile({
      name: f.name,
      size: f.size,
      mime: f.type || "application/octet-stream",
      base64,
      url: f.type.startsWith("image/") ? URL.createObjectURL(f) : null,
    });
  };

  const validate = () => {
    const found: typeof errors = {};
    if (!chosen) found.instance = tr("msg.instanceRequired");
    else if (chosen.state !== "open") found.instance = tr("msg.instanceNotOpen", { name: chosen.name });
    const numberProblem = recipientProblem(number);
    if (numberProblem) found.number = tr(numberProblem);
    if (kind === "text" && text.trim() === "") found.text = tr("msg.textRequired");
    if (!isStructured(kind) && textLength(text) > MAX_TEXT) {
      found.text = tr("msg.textTooLong", { max: MAX_TEXT });
    }
    if (kind === "media" && !file) found.file = tr("msg.fileRequired");
    const structured = isStructured(kind) ? draftProblems(kind, drafts[kind]) : {};
    setErrors(found);
    setProblems(structured);
    return Object.keys(found).length === 0 && Object.keys(structured).length === 0;
  };

  const send = async (e: Event) => {
    e.preventDefault();
    setResult(null);
    if (!validate()) return;
    setBusy(true);
    const to = encodeURIComponent(instance);
    try {
      if (isStructured(kind)) {
        const { action, body } = draftRequest(kind, drafts[kind], number.trim());
        await api(`/message/${action}/${to}`, { body });
      } else if (kind === "text") {
        await api(`/message/sendText/${to}`, { body: { number: number.trim(), text } });
      } else if (file) {
        await api(`/message/sendMedia/${to}`, {
          body: {
            number: number.trim(),
            mediatype: mediaTypeOf(file.mime),
            mimetype: file.mime,
            media: file.base64,
            fileName: file.name,
            ...(text.trim() ? { caption: text } : {}),
          },
        });
      }
      setResult({ tone: "success", text: tr("msg.sent", { number: number.trim() }) });
      setText("");
      setFile(null);
      if (isStructured(kind)) setDrafts((d) => ({ ...d, [kind]: EMPTY_DRAFTS[kind] }));
      if (fileInput.current) fileInput.current.value = "";
      globalThis.dispatchEvent(new CustomEvent(SENT_EVENT));
    } catch (err) {
      setResult({ tone: "error", text: tr("msg.sendFailed", { reason: gatewayError(locale, err) }) });
      globalThis.dispatchEvent(new CustomEvent(SENT_EVENT));
    } finally {
      setBusy(false);
    }
  };

  const count = textLength(text);
  return (
    <IslandRoot class="composer" root="composer">
      <form class="card stack composer-form" onSubmit={send} noValidate data-form="send-message">
        <h2 class="card-title">{tr("msg.composeTitle")}</h2>
        {open.length === 0 && (
          <Alert tone="warn">
            {tr(instances.length ? "msg.noneOpen" : "msg.noInstances")}{" "}
            <a href="/panel/instances">{tr("msg.goInstances")}</a>
          </Alert>
        )}
        <div class="form-grid">
          <div class={`field-stack${errors.instance ? " field-invalid" : ""}`} data-field="instance">
            <SelectField
              label={tr("msg.instance")}
              name="instance"
              value={instance}
              onValue={(v) => {
                setInstance(v);
                setErrors((e) => ({ ...e, instance: undefined }));
              }}
              options={[
                ["", tr("msg.chooseInstance")],
                ...instances.map((i) =>
                  [
                    i.name,
                    i.state === "open" ? i.name : `${i.name} — ${tr(`state.${i.state}` as const)}`,
                  ] as const
                ),
              ]}
              hint={chosen && chosen.state !== "open"
                ? tr("msg.instanceNotOpen", { name: chosen.name })
                : tr("msg.instanceHint")}
            />
            {chosen && (
              <span class="field-inline-state">
                <StateBadge locale={locale} state={chosen.state} />
              </span>
            )}
            {errors.instance && <p class="field-error">{errors.instance}</p>}
          </div>
          <TextField
            label={tr("msg.number")}
            name="number"
            inputMode="tel"
            autocomplete="off"
            placeholder="595981000000"
            hint={tr("msg.numberHint")}
            error={errors.number}
            value={number}
            onValue={(v) => {
              setNumber(v);
              if (errors.number) setErrors((e) => ({ ...e, number: undefined }));
            }}
          />
        </div>

        <SegToggle
          role="radio"
          label={tr("msg.kind")}
          attr="kind"
          options={[
            ["text", tr("msg.kindText")],
            ["media", tr("msg.kindMedia")],
            ["poll", tr("msg.kindPoll")],
            ["location", tr("msg.kindLocation")],
            ["contact", tr("msg.kindContact")],
          ]}
          value={kind}
          onValue={(k) => {
            setKind(k);
            setProblems({});
          }}
        />

        {isStructured(kind) && (
          <KindFields
            locale={locale}
            kind={kind}
            draft={drafts[kind]}
            problems={problems}
            onDraft={(draft) => {
              setDrafts((d) => ({ ...d, [kind]: draft }));
              setProblems({});
            }}
          />
        )}

        {kind === "media" && (
          <MediaField
            locale={locale}
            file={file}
            error={errors.file}
            inputRef={fileInput}
            onPick={pickFile}
          />
        )}

        {!isStructured(kind) && (
          <div class={`field${errors.text ? " field-invalid" : ""}`}>
            <label for="message-text">{tr(kind === "text" ? "msg.text" : "msg.caption")}</label>
            <FormatBar locale={locale} templates={templates} onFormat={format} onInsert={insert} />
            <textarea
              ref={area}
              id="message-text"
              name="text"
              class="input textarea"
              rows={6}
              value={text}
              placeholder={tr("msg.textPlaceholder")}
              onInput={(e) => {
                setText(e.currentTarget.value);
                if (errors.text) setErrors((x) => ({ ...x, text: undefined }));
              }}
              aria-invalid={errors.text ? "true" : undefined}
              aria-describedby="message-text-count"
            />
            <p class={`field-hint counter${count > MAX_TEXT ? " counter-over" : ""}`} id="message-text-count">
              {errors.text
                ? <span class="field-error">{errors.text}</span>
                : <span>{tr("msg.formatHint")}</span>}
              <span>{count} / {MAX_TEXT}</span>
            </p>
          </div>
        )}

        {result && <Alert tone={result.tone}>{result.text}</Alert>}
        <div class="form-actions form-actions-start">
          <Button type="submit" variant="primary" icon="chat" busy={busy} data-action="send">
            {tr("msg.send")}
          </Button>
        </div>
      </form>

      {isStructured(kind)
        ? <KindPreview locale={locale} kind={kind} draft={drafts[kind]} />
        : <ComposerPreview locale={locale} kind={kind} file={file} text={text} />}
    </IslandRoot>
  );
}
