import { useState } from "preact/hooks";
import * as z from "zod/mini";
import type { Locale } from "../lib/core/i18n.ts";
import { Alert, Button, CheckField, Dialog, SelectField, TextField, translator } from "./ui.tsx";
import { translated } from "./gateway_errors.ts";
import { api, useApi } from "./use_api.ts";

// The Scheduled page's private parts: the message shape and the create/edit form.

export const Scheduled = z.object({
  id: z.number(),
  instance_name: z.string(),
  message_type: z.string(),
  message_content: z.string(),
  recipients: z.string(),
  scheduled_at: z.string(),
  scheduled_at_local: z.string(),
  time_zone: z.string(),
  recurrence: z.nullable(z.record(z.string(), z.unknown())),
  recurrence_until: z.nullable(z.string()),
  series_id: z.nullable(z.number()),
  occurrence: z.number(),
  variables: z.nullable(z.record(z.string(), z.record(z.string(), z.string()))),
  status: z.string(),
  results: z.nullable(z.record(z.string(), z.unknown())),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Scheduled = z.infer<typeof Scheduled>;

const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const KINDS = ["none", "daily", "weekly", "monthly", "cron"] as const;

/** "2026-03-29T09:00:00+02:00" → "2026-03-29 09:00" (how the page shows a stored local time). */
export const localLabel = (iso: string) => iso.slice(0, 16).replace("T", " ");

/** "2026-03-29T09:00:00+02:00" → "2026-03-29T09:00" (the datetime-local value of a stored local time). */
const localInput = (iso: string) => iso.slice(0, 16);

/** Recipients as lines of "number" or "number, name" (the name fills {{name}}). */
function recipientLines(m: Scheduled | null): string {
  if (!m) return "";
  const numbers = JSON.parse(m.recipients) as string[];
  return numbers.map((n) => (m.variables?.[n]?.name ? `${n}, ${m.variables[n].name}` : n)).join("\n");
}

function parseLines(text: string) {
  const recipients: string[] = [];
  const variables: Record<string, Record<string, string>> = {};
  for (const line of text.split(/\n/)) {
    const [number, ...rest] = line.split(/[,;\t]/);
    const n = number.trim().replace(/[+()\s-]/g, "");
    if (!n) continue;
    recipients.push(n);
    const name = rest.join(",").trim();
    if (name) variables[n] = { name };
  }
  return { recipients, variables };
}

/** A labelled four-line textarea with its hint. */
function TextAreaField({ id, name, label, hint, value, onValue }: {
  id: string;
  name: string;
  label: string;
  hint: string;
  value: string;
  onValue(value: string): void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        class="input textarea"
        rows={4}
        value={value}
        onInput={(e) => onValue(e.currentTarget.value)}
        aria-describedby={`${id}-hint`}
      />
      <p class="field-hint" id={`${id}-hint`}>{hint}</p>
    </div>
  );
}

/** Create (message null) or edit a pending scheduled message. */
export function ScheduleForm({ locale, message, instances, lists, timeZone, onSaved, onClose }: {
  locale: Locale;
  message: Scheduled | null;
  instances: string[];
  /** The user's contact lists (create only: their numbers, names and fields are added). */
  lists: { id: number; name: string; item_count: number }[];
  timeZone: string;
  onSaved(m: Scheduled): void;
  onClose(): void;
}) {
  const tr = translator(locale);
  const rec = message?.recurrence as { type?: string; days?: number[]; cron?: string } | null;
  const [instance, setInstance] = useState(message?.instance_name ?? instances[0] ?? "");
  const [lines, setLines] = useState(recipientLines(message));
  const [list, setList] = useState("");
  const [content, setContent] = useState(message?.message_content ?? "");
  const [when, setWhen] = useState(message ? localInput(message.scheduled_at_local) : "");
  const [zone, setZone] = useState(message?.time_zone ?? timeZone);
  const [kind, setKind] = useState<string>(rec?.type ?? "none");
  const [days, setDays] = useState<number[]>(rec?.days ?? [1]);
  const [cron, setCron] = useState(rec?.cron ?? "0 9 * * 1-5");
  // Left empty on edit: an unchanged end date is not sent (and stays as stored).
  const [until, setUntil] = useState("");
  const save = useApi(locale);

  const submit = async (e: Event) => {
    e.preventDefault();
    const { recipients, variables } = parseLines(lines);
    const recurrence = kind === "none"
      ? null
      : kind === "weekly"
      ? { type: kind, days }
      : kind === "cron"
      ? { type: kind, cron }
      : { type: kind };
    const body = {
      instance_name: instance,
      recipients,
      message_content: content,
      scheduled_at: when,
      time_zone: zone.trim(),
      recurrence,
      ...(until ? { recurrence_until: until } : {}),
      variables: Object.keys(variables).length ? variables : null,
      ...(list ? { contact_list_id: Number(list) } : {}),
    };
    const res = await save.run(() =>
      translated(
        locale,
        () =>
          api<{ message: Scheduled }>(message ? `/api/scheduled/${message.id}` : "/api/scheduled", {
            method: message ? "PUT" : "POST",
            body,
          }),
      )
    );
    if (res) onSaved(res.message);
  };

  return (
    <Dialog
      locale={locale}
      wide
      title={message ? tr("sch.editTitle", { id: message.id }) : tr("sch.createTitle")}
      onClose={onClose}
    >
      <form class="stack" onSubmit={submit} noValidate data-form="scheduled">
        {save.error && <Alert tone="error">{save.error}</Alert>}
        <SelectField
          label={tr("sch.instance")}
          name="instance_name"
          value={instance}
          onValue={setInstance}
          options={instances.map((i) => [i, i] as const)}
        />
        {!message && lists.length > 0 && (
          <SelectField
            label={tr("sch.contactList")}
            name="contact_list_id"
            value={list}
            onValue={setList}
            options={[
              ["", tr("sch.noContactList")],
              ...lists.map((l) => [String(l.id), `${l.name} (${l.item_count})`] as const),
            ]}
          />
        )}
        <TextAreaField
          id="sch-recipients"
          name="recipients"
          label={tr("sch.recipients")}
          hint={tr("sch.recipientsHint")}
          value={lines}
          onValue={setLines}
        />
        <TextAreaField
          id="sch-content"
          name="message_content"
          label={tr("sch.content")}
          hint={tr("sch.contentHint")}
          value={content}
          onValue={setContent}
        />
        <TextField
          label={tr("sch.when")}
          name="scheduled_at"
          type="datetime-local"
          value={when}
          onValue={setWhen}
        />
        <TextField
          label={tr("sch.timeZone")}
          name="time_zone"
          value={zone}
          onValue={setZone}
          hint={tr("sch.timeZoneHint")}
        />
        <SelectField
          label={tr("sch.repeat")}
          name="recurrence"
          value={kind}
          onValue={setKind}
          options={KINDS.map((k) => [k, tr(`sch.repeat.${k}`)] as const)}
        />
        {kind === "weekly" && (
          <fieldset class="field">
            <legend>{tr("sch.days")}</legend>
            {DAYS.map((d) => (
              <CheckField
                key={d}
                name={`day-${d}`}
                label={tr(`sch.day.${d}`)}
                checked={days.includes(d)}
                onChange={(on) => setDays((cur) => on ? [...cur, d] : cur.filter((x) => x !== d))}
              />
            ))}
          </fieldset>
        )}
        {kind === "cron" && (
          <TextField
            label={tr("sch.cron")}
            name="cron"
            value={cron}
            onValue={setCron}
            hint={tr("sch.cronHint")}
          />
        )}
        {kind !== "none" && (
          <TextField
            label={tr("sch.until")}
            name="recurrence_until"
            type="datetime-local"
            value={until}
            onValue={setUntil}
          />
        )}
        <div class="form-actions">
          <Button variant="ghost" onClick={onClose}>{tr("ui.cancel")}</Button>
          <Button type="submit" variant="primary" busy={save.busy} data-action="save-scheduled">
            {message ? tr("sch.save") : tr("sch.schedule")}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
