// The Messages page's structured sends: a poll, a location and a contact card. Each has a draft, the
// checks the gateway would make (so the user sees them beside the field), the request it becomes and a
// preview bubble.
import type { Locale, MessageKey } from "../lib/core/i18n.ts";
import { recipientProblem } from "./gateway_rules.ts";
import { Button, CheckField, TextField, translator } from "./ui.tsx";

export type StructuredKind = "poll" | "location" | "contact";
export const STRUCTURED_KINDS: readonly StructuredKind[] = ["poll", "location", "contact"];
export const isStructured = (kind: string): kind is StructuredKind =>
  (STRUCTURED_KINDS as readonly string[]).includes(kind);

export interface Drafts {
  poll: { question: string; options: string[]; multiple: boolean };
  location: { latitude: string; longitude: string; name: string; address: string };
  contact: { fullName: string; phoneNumber: string; organization: string; email: string };
}

export const EMPTY_DRAFTS: Drafts = {
  poll: { question: "", options: ["", ""], multiple: false },
  location: { latitude: "", longitude: "", name: "", address: "" },
  contact: { fullName: "", phoneNumber: "", organization: "", email: "" },
};

/** WhatsApp's limits on a poll (the gateway checks the same). */
export const MAX_POLL_OPTIONS = 10;

/** Field → problem, keyed like the inputs' `name` (`option-0`, `latitude`, …). */
export type DraftProblems = Partial<Record<string, MessageKey>>;

function coordinate(value: string, max: number): number | null {
  const n = Number(value.trim().replace(",", "."));
  return value.trim() !== "" && Number.isFinite(n) && Math.abs(n) <= max ? n : null;
}

/** What is wrong with a draft, before anything is sent. */
export function draftProblems<K extends StructuredKind>(kind: K, draft: Drafts[K]): DraftProblems {
  const found: DraftProblems = {};
  if (kind === "poll") {
    const d = draft as Drafts["poll"];
    if (d.question.trim() === "") found.question = "msg.pollQuestionRequired";
    const filled = d.options.map((o) => o.trim());
    filled.forEach((o, i) => {
      if (o === "") found[`option-${i}`] = "msg.pollOptionRequired";
      else if (filled.indexOf(o) !== i) found[`option-${i}`] = "msg.pollOptionRepeated";
    });
  } else if (kind === "location") {
    const d = draft as Drafts["location"];
    if (coordinate(d.latitude, 90) === null) found.latitude = "msg.latitudeInvalid";
    if (coordinate(d.longitude, 180) === null) found.longitude = "msg.longitudeInvalid";
  } else {
    const d = draft as Drafts["contact"];
    if (d.fullName.trim() === "") found.fullName = "msg.contactNameRequired";
    const phone = recipientProblem(d.phoneNumber);
    if (phone || d.phoneNumber.replace(/\D/g, "").length < 10) found.phoneNumber = "msg.contactPhoneInvalid";
  }
  return found;
}

/** The engine route and body a draft is sent as. */
export function draftRequest<K extends StructuredKind>(
  kind: K,
  draft: Drafts[K],
  number: string,
): { action: string; body: Record<string, unknown> } {
  if (kind === "poll") {
    const d = draft as Drafts["poll"];
    const values = d.options.map((o) => o.trim());
    // selectableCount 0 lets each voter pick any number of options.
    return {
      action: "sendPoll",
      body: { number, name: d.question.trim(), values, selectableCount: d.multiple ? 0 : 1 },
    };
  }
  if (kind === "location") {
    const d = draft as Drafts["location"];
    return {
      action: "sendLocation",
      body: {
        number,
        latitude: coordinate(d.latitude, 90),
        longitude: coordinate(d.longitude, 180),
        // 2.3.7's schema wants both present, empty or not.
        name: d.name.trim(),
        address: d.address.trim(),
      },
    };
  }
  const d = draft as Drafts["contact"];
  const contact: Record<string, string> = { fullName: d.fullName.trim(), phoneNumber: d.phoneNumber.trim() };
  if (d.organization.trim()) contact.organization = d.organization.trim();
  if (d.email.trim()) contact.email = d.email.trim();
  return { action: "sendContact", body: { number, contact: [contact] } };
}

interface FieldsProps<K extends StructuredKind> {
  locale: Locale;
  draft: Drafts[K];
  problems: DraftProblems;
  onDraft(draft: Drafts[K]): void;
}

