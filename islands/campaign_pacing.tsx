import type { Locale } from "../lib/core/i18n.ts";
import { type PacingFields, type Preset, PRESETS } from "./campaign_parts.ts";
import { SegToggle } from "./seg_toggle.tsx";
import { SelectField, TextField, translator } from "./ui.tsx";

// The create form's timing: when it starts (now, at a local time in a time zone, or kept as a draft) and
// its pacing, picked as a preset (safe / normal / fast) whose raw fields the advanced section shows and
// edits (an edit makes it "custom").

export interface Timing {
  when: "now" | "at" | "draft";
  /** A datetime-local value, read in `zone`. */
  at: string;
  zone: string;
  preset: Preset;
  pacing: PacingFields;
  /** Whose clock the quiet hours follow: the campaign's zone, or each recipient's (from the number). */
  quietZone: "campaign" | "recipient";
}

export const initialTiming = (zone: string): Timing => ({
  when: "now",
  at: "",
  zone,
  preset: "normal",
  pacing: { ...PRESETS.normal, quiet_start: "", quiet_end: "" },
  quietZone: "campaign",
});

const NUMERIC: (keyof PacingFields)[] = [
  "min_gap_s",
  "max_gap_s",
  "long_pause_every",
  "long_pause_s",
  "daily_cap",
  "typing_ms",
];

/** The UTC offset of `zone` at the instant `ms`, in ms (wall clock minus UTC). */
function offsetMs(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(ms));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"), n("second")) - ms;
}

/**
 * A local "YYYY-MM-DDTHH:MM" in `zone` as an ISO instant (what start_at takes); null when either is not
 * valid. The offset is looked up twice, so a time next to a DST change lands on the right side of it.
 */
export function zonedIso(local: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  try {
    const first = wall - offsetMs(zone, wall);
    return new Date(wall - offsetMs(zone, first)).toISOString();
  } catch {
    return null;
  }
}

export function TimingFields({ locale, value, onValue }: {
  locale: Locale;
  value: Timing;
  onValue(next: Timing): void;
}) {
  const tr = translator(locale);
  const set = (patch: Partial<Timing>) => onValue({ ...value, ...patch });
  const pick = (preset: Preset) =>
    set({ preset, pacing: preset === "custom" ? value.pacing : { ...value.pacing, ...PRESETS[preset] } });
  const field = (key: keyof PacingFields, type = "number") => ({
    name: key,
    type,
    value: value.pacing[key],
    onValue: (v: string) => set({ preset: "custom", pacing: { ...value.pacing, [key]: v } }),
  });
  return (
    <fieldset class="fieldset stack" data-timing>
      <legend>{tr("campaigns.timing")}</legend>
      <SegToggle
        role="radio"
        label={tr("campaigns.start")}
        attr="start"
        options={[["now", tr("campaigns.startNow")], ["at", tr("campaigns.startAt")], [
          "draft",
          tr("campaigns.startDraft"),
        ]]}
        value={value.when}
        onValue={(when) => set({ when })}
      />
      <div class="form-grid">
        {value.when === "at" && (
          <TextField
            label={tr("campaigns.startTime")}
            name="start_at"
            type="datetime-local"
            value={value.at}
            onValue={(at) => set({ at })}
          />
        )}
        <TextField
          label={tr("campaigns.timeZone")}
          name="time_zone"
          value={value.zone}
          onValue={(zone) => set({ zone })}
          hint={tr("campaigns.timeZoneHint")}
        />
      </div>
      <SelectField
        label={tr("campaigns.pacing")}
        name="preset"
        value={value.preset}
        onValue={(p) => pick(p as Preset)}
        options={(["safe", "normal", "fast", "custom"] as const).map((p) =>
          [p, tr(`campaigns.preset.${p}`)] as const
        )}
        hint={tr(`campaigns.presetHint.${value.preset}`)}
      />
      <details class="advanced" data-advanced>
        <summary>{tr("campaigns.advanced")}</summary>
        <div class="form-grid">
          <TextField label={tr("campaigns.minGap")} min={0} {...field("min_gap_s")} />
          <TextField label={tr("campaigns.maxGap")} min={0} {...field("max_gap_s")} />
          <TextField label={tr("campaigns.pauseEvery")} min={1} {...field("long_pause_every")} />
          <TextField label={tr("campaigns.pauseFor")} min={0} {...field("long_pause_s")} />
          <TextField label={tr("campaigns.dailyCap")} min={1} {...field("daily_cap")} />
          <TextField label={tr("campaigns.typing")} min={0} {...field("typing_ms")} />
          <TextField label={tr("campaigns.quietStart")} {...field("quiet_start", "time")} />
          <TextField label={tr("campaigns.quietEnd")} {...field("quiet_end", "time")} />
          <SelectField
            label={tr("campaigns.quietZone")}
            name="quiet_hours_zone"
            value={value.quietZone}
            onValue={(z) => set({ quietZone: z === "recipient" ? "recipient" : "campaign" })}
            options={(["campaign", "recipient"] as const).map((z) =>
              [z, tr(`campaigns.quietZone.${z}`)] as const
            )}
          />
        </div>
        <p class="field-hint">{tr("campaigns.advancedHint")}</p>
      </details>
    </fieldset>
  );
}

/** The timing's part of the create body (empty fields are left to the API's defaults). */
export function timingBody(t: Timing) {
  const pacing: Record<string, string | number> = { time_zone: t.zone.trim() };
  for (const key of NUMERIC) {
    const v = t.pacing[key].trim();
    // A non-number goes as it was typed, for the API to refuse with the field's name and range.
    if (v !== "") pacing[key] = /^-?\d+$/.test(v) ? Number(v) : v;
  }
  if (t.pacing.quiet_start || t.pacing.quiet_end) {
    pacing.quiet_start = t.pacing.quiet_start;
    pacing.quiet_end = t.pacing.quiet_end;
    pacing.quiet_hours_zone = t.quietZone;
  }
  return {
    pacing,
    ...(t.when === "draft" ? { draft: true } : {}),
    ...(t.when === "at" ? { start_at: zonedIso(t.at, t.zone.trim()) ?? t.at } : {}),
  };
}
