import { renderToString } from "preact-render-to-string";
import { Document } from "../../components/Document.tsx";
import { Island } from "../../components/Island.tsx";
import { type Locale, LOCALES, type MessageKey, t } from "../../lib/core/mod.ts";
import type { SlaRow, StatusDocument } from "../../lib/status/mod.ts";
import { assetHref } from "../panel/static.ts";
import { IncidentList, MaintenanceBanners, ResponseCharts, ServiceGrid, SlaReport } from "./parts.tsx";

const href = assetHref();

export interface StatusPageInput {
  locale: Locale;
  /** Offered only when SMTP is configured. */
  subscribe: { id: number; name: string }[] | null;
  /** From ?subscription= after a confirmation or unsubscribe link. */
  notice?: "confirmed" | "removed";
  doc: StatusDocument;
  now: number;
  month: string;
  sla: SlaRow[];
}

/** The whole page as HTML text (one stylesheet for the panel look plus the page's own). */
export async function statusPage(
  { locale, doc, now, month, sla, subscribe, notice }: StatusPageInput,
): Promise<string> {
  const [css, js, icon, statusCss] = await Promise.all(
    ["app.css", "js/client.js", "logo.svg", "status.css"].map(href),
  );
  const html = renderToString(
    <Document locale={locale} theme="system" title={t(locale, "status.title")} assets={{ css, js, icon }}>
      <link rel="stylesheet" href={statusCss} />
      <header class="status-header">
        <img src={icon} alt="" width={40} height={40} />
        <div>
          <p class="auth-brand">TAGUATO-SEND</p>
          <h1>{t(locale, "status.title")}</h1>
          <p class="field-hint">{t(locale, "status.lastCheck", { time: doc.checked_at })}</p>
        </div>
        <nav class="segmented" aria-label={t(locale, "shell.language")}>
          {LOCALES.map((code) => (
            <a
              key={code}
              href={`/status/?lang=${code}`}
              hreflang={code}
              aria-current={code === locale ? "true" : undefined}
            >
              {code.toUpperCase()}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" class="status-main">
        {notice && (
          <p class="alert alert-success" role="status" data-notice={notice}>
            {t(locale, `status.subscription.${notice}`)}
          </p>
        )}
        <MaintenanceBanners locale={locale} items={doc.scheduled_maintenances} />
        <section
          class={`status-overall status-overall-${doc.overall_status}`}
          data-overall={doc.overall_status}
        >
          <h2>{t(locale, `status.overall.${doc.overall_status}` as MessageKey)}</h2>
        </section>
        <IncidentList locale={locale} incidents={doc.active_incidents} />
        <ServiceGrid locale={locale} doc={doc} now={now} />
        <ResponseCharts locale={locale} doc={doc} />
        <IncidentList locale={locale} incidents={doc.recent_incidents} past />
        <SlaReport locale={locale} month={month} rows={sla} />
        {subscribe && (
          <section class="card card-pad" aria-labelledby="sub-h">
            <h2 id="sub-h" class="card-title">{t(locale, "status.subscribe")}</h2>
            <Island name="StatusSubscribe" props={{ locale, services: subscribe }} />
          </section>
        )}
      </main>
      <footer class="status-footer">
        <a href="/panel/">{t(locale, "status.toPanel")}</a>
      </footer>
    </Document>,
  );
  return `<!DOCTYPE html>${html}`;
}
