// The bodies of POST /api/contacts/{id}/items (contract §1.6): `{phone_number, label?, fields?}` or
// `{items: [...]}`. Items without a number are skipped as the contract does; any other bad item refuses the
// whole request (the contract inserted the items before it, §14 #23).
import { fail } from "../core/mod.ts";
import { FIELD_VALUE_MAX_CHARS, fieldKey } from "./csv_import.ts";
import { LABEL_MAX_CHARS, MAX_CUSTOM_FIELDS, type NewContactItem } from "./contacts.ts";

/** Items one request may add (the size of the largest CSV import). */
export const MAX_ITEMS_PER_REQUEST = 50_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The contract's phone rule: whitespace stripped, digits only, 8-20 of them; the message names the phone. */
export function contactPhone(raw: string): string {
  const digits = raw.replace(/\s+/g, "");
  if (!/^[0-9]+$/.test(digits)) throw fail("contact_phone_digits", { phone: raw });
  if (digits.length < 8 || digits.length > 20) throw fail("contact_phone_length", { phone: raw });
  return digits;
}

/** Custom fields: an object of short texts (numbers and booleans taken as text), keys as a CSV header. */
export function contactFields(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw fail("contact_fields_invalid");
  const entries = Object.entries(value);
  if (entries.length > MAX_CUSTOM_FIELDS) throw fail("contact_fields_too_many", { max: MAX_CUSTOM_FIELDS });
  const fields: Record<string, string> = {};
  for (const [name, raw] of entries) {
    const key = fieldKey(name);
    if (!key || !["string", "number", "boolean"].includes(typeof raw)) throw fail("contact_fields_invalid");
    const text = String(raw);
    if ([...text].length > FIELD_VALUE_MAX_CHARS) {
      throw fail("field_too_long", { field: key, max: FIELD_VALUE_MAX_CHARS });
    }
    fields[key] = text;
  }
  return fields;
}

function contactLabel(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw fail("field_not_string", { field: "label" });
  if ([...value].length > LABEL_MAX_CHARS) {
    throw fail("field_too_long", { field: "label", max: LABEL_MAX_CHARS });
  }
  return value;
}

function oneItem(value: unknown): NewContactItem | null {
  if (!isObject(value)) throw fail("invalid_json");
  const phone = value.phone_number;
  if (phone === undefined || phone === null || phone === "") return null;
  if (typeof phone !== "string" && typeof phone !== "number") throw fail("phone_not_string");
  return {
    phone_number: contactPhone(String(phone)),
    label: contactLabel(value.label),
    fields: contactFields(value.fields),
  };
}

/** The items a POST body adds, every one validated; throws the first problem's 400. */
export function parseItemsBody(body: unknown): NewContactItem[] {
  if (!isObject(body)) throw fail("invalid_json");
  const list = body.items === undefined ? [body] : body.items;
  if (!Array.isArray(list)) throw fail("contact_items_not_array");
  if (list.length > MAX_ITEMS_PER_REQUEST) {
    throw fail("contact_items_too_many", { max: MAX_ITEMS_PER_REQUEST });
  }
  return list.map(oneItem).filter((item): item is NewContactItem => item !== null);
}
