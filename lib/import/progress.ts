// What the import CLI shows: a progress bar on stderr (redrawn with \r on a terminal, one line per table
// otherwise, so logs stay readable) and the summary table.
import type { ImportSummary } from "./run.ts";

const WIDTH = 30;
const enc = new TextEncoder();

export interface ProgressOutput {
  write(bytes: Uint8Array): unknown;
  isTerminal(): boolean;
}

/** Returns the `onProgress` callback of importTaguato, drawing on `out` (Deno.stderr by default). */
export function progressBar(
  out: ProgressOutput = Deno.stderr,
): (table: string, done: number, total: number) => void {
  const tty = out.isTerminal();
  let lastDrawn = -1;
  return (table, done, total) => {
    const finished = done === total;
    // Redraw at most once per whole percent: a million rows must not mean a million writes.
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (!tty && !finished) return;
    if (tty && pct === lastDrawn && !finished) return;
    lastDrawn = finished ? -1 : pct;
    const fill = Math.round((pct / 100) * WIDTH);
    const bar = `${"#".repeat(fill)}${".".repeat(WIDTH - fill)}`;
    const line = `${table.padEnd(24)} [${bar}] ${done}/${total}`;
    out.write(enc.encode(tty ? `\r${line}${finished ? "\n" : ""}` : `${line}\n`));
  };
}

/** The summary as a plain-text table: rows read, created and skipped per table, and why. */
export function formatSummary(s: ImportSummary): string {
  const head = s.dryRun
    ? `Dry run: nothing was written. A real import from ${s.source} would do this:`
    : `Imported from ${s.source}:`;
  const lines = [
    head,
    `${"table".padEnd(24)} ${"read".padStart(8)} ${"created".padStart(8)} ${"skipped".padStart(8)}`,
  ];
  for (const t of s.tables) {
    if (!t.present) {
      lines.push(`${t.table.padEnd(24)} (not in the source)`);
      continue;
    }
    lines.push(
      `${t.table.padEnd(24)} ${String(t.read).padStart(8)} ${String(t.created).padStart(8)} ${
        String(t.skipped).padStart(8)
      }`,
    );
    for (const [reason, n] of Object.entries(t.reasons)) lines.push(`${"".padEnd(26)}${n} ${reason}`);
  }
  return lines.join("\n");
}
