import { useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { ApiError, errorMessage } from "./use_api.ts";
import { Alert, Button, TextField, translator } from "./ui.tsx";
import { ERRORS, errorText, isErrorCode } from "../lib/core/errors.ts";

// The Contacts page's CSV import: the file goes up as the raw body (XHR, for its upload progress), and
// the answer's row-by-row report is summed up with the rows that were not accepted.

interface RowReport {
  row: number;
  status: "accepted" | "duplicate" | "invalid";
  phone_number: string;
  code?: string;
  reason?: string;
}
export interface ImportReport {
  total: number;
  accepted: number;
  duplicates: number;
  invalid: number;
  report: RowReport[];
}

const SHOWN_ROWS = 200;

/** POSTs the file with progress events; resolves with the JSON answer or rejects with ApiError. */
function upload(url: string, file: File, onProgress: (fraction: number) => void): Promise<ImportReport> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, "Network error"));
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch { /* a non-JSON answer is reported by its status */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as unknown as ImportReport);
      else {reject(
          new ApiError(xhr.status, typeof body.error === "string" ? body.error : `HTTP ${xhr.status}`, body),
        );}
    };
    xhr.send(file);
  });
}

/** A row's reason in the reader's language: the catalogue's text for its code, else the server's words. */
function reasonOf(locale: Locale, r: RowReport): string {
  if (r.code && isErrorCode(r.code) && !/\{\w+\}/.test(ERRORS[r.code].en)) {
    return errorText(r.code, {}, locale);
  }
  return r.reason ?? "";
}

export function CsvImport({ locale, listId, onImported }: {
  locale: Locale;
  listId: number;
  onImported(report: ImportReport): void;
}) {
  const tr = translator(locale);
  const [file, setFile] = useState<File | null>(null);
  const [numberColumn, setNumberColumn] = useState("");
  const [nameColumn, setNameColumn] = useState("");
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<ImportReport | null>(null);

  const start = async (e: Event) => {
    e.preventDefault();
    if (!file) return setError(tr("ct.fileRequired"));
    const q = new URLSearchParams();
    if (numberColumn.trim()) q.set("number_column", numberColumn.trim());
    if (nameColumn.trim()) q.set("name_column", nameColumn.trim());
    setError(null);
    setResult(null);
    setProgress(0);
    try {
      const report = await upload(`/api/contacts/${listId}/import?${q}`, file, setProgress);
      setResult(report);
      onImported(report);
    } catch (err) {
      setError(errorMessage(locale, err));
    } finally {
      setProgress(null);
    }
  };

  const problems = result?.report.filter((r) => r.status !== "accepted") ?? [];
  return (
    <form class="card card-pad stack" data-form="csv-import" onSubmit={start}>
      <h3 class="card-title">{tr("ct.importTitle")}</h3>
      <p class="field-hint">{tr("ct.importHint")}</p>
      <div class="field">
        <label for="csv-file">{tr("ct.file")}</label>
        <input
          id="csv-file"
          name="csv"
          type="file"
          accept=".csv,text/csv,text/plain"
          class="input"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
        />
      </div>
      <div class="form-grid">
        <TextField
          label={tr("ct.numberColumn")}
          name="number_column"
          value={numberColumn}
          onValue={setNumberColumn}
          hint={tr("ct.autoDetect")}
        />
        <TextField
          label={tr("ct.nameColumn")}
          name="name_column"
          value={nameColumn}
          onValue={setNameColumn}
          hint={tr("ct.autoDetect")}
        />
      </div>
      {progress !== null && (
        <progress
          class="progress"
          data-import-progress
          max={1}
          value={progress}
          aria-label={tr("ct.uploading")}
        />
      )}
      {error && <Alert tone="error">{error}</Alert>}
      {result && (
        <div data-import-report class="stack">
          <Alert tone={result.accepted > 0 ? "success" : "warn"}>
            {tr("ct.imported", {
              accepted: result.accepted,
              duplicates: result.duplicates,
              invalid: result.invalid,
              total: result.total,
            })}
          </Alert>
          {problems.length > 0 && (
            <div class="table-wrap">
              <table class="table" data-table="import-report">
                <thead>
                  <tr>
                    <th scope="col">{tr("ct.row")}</th>
                    <th scope="col">{tr("ct.number")}</th>
                    <th scope="col">{tr("ct.verdict")}</th>
                  </tr>
                </thead>
                <tbody>
                  {problems.slice(0, SHOWN_ROWS).map((r) => (
                    <tr key={r.row} data-status={r.status}>
                      <td>{r.row}</td>
                      <td>{r.phone_number}</td>
                      <td>
                        <span class={`badge ${r.status === "invalid" ? "badge-danger" : "badge-warn"}`}>
                          {tr(r.status === "invalid" ? "ct.invalid" : "ct.duplicate")}
                        </span>{" "}
                        {reasonOf(locale, r)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
      <div class="form-actions form-actions-start">
        <Button type="submit" variant="primary" icon="download" busy={progress !== null} data-action="import">
          {tr("ct.import")}
        </Button>
      </div>
    </form>
  );
}
