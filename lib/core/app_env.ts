import type { Cache } from "./cache.ts";
import type { Clock } from "./clock.ts";
import type { Config } from "./config.ts";
import type { EmbeddedSnapshot, Sql } from "./db.ts";
import type { Logger } from "./log.ts";
import type { createEvolutionClient } from "../gateway/mod.ts";
import type { ApiKeyPrincipal } from "../auth/mod.ts";

export type EvolutionClient = ReturnType<typeof createEvolutionClient>;

/** Everything a request handler may touch; built once by main.ts (or a test) and passed to createApp. */
export interface AppDeps {
  config: Config;
  sql: Sql;
  dbMode: "postgres" | "embedded";
  /** Embedded mode: whole-database snapshots for backups (lib/core/db.ts). */
  dbSnapshot?: EmbeddedSnapshot;
  cache: Cache;
  evolution: EvolutionClient;
  /** Set when the built-in sandbox engine stands in for Evolution (the panel shows a banner). */
  sandboxUrl?: string;
  clock: Clock;
  log: Logger;
  /** This process's own base URL once it listens (set by main.ts / the test helper); engine callbacks. */
  selfUrl?: string;
}

/** The user a request is authenticated as. */
export interface SessionUser {
  id: number;
  username: string;
  role: "admin" | "user";
  maxInstances: number;
  rateLimit: number | null;
  isActive: boolean;
  mustChangePassword: boolean;
}

/** Typed request state, shared by every route module. */
export interface AppEnv {
  Variables: {
    requestId: string;
    clientIp: string;
    /** The TCP peer is a trusted proxy, so its X-Forwarded-* headers may be believed. */
    fromTrustedProxy?: boolean;
    locale: "es" | "en";
    user?: SessionUser;
    sessionId?: number;
    /** Set when the request authenticated with an API key rather than a session. */
    apiKey?: ApiKeyPrincipal;
    /** Which credential carried the request: the `apikey` header or the panel cookie. */
    authVia?: "apikey" | "cookie";
    /** The credential's lookup, started early by `prefetchCredential` so it shares a round trip. */
    credentialLookup?: {
      raw: string;
      principal: Promise<{ user: SessionUser; sessionId?: number; apiKey?: ApiKeyPrincipal } | null>;
    };
  };
}

/**
 * The request state behind `requireAuth` (or the panel's session middleware): the user is known, so
 * routers mounted after it are typed with this and read `c.var.user` without assertions.
 */
export interface AuthEnv {
  Variables: Omit<AppEnv["Variables"], "user"> & { user: SessionUser };
}
