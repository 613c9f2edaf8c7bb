import { type ComponentChildren, Fragment } from "preact";
import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { Icon } from "../components/Icon.tsx";
import { type Locale, t } from "../lib/core/i18n.ts";
import { Button, TextField } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";

// Every paginated list of the panel: one answer shape, one state hook, one card with its pager.

/** The pagination fields every list answer carries beside its rows. */
export interface PageInfo {
  total: number;
  page: number;
  limit: number;
  pages: number;
}

/** The zod schema of a list answer: `{ [key]: item[], total, page, limit, pages }`. */
export function pageOf<K extends string, T extends z.ZodMiniType>(key: K, item: T) {
  const info = { total: z.number(), page: z.number(), limit: z.number(), pages: z.number() };
  return z.object({ ...info, [key]: z.array(item) } as typeof info & { [k in K]: z.ZodMiniArray<T> });
}

/**
 * Keeps the applied filters (trimmed, the empty ones left out) and the page in the address bar, so a
 * reload (server-rendered) shows the same list.
 */
export function syncUrl(filters: Record<string, string>, page: number) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value.trim()) q.set(key, value.trim());
  if (page > 1) q.set("page", String(page));
  const query = q.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

export interface PagedListOptions<F extends Record<string, string>, P extends PageInfo> {
  locale: Locale;
  /** The server-rendered first page. */
  initial: P;
  /** The filters the first page was read with (both the form's and the applied ones). */
  filters: F;
  /** The API address of one page with these filters. */
  url(filters: F, page: number, limit: number): string;
  /** Called with each page that arrived and the filters it was read with (e.g. to update the URL). */
  onLoad?(page: P, filters: F): void;
  /** The number of rows of a page; given, a page past the last one (after a delete) steps back. */
  rows?(page: P): number;
}

/**
 * The state of a filtered, paginated list: the page shown, the filters being edited and the ones
 * applied, and one request at a time with its error. `load(page, filters, quiet)` reads a page (quiet:
 * no spinner, errors ignored, for polling).
 */
export function usePagedList<F extends Record<string, string>, P extends PageInfo>(
  o: PagedListOptions<F, P>,
) {
  const [data, setData] = useState<P>(o.initial);
  const [filters, setFilters] = useState<F>(o.filters);
  const [applied, setApplied] = useState<F>(o.filters);
  const { busy, error, run } = useApi(o.locale);

  const load = async (page: number, f: F = applied, quiet = false): Promise<void> => {
    const fetchPage = () => api<P>(o.url(f, page, data.limit));
    const res = quiet ? await fetchPage().catch(() => null) : await run(fetchPage);
    if (!res) return;
    if (o.rows && o.rows(res) === 0 && res.total > 0 && page > 1) return load(res.pages, f, quiet);
    setData(res);
    setApplied(f);
    o.onLoad?.(res, f);
  };

  const filtered = Object.values(applied).some((v) => v.trim() !== "");
  return {
    data,
    filters,
    setFilters,
    /** The form field's change handler for one filter. */
    set: (key: keyof F) => (v: string) => setFilters((cur) => ({ ...cur, [key]: v })),
    /** The `name`, `value` and `onValue` of one filter's form field. */
    field: <K extends keyof F & string>(key: K) => ({
      name: key,
      value: filters[key],
      onValue: (v: string) => setFilters((cur) => ({ ...cur, [key]: v })),
    }),
    applied,
    /** True when the page shown is narrowed by a filter. */
    filtered,
    /** True when there is something to clear: a filter applied or typed. */
    clearable: filtered || Object.values(filters).some(Boolean),
    busy,
    error,
    load,
    /** Empties the form and reads the first unfiltered page. */
    clear: (empty: F) => {
      setFilters(empty);
      return load(1, empty);
    },
  };
}

/** A list's card: its table (children) and the pager under it. With a `label` it is a labelled section. */
export function PagedCard({ locale, list, label, onPage, children }: {
  locale: Locale;
  list: { data: PageInfo; busy: boolean; load(page: number): unknown };
  label?: string;
  /** Another way to read a page than with the applied filters. */
  onPage?(page: number): void;
  children: ComponentChildren;
}) {
  const Tag = label ? "section" : "div";
  return (
    <Tag class="card card-flush" aria-label={label} aria-busy={list.busy ? "true" : undefined}>
      {children}
      <Pagination
        locale={locale}
        info={list.data}
        busy={list.busy}
        onPage={onPage ?? ((p) => list.load(p))}
      />
    </Tag>
  );
}

/** The "from" and "to" date inputs of a list's filter form. */
export function DateRangeFields({ labels, list }: {
  labels: [string, string];
  list: { field(key: "date_from" | "date_to"): { name: string; value: string; onValue(v: string): void } };
}) {
  return (
    <>
      <TextField label={labels[0]} type="date" {...list.field("date_from")} />
      <TextField label={labels[1]} type="date" {...list.field("date_to")} />
    </>
  );
}

/** Apply and clear buttons of a list's filter form; clear is off while nothing is typed or applied. */
export function FilterActions({ labels: [applyLabel, clearLabel], list, onClear }: {
  labels: [string, string];
  list: { busy: boolean; clearable: boolean };
  onClear: () => void;
}) {
  const { busy, clearable: canClear } = list;
  return (
    <div class="filter-actions">
      <Button type="submit" variant="primary" icon="filter" busy={busy}>{applyLabel}</Button>
      <Button variant="ghost" disabled={!canClear} onClick={onClear}>{clearLabel}</Button>
    </div>
  );
}

/** "Showing 51–100 of 230" with previous/next and a few page numbers around the current one. */
export function Pagination({ info, onPage, locale, busy }: {
  info: PageInfo;
  onPage(page: number): void;
  locale: Locale;
  busy?: boolean;
}) {
  const { page, pages, total, limit } = info;
  if (total === 0) return null;
  const from = (page - 1) * limit + 1;
  const to = Math.min(total, page * limit);
  const around = [...new Set([1, page - 1, page, page + 1, pages])].filter((p) => p >= 1 && p <= pages)
    .sort((a, b) => a - b);
  return (
    <nav class="pagination" aria-label={t(locale, "ui.pagination")}>
      <span class="muted">{t(locale, "ui.showing", { from, to, total })}</span>
      <div class="pagination-pages">
        <button
          type="button"
          class="page-btn"
          disabled={page <= 1 || busy}
          onClick={() => onPage(page - 1)}
          aria-label={t(locale, "ui.previous")}
        >
          <Icon name="chevronLeft" />
        </button>
        {around.map((p, i) => (
          <Fragment key={p}>
            {i > 0 && p - around[i - 1] > 1 && <span class="page-gap" aria-hidden="true">…</span>}
            <button
              type="button"
              class="page-btn"
              aria-current={p === page ? "page" : undefined}
              disabled={busy}
              onClick={() => p !== page && onPage(p)}
              aria-label={t(locale, "ui.page", { page: p })}
            >
              {p}
            </button>
          </Fragment>
        ))}
        <button
          type="button"
          class="page-btn"
          disabled={page >= pages || busy}
          onClick={() => onPage(page + 1)}
          aria-label={t(locale, "ui.next")}
        >
          <Icon name="chevronRight" />
        </button>
      </div>
    </nav>
  );
}
