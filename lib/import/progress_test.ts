import { assert, assertEquals } from "../core/testing.ts";
import { formatSummary, progressBar, type ProgressOutput } from "./progress.ts";

function output(tty: boolean): ProgressOutput & { text(): string } {
  const chunks: Uint8Array[] = [];
  return {
    write: (b) => chunks.push(b),
    isTerminal: () => tty,
    text: () => chunks.map((c) => new TextDecoder().decode(c)).join(""),
  };
}

Deno.test("on a terminal the bar redraws in place (at most once per percent) and ends each table with a newline", () => {
  const out = output(true);
  const draw = progressBar(out);
  draw("users", 0, 1000);
  for (let i = 1; i <= 1000; i++) draw("users", i, 1000);
  const text = out.text();
  assertEquals(text.split("\r").length - 1, 101, "0%..99% and the final line");
  assert(text.endsWith(`\r${"users".padEnd(24)} [${"#".repeat(30)}] 1000/1000\n`), text);
});

Deno.test("elsewhere (a log, CI) it writes one finished line per table", () => {
  const out = output(false);
  const draw = progressBar(out);
  draw("users", 0, 2);
  draw("users", 1, 2);
  draw("users", 2, 2);
  draw("audit_log", 0, 0);
  assertEquals(out.text().split("\n").filter(Boolean).map((l) => l.replace(/\s+/g, " ")), [
    `users [${"#".repeat(30)}] 2/2`,
    `audit_log [${"#".repeat(30)}] 0/0`,
  ]);
});

Deno.test("the summary lists read/created/skipped per table, the reasons, and tables the source lacks", () => {
  const text = formatSummary({
    source: "db:5432/old",
    dryRun: true,
    tables: [
      { table: "users", present: true, read: 3, created: 2, skipped: 1, reasons: { "imported before": 1 } },
      { table: "scheduled_maintenances", present: false, read: 0, created: 0, skipped: 0, reasons: {} },
    ],
  });
  const lines = text.split("\n").map((l) => l.trim().replace(/\s+/g, " "));
  assertEquals(lines, [
    "Dry run: nothing was written. A real import from db:5432/old would do this:",
    "table read created skipped",
    "users 3 2 1",
    "1 imported before",
    "scheduled_maintenances (not in the source)",
  ]);
});
