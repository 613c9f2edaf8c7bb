import type { Locale } from "../lib/core/i18n.ts";
import { Alert, CheckField, TextField, translator } from "./ui.tsx";

// The create form's recipients, from any mix of three sources: numbers pasted (one per line or separated by
// commas), the user's contact lists (their fields become variables), and a CSV file read in the browser
// and sent as text (`csv`, with optional column names; the other columns become variables).

export interface CsvFile {
  name: string;
  text: string;
  /** Data rows (lines after the header that hold something). */
  rows: number;
  headers: string[];
}

export interface Audience {
  paste: string;
  lists: number[];
  csv: CsvFile | null;
  numberColumn: string;
  nameColumn: string;
}

export const EMPTY_AUDIENCE: Audience = { paste: "", lists: [], csv: null, numberColumn: "", nameColumn: "" };

/** The pasted numbers: split on new lines, commas and semicolons, spaces and dashes removed. */
export const pastedNumbers = (text: string) =>
  text.split(/[\n,;]+/).map((n) => n.replace(/[\s().-]/g, "")).filter(Boolean);

/** The file's header cells and data rows (for the preview; the server parses it for real). */
export function csvSummary(name: string, text: string): CsvFile {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = lines[0] ?? "";
  const sep = head.split(";").length > head.split(",").length ? ";" : ",";
  const headers = head.split(sep).map((h) => h.trim().replace(/^"|"$/g, "")).filter(Boolean);
  return { name, text, rows: Math.max(0, lines.length - 1), headers };
}

export function AudienceFields({ locale, lists, value, onValue }: {
  locale: Locale;
  lists: { id: number; name: string; item_count: number }[];
  value: Audience;
  onValue(next: Audience): void;
}) {
  const tr = translator(locale);
  const set = (patch: Partial<Audience>) => onValue({ ...value, ...patch });
  const pasted = pastedNumbers(value.paste).length;
  const readFile = async (file: File | undefined) => {
    set({ csv: file ? csvSummary(file.name, await file.text()) : null });
  };
  return (
    <fieldset class="fieldset stack" data-audience>
      <legend>{tr("campaigns.recipients")}</legend>
      <div class="field">
        <label for="camp-numbers">{tr("campaigns.paste")}</label>
        <textarea
          id="camp-numbers"
          name="numbers"
          class="input textarea"
          rows={4}
          value={value.paste}
          onInput={(e) => set({ paste: e.currentTarget.value })}
          aria-describedby="camp-numbers-hint"
        />
        <p class="field-hint" id="camp-numbers-hint" data-pasted={pasted}>
          {tr("campaigns.pasteHint", { n: pasted })}
        </p>
      </div>
      {lists.length > 0 && (
        <div class="field" data-lists>
          <span class="field-label">{tr("campaigns.lists")}</span>
          {lists.map((l) => (
            <CheckField
              key={l.id}
              name={`list-${l.id}`}
              label={`${l.name} (${l.item_count})`}
              checked={value.lists.includes(l.id)}
              onChange={(on) =>
                set({ lists: on ? [...value.lists, l.id] : value.lists.filter((x) => x !== l.id) })}
            />
          ))}
        </div>
      )}
      <div class="field">
        <label for="camp-csv">{tr("campaigns.csv")}</label>
        <input
          id="camp-csv"
          type="file"
          name="csv"
          accept=".csv,text/csv"
          class="input"
          onChange={(e) => readFile(e.currentTarget.files?.[0])}
          aria-describedby="camp-csv-hint"
        />
        <p class="field-hint" id="camp-csv-hint">{tr("campaigns.csvHint")}</p>
      </div>
      {value.csv && (
        <>
          <Alert tone="info">
            <span data-csv-rows={value.csv.rows}>
              {tr("campaigns.csvRead", { name: value.csv.name, rows: value.csv.rows })}
            </span>
            {value.csv.headers.length > 0 && (
              <span class="muted">
                {` ${tr("campaigns.csvColumns", { columns: value.csv.headers.join(", ") })}`}
              </span>
            )}
          </Alert>
          <div class="form-grid">
            <TextField
              label={tr("campaigns.csvNumberColumn")}
              name="csv_number_column"
              value={value.numberColumn}
              onValue={(v) => set({ numberColumn: v })}
              hint={tr("campaigns.csvColumnHint")}
            />
            <TextField
              label={tr("campaigns.csvNameColumn")}
              name="csv_name_column"
              value={value.nameColumn}
              onValue={(v) => set({ nameColumn: v })}
              hint={tr("campaigns.csvColumnHint")}
            />
          </div>
        </>
      )}
    </fieldset>
  );
}

/** The recipients' part of the create body. */
export function audienceBody(a: Audience) {
  const numbers = pastedNumbers(a.paste);
  return {
    ...(numbers.length ? { numbers } : {}),
    ...(a.lists.length ? { contact_list_ids: a.lists } : {}),
    ...(a.csv
      ? {
        csv: a.csv.text,
        ...(a.numberColumn.trim() ? { csv_number_column: a.numberColumn.trim() } : {}),
        ...(a.nameColumn.trim() ? { csv_name_column: a.nameColumn.trim() } : {}),
      }
      : {}),
  };
}
