import { Icon, type IconName } from "../../components/Icon.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { StatCard } from "../../components/StatCard.tsx";
import { type MessageKey, t, VERSION } from "../../lib/core/mod.ts";
import { definePage } from "./_layout.tsx";

const LINKS: { href: string; label: MessageKey; icon: IconName }[] = [
  { href: "/api/docs", label: "overview.linkDocs", icon: "book" },
  { href: "/api/openapi.json", label: "overview.linkOpenapi", icon: "code" },
  { href: "/health", label: "overview.linkHealth", icon: "pulse" },
];

/** `/panel/`: the landing page after login: what this gateway runs on (version, database, cache, engine). */
export const overviewPage = definePage({
  path: "/",
  title: "overview.title",
  nav: { label: "nav.overview", icon: "home" },
  render(c, deps) {
    const l = c.get("locale");
    const embedded = deps.dbMode === "embedded";
    const redis = deps.cache.kind === "redis";
    const sandbox = Boolean(deps.sandboxUrl);
    return (
      <>
        <p class="greeting">{t(l, "overview.welcome", { username: c.var.user.username })}</p>
        <PageHead title={t(l, "overview.title")} lead={t(l, "overview.intro")} />
        <section class="card-grid" aria-label={t(l, "overview.title")}>
          <StatCard
            icon="server"
            label={t(l, "overview.gateway")}
            value={`v${VERSION}`}
            hint={t(l, "overview.gatewayHint")}
          />
          <StatCard
            icon="database"
            label={t(l, "overview.database")}
            value={t(l, embedded ? "overview.dbEmbedded" : "overview.dbPostgres")}
            hint={t(l, embedded ? "overview.dbEmbeddedHint" : "overview.dbPostgresHint")}
            badge={embedded ? { text: t(l, "overview.badgeLocal"), tone: "neutral" } : undefined}
          />
          <StatCard
            icon="bolt"
            label={t(l, "overview.cache")}
            value={t(l, redis ? "overview.cacheRedis" : "overview.cacheMemory")}
            hint={t(l, redis ? "overview.cacheRedisHint" : "overview.cacheMemoryHint")}
            badge={redis ? undefined : { text: t(l, "overview.badgeLocal"), tone: "neutral" }}
          />
          <StatCard
            icon="chat"
            label={t(l, "overview.engine")}
            value={t(l, sandbox ? "overview.engineSandbox" : "overview.engineReal")}
            hint={t(l, sandbox ? "overview.engineSandboxHint" : "overview.engineRealHint")}
            badge={sandbox
              ? { text: t(l, "overview.badgeTest"), tone: "warn" }
              : { text: t(l, "overview.badgeProduction"), tone: "ok" }}
          />
        </section>
        <section class="card">
          <h2 class="card-title">{t(l, "overview.links")}</h2>
          <ul class="link-list">
            {LINKS.map((link) => (
              <li key={link.href}>
                <a href={link.href}>
                  <Icon name={link.icon} />
                  <span>{t(l, link.label)}</span>
                  <code>{link.href}</code>
                </a>
              </li>
            ))}
          </ul>
        </section>
      </>
    );
  },
});
