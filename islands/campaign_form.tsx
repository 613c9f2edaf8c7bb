import { useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { type Audience, audienceBody, AudienceFields, EMPTY_AUDIENCE } from "./campaign_audience.tsx";
import { type Content, contentBody, ContentFields, EMPTY_CONTENT } from "./campaign_content.tsx";
import type { Campaign } from "./campaign_parts.ts";
import { initialTiming, type Timing, timingBody, TimingFields } from "./campaign_pacing.tsx";
import { Alert, Button, Dialog, SelectField, TextField, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

// The Campaigns page's create dialog: name and instance, then the recipients, the content and the timing
// (each in its own module), sent as one POST /api/campaigns with an Idempotency-Key, so a double click or
// a retried request creates one campaign.

export interface FormOptions {
  instances: string[];
  lists: { id: number; name: string; item_count: number }[];
  templates: { id: number; name: string }[];
  fieldHints: string[];
  timeZone: string;
}

export function CampaignForm({ locale, options, onCreated, onClose }: {
  locale: Locale;
  options: FormOptions;
  onCreated(c: Campaign, recipients: number): void;
  onClose(): void;
}) {
  const tr = translator(locale);
  const [name, setName] = useState("");
  const [instance, setInstance] = useState(options.instances[0] ?? "");
  const [audience, setAudience] = useState<Audience>(EMPTY_AUDIENCE);
  const [content, setContent] = useState<Content>(EMPTY_CONTENT);
  const [timing, setTiming] = useState<Timing>(() => initialTiming(options.timeZone));
  // One key per dialog: what the user submits again after an error is a new attempt only if it changed.
  const [key] = useState(() => crypto.randomUUID());
  const save = useApi(locale);

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = {
      name: name.trim(),
      instance,
      ...audienceBody(audience),
      ...contentBody(content),
      ...timingBody(timing),
    };
    const res = await save.run(() =>
      api<{ campaign: Campaign; recipients: number }>("/api/campaigns", {
        body,
        headers: { "Idempotency-Key": `${key}-${hash(JSON.stringify(body))}` },
      })
    );
    if (res) onCreated(res.campaign, res.recipients);
  };

  return (
    <Dialog locale={locale} wide title={tr("campaigns.createTitle")} onClose={onClose}>
      <form class="stack" onSubmit={submit} noValidate data-form="campaign">
        <div class="form-grid">
          <TextField
            label={tr("campaigns.name")}
            name="name"
            value={name}
            onValue={setName}
            maxLength={100}
            required
          />
          <SelectField
            label={tr("campaigns.instance")}
            name="instance"
            value={instance}
            onValue={setInstance}
            options={options.instances.map((i) => [i, i] as const)}
          />
        </div>
        <AudienceFields locale={locale} lists={options.lists} value={audience} onValue={setAudience} />
        <ContentFields
          locale={locale}
          templates={options.templates}
          fieldHints={options.fieldHints}
          value={content}
          onValue={setContent}
        />
        <TimingFields locale={locale} value={timing} onValue={setTiming} />
        {save.error && <Alert tone="error">{save.error}</Alert>}
        <div class="form-actions">
          <Button variant="ghost" onClick={onClose}>{tr("ui.cancel")}</Button>
          <Button type="submit" variant="primary" busy={save.busy} data-action="save-campaign">
            {timing.when === "draft" ? tr("campaigns.saveDraft") : tr("campaigns.create")}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** A short fingerprint of the body (FNV-1a), so an edited body gets a key of its own. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}
