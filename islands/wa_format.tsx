import type { ComponentChildren } from "preact";

// WhatsApp's text formatting: *bold*, _italic_, ~strike~, ```monospace``` and `inline code`. The preview
// builds Preact nodes from the text (never HTML), so whatever the user typed is shown, not run.

export type Marker = "*" | "_" | "~" | "```";

const INLINE: { mark: "*" | "_" | "~"; tag: "strong" | "em" | "s" }[] = [
  { mark: "*", tag: "strong" },
  { mark: "_", tag: "em" },
  { mark: "~", tag: "s" },
];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Markers count as WhatsApp counts them: the opening one at the start or after a non-word character, the
 * text inside starting and ending with a non-space, the closing one followed by a non-word or the end,
 * all on one line.
 */
const inlineRe = (mark: string) => {
  const m = escapeRe(mark);
  return new RegExp(
    `(^|[^\\p{L}\\p{N}_${m}])${m}(\\S(?:[^\\n${m}]*?\\S)?)${m}(?=$|[^\\p{L}\\p{N}_${m}])`,
    "u",
  );
};
const INLINE_RE = INLINE.map((i) => ({ ...i, re: inlineRe(i.mark) }));

function inline(text: string, depth: number, offset = 0): ComponentChildren[] {
  if (depth > 6 || text === "") return text ? [text] : [];
  // The earliest marker wins; its inside is formatted again (nesting like *_both_*).
  let best: { index: number; match: RegExpExecArray; tag: string } | null = null;
  for (const { re, tag } of INLINE_RE) {
    const match = re.exec(text);
    if (match && (best === null || match.index + match[1].length < best.index)) {
      best = { index: match.index + match[1].length, match, tag };
    }
  }
  if (!best) return [text];
  const { index, match, tag } = best;
  const end = match.index + match[0].length;
  const Tag = tag as "strong";
  return [
    ...(index > 0 ? [text.slice(0, index)] : []),
    <Tag key={`${depth}:${offset + index}`}>{inline(match[2], depth + 1, offset + index + 1)}</Tag>,
    ...inline(text.slice(end), depth, offset + end),
  ];
}

/** Splits out ```blocks``` and `code`, which WhatsApp shows verbatim, then formats the rest. */
export function formatWhatsApp(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const re = /```([\s\S]+?)```|`([^`\n]+)`/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(...inline(text.slice(last, m.index), 0, last));
    out.push(
      m[1] !== undefined
        ? <code key={`c${m.index}`} class="wa-mono">{m[1]}</code>
        : <code key={`c${m.index}`} class="wa-code">{m[2]}</code>,
    );
    last = m.index + m[0].length;
  }
  out.push(...inline(text.slice(last), 0, last));
  return out;
}

/** A chat bubble showing `text` the way WhatsApp will. */
export function WaPreview({ text, placeholder }: { text: string; placeholder: string }) {
  return (
    <div class="wa-bubble" data-preview>
      {text.trim() ? formatWhatsApp(text) : <span class="muted">{placeholder}</span>}
    </div>
  );
}

/**
 * Wraps the selection of `value` in `marker` (or inserts an empty pair at the caret) and returns the
 * new text with the range to select afterwards: the wrapped text, or the caret between the markers.
 */
export function wrapSelection(
  value: string,
  start: number,
  end: number,
  marker: Marker,
): { value: string; start: number; end: number } {
  const selected = value.slice(start, end);
  // Markers must hug the text: keep surrounding spaces of the selection outside them.
  const lead = selected.length - selected.trimStart().length;
  const trail = selected.length - selected.trimEnd().length;
  const core = selected.trim();
  const open = start + lead;
  const next = value.slice(0, open) + marker + core + marker + value.slice(end - trail);
  const at = open + marker.length;
  return { value: next, start: at, end: at + core.length };
}

/** Inserts `text` at the caret (replacing the selection); returns the new value and caret. */
export function insertAt(value: string, start: number, end: number, text: string) {
  const next = value.slice(0, start) + text + value.slice(end);
  return { value: next, caret: start + text.length };
}
