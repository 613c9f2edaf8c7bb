import type { ComponentChildren } from "preact";
import { type Locale, t } from "../lib/core/i18n.ts";
import { LocalTime } from "./local_time.tsx";

type Column = string | { label: string; class: string };

/** A table's header row: one column per label (optionally with a class), then the actions column. */
function TableHead({ columns, locale, actions }: { columns: Column[]; locale: Locale; actions: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === "string"
            ? <th key={c} scope="col">{c}</th>
            : <th key={c.label} scope="col" class={c.class}>{c.label}</th>
        )}
        {actions && (
          <th scope="col" class="col-actions">
            <span class="sr-only">{t(locale, "ui.actions")}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

/**
 * A list's table: the header row (plus a hidden-label actions column unless `actions` is false) and
 * the body rows given as children; `empty` instead when there are no rows.
 */
export function DataTable(
  { locale, name, columns, rows, empty, class: cls = "table", actions = true, children }: {
    locale: Locale;
    /** The data-table attribute (what tests and styles find the table by). */
    name?: string;
    columns: Column[];
    rows: number;
    empty: ComponentChildren;
    class?: string;
    actions?: boolean;
    children: ComponentChildren;
  },
) {
  if (rows === 0) return <>{empty}</>;
  return (
    <div class="table-wrap">
      <table class={cls} data-table={name}>
        <TableHead locale={locale} columns={columns} actions={actions} />
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A row's date (or date and time) cell, kept on one line. */
export function DateCell(
  { iso, locale, dateOnly }: { iso: string | null; locale: Locale; dateOnly?: boolean },
) {
  return (
    <td class="nowrap">
      <LocalTime iso={iso} locale={locale} dateOnly={dateOnly} />
    </td>
  );
}

/** A row's last cell when it holds several buttons side by side. */
export function ActionsCell({ children }: { children: ComponentChildren }) {
  return (
    <td class="col-actions">
      <div class="row-actions">{children}</div>
    </td>
  );
}
