// Contact CSV files: decoding (UTF-8, with or without BOM), the separator (`,` or `;`), the header mapping
// (number, name, custom fields) and the row-by-row verdict. Pure: no SQL, so the rules are unit-tested and
// the import (contacts.ts) only adds the "already in the list" verdict and the one INSERT.
// @ts-types="@types/papaparse"
import Papa from "papaparse";
import { type ErrorCode, errorText, fail } from "../core/mod.ts";
import { LABEL_MAX_CHARS } from "./contacts.ts";

export const CSV_MAX_ROWS = 50_000;
export const CSV_MAX_COLUMNS = 50;
export const FIELD_VALUE_MAX_CHARS = 500;

// Header names (normalised by fieldKey) read as the number and the name when the caller maps nothing.
const NUMBER_HEADERS = [
  "number",
  "phone",
  "phone_number",
  "mobile",
  "whatsapp",
  "telefono",
  "numero",
  "celular",
  "movil",
  "tel",
];
const NAME_HEADERS = ["name", "nombre", "label", "full_name", "nombre_completo", "contact", "contacto"];

export interface CsvMapping {
  /** The header of the number column (any case/accents); detected from NUMBER_HEADERS when absent. */
  number?: string;
  /** The header of the name column; detected from NAME_HEADERS when absent, else no names. */
  name?: string;
}

export interface CsvContact {
  row: number;
  phone_number: string;
  label: string;
  fields: Record<string, string>;
}

export type RowStatus = "accepted" | "duplicate" | "invalid";

export interface RowReport {
  /** The record's number in the file; the header is row 1. */
  row: number;
  status: RowStatus;
  /** The normalised number, or the cell as written when it is not a number. */
  phone_number: string;
  /** Why a row is not accepted: a catalogue code (the panel translates it) and its English text. */
  code?: ErrorCode;
  reason?: string;
}

export interface ParsedCsv {
  delimiter: "," | ";";
  columns: { number: string; name: string | null; fields: string[] };
  /** The rows to insert, duplicates within the file already dropped. */
  contacts: CsvContact[];
  /** One entry per data row, in file order. */
  report: RowReport[];
}

/**
 * The key a header becomes as a custom field, usable as `{{key}}` in a template: accents dropped, lower
 * case, every run of other characters one `_` ("Fecha de pago" → "fecha_de_pago").
 */
export function fieldKey(header: string): string {
  return header.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** The digits of a number as people write it in a sheet (`+595 (981) 123-456`, `0981.123.456`). */
export const csvDigits = (cell: string) => cell.replace(/[\s+().'-]/g, "");

function decode(bytes: Uint8Array): string {
  try {
    // ignoreBOM: false (the default) drops a leading UTF-8 BOM, as Excel writes it.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw fail("csv_not_utf8");
  }
}

/** `;` when the header line holds more semicolons than commas outside quotes (Excel in es/pt locales). */
function detectDelimiter(text: string): "," | ";" {
  let commas = 0, semicolons = 0, quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && ch === ",") commas++;
    else if (!quoted && ch === ";") semicolons++;
  }
  return semicolons > commas ? ";" : ",";
}

function findColumn(keys: string[], wanted: string | undefined, aliases: string[]): number {
  if (wanted !== undefined) {
    const at = keys.indexOf(fieldKey(wanted));
    if (at < 0) throw fail("csv_column_missing", { column: wanted });
    return at;
  }
  return keys.findIndex((k) => aliases.includes(k));
}

function parseRecords(text: string, delimiter: string): string[][] {
  const parsed = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: "greedy" });
  const broken = parsed.errors.find((e) => e.type === "Quotes");
  if (broken) throw fail("csv_malformed", { row: (broken.row ?? 0) + 1 });
  return parsed.data;
}

const invalid = (row: number, phone: string, code: ErrorCode, params = {}): RowReport => ({
  row,
  status: "invalid",
  phone_number: phone,
  code,
  reason: errorText(code, params),
});

/** A `duplicate` verdict: an earlier row of the file, or an item already in the list. */
export const duplicate = (row: number, phone: string, code: ErrorCode): RowReport => ({
  row,
  status: "duplicate",
  phone_number: phone,
  code,
  reason: errorText(code),
});

/** The verdict on one data row, and the contact it gives when it is good. */
function readRow(
  cells: string[],
  row: number,
  cols: { number: number; name: number; fields: [string, number][] },
): RowReport | CsvContact {
  const raw = (cells[cols.number] ?? "").trim();
  if (raw === "") return invalid(row, raw, "csv_number_missing");
  const digits = csvDigits(raw);
  if (!/^[0-9]+$/.test(digits)) return invalid(row, raw, "phone_digits");
  if (digits.length < 8 || digits.length > 20) return invalid(row, digits, "phone_length");
  const label = cols.name < 0 ? "" : (cells[cols.name] ?? "").trim();
  if ([...label].length > LABEL_MAX_CHARS) {
    return invalid(row, digits, "field_too_long", { field: "name", max: LABEL_MAX_CHARS });
  }
  const fields: Record<string, string> = {};
  for (const [key, at] of cols.fields) {
    const value = (cells[at] ?? "").trim();
    if ([...value].length > FIELD_VALUE_MAX_CHARS) {
      return invalid(row, digits, "field_too_long", { field: key, max: FIELD_VALUE_MAX_CHARS });
    }
    if (value !== "") fields[key] = value;
  }
  return { row, phone_number: digits, label, fields };
}

/**
 * Reads a contacts CSV. A file that cannot be read as a whole (not UTF-8, broken quotes, no header or no
 * number column, too many rows or columns) throws a 400 before anything is stored; a bad row only gets an
 * `invalid` verdict with its reason, and a number seen earlier in the file a `duplicate` one.
 */
export function parseContactsCsv(
  bytes: Uint8Array,
  mapping: CsvMapping = {},
  maxRows = CSV_MAX_ROWS,
): ParsedCsv {
  const text = decode(bytes);
  if (text.includes("\0")) throw fail("nul_character");
  const delimiter = detectDelimiter(text);
  const records = parseRecords(text, delimiter);
  if (records.length === 0) throw fail("csv_empty");
  const [header, ...rows] = records;
  if (header.length > CSV_MAX_COLUMNS) throw fail("csv_too_many_columns", { max: CSV_MAX_COLUMNS });
  if (rows.length > maxRows) throw fail("csv_too_many_rows", { max: maxRows });
  const keys = header.map(fieldKey);
  const number = findColumn(keys, mapping.number, NUMBER_HEADERS);
  if (number < 0) throw fail("csv_no_number_column");
  const name = findColumn(keys, mapping.name, NAME_HEADERS);
  // Every other named column is a custom field; a repeated key keeps its first column.
  const fields: [string, number][] = [];
  keys.forEach((key, at) => {
    if (key && at !== number && at !== name && !fields.some(([k]) => k === key)) fields.push([key, at]);
  });

  const seen = new Set<string>();
  const contacts: CsvContact[] = [];
  const report: RowReport[] = rows.map((cells, i) => {
    const verdict = readRow(cells, i + 2, { number, name, fields });
    if ("status" in verdict) return verdict;
    const { row, phone_number } = verdict;
    if (seen.has(phone_number)) return duplicate(row, phone_number, "csv_duplicate_in_file");
    seen.add(phone_number);
    contacts.push(verdict);
    return { row, status: "accepted", phone_number };
  });
  return {
    delimiter,
    columns: { number: header[number], name: name < 0 ? null : header[name], fields: fields.map(([k]) => k) },
    contacts,
    report,
  };
}
