// The composer's two pieces of state that need effects: instance states kept fresh while the page is open,
// and the message text with the toolbar's edits (the selection is put back after each one).
import { type RefObject } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { normalizeState } from "./gateway_rules.ts";
import { api } from "./use_api.ts";
import { insertAt, type Marker, wrapSelection } from "./wa_format.tsx";

export interface ComposerInstance {
  name: string;
  state: "open" | "connecting" | "close";
}

/** The instances with their states, refreshed every 15 s while the page is visible (a phone is linked elsewhere). */
export function useLiveInstances(initial: ComposerInstance[]): ComposerInstance[] {
  const [instances, setInstances] = useState(initial);
  useEffect(() => {
    const refresh = async () => {
      try {
        const list = await api<{ name: string; connectionStatus?: string }[]>("/instance/fetchInstances");
        const byName = new Map(list.map((i) => [i.name, normalizeState(i.connectionStatus)]));
        setInstances((all) => all.map((i) => ({ ...i, state: byName.get(i.name) ?? "close" })));
      } catch { /* keep the last known states */ }
    };
    refresh();
    const timer = setInterval(() => document.visibilityState === "visible" && refresh(), 15_000);
    return () => clearInterval(timer);
  }, []);
  return instances;
}

type Edit = (value: string, start: number, end: number) => { value: string; start: number; end: number };

/**
 * The message text bound to a textarea, with the toolbar's edits: `format` wraps the selection in a
 * WhatsApp marker, `insert` puts a snippet at the caret; `onEdit` runs after each one.
 */
export function useFormattedText(onEdit: () => void): {
  text: string;
  setText(value: string): void;
  area: RefObject<HTMLTextAreaElement>;
  format(marker: Marker): void;
  insert(snippet: string): void;
} {
  const [text, setText] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  const pendingSelection = useRef<[number, number] | null>(null);
  // After a toolbar edit, put the selection back where the user expects it, in the same commit as the new
  // text (a plain effect waits for the next paint, and a caret moved before then would be overwritten).
  useLayoutEffect(() => {
    const sel = pendingSelection.current;
    if (sel && area.current) {
      area.current.focus();
      area.current.setSelectionRange(sel[0], sel[1]);
      pendingSelection.current = null;
    }
  }, [text]);
  const edit = (fn: Edit) => {
    const el = area.current;
    const next = fn(text, el?.selectionStart ?? text.length, el?.selectionEnd ?? text.length);
    pendingSelection.current = [next.start, next.end];
    setText(next.value);
    onEdit();
  };
  return {
    text,
    setText,
    area,
    format: (marker) => edit((v, s, e) => wrapSelection(v, s, e, marker)),
    insert: (snippet) =>
      edit((v, s, e) => {
        const r = insertAt(v, s, e, snippet);
        return { value: r.value, start: r.caret, end: r.caret };
      }),
  };
}
