// The one template renderer every send path uses (scheduled, campaigns, previews): `{{name}}`,
// `{{number}}`, a contact's custom fields and `{{field|fallback}}`, filled per recipient. A variable with
// no value and no fallback is reported and rendered as nothing: a recipient never gets raw braces.

/** What a placeholder may name: a letter or `_`, then letters, digits, `_` or `.` (e.g. `{{order.id}}`). */
const NAME_RE = /^[\p{L}_][\p{L}\p{N}_.]*$/u;
// `{{ ... }}` with no braces inside; the part after the first `|` is the fallback (it may be empty).
const PLACEHOLDER_RE = /\{\{([^{}]*)\}\}/g;

/** A recipient's values: `name`, `number` and custom fields. Empty strings and null count as missing. */
export type TemplateVars = Record<string, string | number | null | undefined>;

export interface Rendered {
  text: string;
  /**
   * Names that had no value and no fallback, and placeholders that name nothing valid (reported whole,
   * `{{bad name}}`), in order, once each.
   */
  unknown: string[];
}

interface Placeholder {
  name: string;
  fallback: string | null;
}

function parsePlaceholder(inner: string): Placeholder {
  const bar = inner.indexOf("|");
  const name = (bar < 0 ? inner : inner.slice(0, bar)).trim();
  return { name, fallback: bar < 0 ? null : inner.slice(bar + 1).trim() };
}

/** Looks `name` up exactly, then ignoring case (CSV headers come as "Name", "NOMBRE", …). */
function lookup(vars: TemplateVars, name: string): string | null {
  let value = vars[name];
  if (value === undefined) {
    const lower = name.toLowerCase();
    const key = Object.keys(vars).find((k) => k.toLowerCase() === lower);
    value = key === undefined ? undefined : vars[key];
  }
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === "" ? null : text;
}

/** Fills every placeholder of `text` from `vars`; see Rendered for what is reported. */
export function renderTemplate(text: string, vars: TemplateVars): Rendered {
  const unknown = new Set<string>();
  const out = text.replace(PLACEHOLDER_RE, (_whole, inner: string) => {
    const { name, fallback } = parsePlaceholder(inner);
    const value = NAME_RE.test(name) ? lookup(vars, name) : null;
    if (value !== null) return value;
    if (fallback !== null && NAME_RE.test(name)) return fallback;
    unknown.add(NAME_RE.test(name) ? name : `{{${inner}}}`);
    return "";
  });
  return { text: out, unknown: [...unknown] };
}

/** The distinct variable names a template uses, in order of first use (for hints and validation). */
export function templateVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER_RE)) {
    const { name } = parsePlaceholder(match[1]);
    if (NAME_RE.test(name)) names.add(name);
  }
  return [...names];
}