function PollFields({ locale, draft, problems, onDraft }: FieldsProps<"poll">) {
  const tr = translator(locale);
  const problem = (key: string) => problems[key] && tr(problems[key]!);
  const setOption = (i: number, value: string) =>
    onDraft({ ...draft, options: draft.options.map((o, j) => (j === i ? value : o)) });
  return (
    <fieldset class="stack kind-fields" data-kind-fields="poll">
      <legend>{tr("msg.kindPoll")}</legend>
      <TextField
        label={tr("msg.pollQuestion")}
        name="question"
        value={draft.question}
        error={problem("question")}
        onValue={(question) => onDraft({ ...draft, question })}
      />
      {draft.options.map((option, i) => (
        <div class="poll-option" key={i}>
          <TextField
            label={tr("msg.pollOption", { n: i + 1 })}
            name={`option-${i}`}
            value={option}
            error={problem(`option-${i}`)}
            onValue={(v) => setOption(i, v)}
          />
          {draft.options.length > 2 && (
            <Button
              type="button"
              variant="ghost"
              small
              data-action="remove-option"
              onClick={() => onDraft({ ...draft, options: draft.options.filter((_, j) => j !== i) })}
            >
              {tr("msg.pollRemoveOption")}
            </Button>
          )}
        </div>
      ))}
      {draft.options.length < MAX_POLL_OPTIONS && (
        <Button
          type="button"
          variant="secondary"
          small
          data-action="add-option"
          onClick={() => onDraft({ ...draft, options: [...draft.options, ""] })}
        >
          {tr("msg.pollAddOption")}
        </Button>
      )}
      <CheckField
        label={tr("msg.pollMultiple")}
        name="multiple"
        checked={draft.multiple}
        onChange={(multiple) => onDraft({ ...draft, multiple })}
      />
    </fieldset>
  );
}

/** A text input bound to one string field of a draft, showing that field's problem. */
function fieldOf<D extends Record<string, string>>({ locale, draft, problems, onDraft }: {
  locale: Locale;
  draft: D;
  problems: DraftProblems;
  onDraft(draft: D): void;
}) {
  const tr = translator(locale);
  return (key: keyof D & string, label: MessageKey, extra: Record<string, string> = {}) => (
    <TextField
      {...extra}
      label={tr(label)}
      name={key}
      value={draft[key]}
      error={problems[key] && tr(problems[key]!)}
      onValue={(v) => onDraft({ ...draft, [key]: v })}
    />
  );
}

function LocationFields(props: FieldsProps<"location">) {
  const tr = translator(props.locale);
  const field = fieldOf(props);
  return (
    <fieldset class="stack kind-fields" data-kind-fields="location">
      <legend>{tr("msg.kindLocation")}</legend>
      <div class="form-grid">
        {field("latitude", "msg.latitude", { inputMode: "decimal", placeholder: "-25.2637" })}
        {field("longitude", "msg.longitude", { inputMode: "decimal", placeholder: "-57.5759" })}
      </div>
      {field("name", "msg.placeName")}
      {field("address", "msg.placeAddress")}
    </fieldset>
  );
}

function ContactFields(props: FieldsProps<"contact">) {
  const tr = translator(props.locale);
  const field = fieldOf(props);
  return (
    <fieldset class="stack kind-fields" data-kind-fields="contact">
      <legend>{tr("msg.kindContact")}</legend>
      {field("fullName", "msg.contactName", { autocomplete: "off" })}
      {field("phoneNumber", "msg.contactPhone", { inputMode: "tel", placeholder: "+595981000000" })}
      <div class="form-grid">
        {field("organization", "msg.contactOrg")}
        {field("email", "msg.contactEmail", { type: "email", autocomplete: "off" })}
      </div>
    </fieldset>
  );
}

/** The inputs of the chosen structured kind. */
export function KindFields<K extends StructuredKind>(props: FieldsProps<K> & { kind: K }) {
  const { kind, ...rest } = props;
  if (kind === "poll") return <PollFields {...rest as FieldsProps<"poll">} />;
  if (kind === "location") return <LocationFields {...rest as FieldsProps<"location">} />;
  return <ContactFields {...rest as FieldsProps<"contact">} />;
}

/** How the structured message will look in the chat. */
export function KindPreview<K extends StructuredKind>({ locale, kind, draft }: {
  locale: Locale;
  kind: K;
  draft: Drafts[K];
}) {
  const tr = translator(locale);
  let body;
  if (kind === "poll") {
    const d = draft as Drafts["poll"];
    body = (
      <>
        <strong>📊 {d.question || tr("msg.pollQuestion")}</strong>
        <ul class="wa-poll">
          {d.options.map((o, i) => <li key={i}>○ {o || tr("msg.pollOption", { n: i + 1 })}</li>)}
        </ul>
        <small>{tr(d.multiple ? "msg.pollMultiple" : "msg.pollSingle")}</small>
      </>
    );
  } else if (kind === "location") {
    const d = draft as Drafts["location"];
    body = (
      <>
        <strong>📍 {d.name || tr("msg.kindLocation")}</strong>
        {d.address && <p>{d.address}</p>}
        <small>{d.latitude || "?"}, {d.longitude || "?"}</small>
      </>
    );
  } else {
    const d = draft as Drafts["contact"];
    body = (
      <>
        <strong>👤 {d.fullName || tr("msg.contactName")}</strong>
        <p>{d.phoneNumber}</p>
        {d.organization && <small>{d.organization}</small>}
      </>
    );
  }
  return (
    <aside class="card composer-preview" aria-labelledby="preview-title">
      <h2 class="card-title" id="preview-title">{tr("msg.preview")}</h2>
      <div class="wa-chat">
        <div class="wa-bubble wa-structured" data-preview={kind}>{body}</div>
      </div>
    </aside>
  );
}
