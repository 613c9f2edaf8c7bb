import { createSession, hashPassword, SESSION_COOKIE } from "../../lib/auth/mod.ts";
import { assert } from "../../lib/core/testing.ts";
import type { TestApp } from "./app.ts";

export interface PanelUser {
  id: number;
  username: string;
  password: string;
  /** `taguato_session=<token>`, ready for a Cookie header. */
  cookie: string;
}

/**
 * A user (created straight in the database) with a live panel session, for page tests that are not
 * about logging in. `mustChange` defaults to false so pages render instead of redirecting.
 */
export async function panelUser(
  app: TestApp,
  username: string,
  opts: { role?: "admin" | "user"; mustChange?: boolean; active?: boolean } = {},
): Promise<PanelUser> {
  const password = "Passw0rd-" + crypto.randomUUID().slice(0, 8);
  const [row] = await app.deps.sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, role, is_active, must_change_password)
    VALUES (${username}, ${await hashPassword(password)}, ${opts.role ?? "user"}, ${opts.active ?? true},
            ${opts.mustChange ?? false})
    RETURNING id`;
  const { token } = await createSession(app.deps, row, { ip: "127.0.0.1", userAgent: "panel-test" });
  return { id: row.id, username, password, cookie: `${SESSION_COOKIE}=${token}` };
}

/** An HTML attribute value as the page's script reads it. */
export const unescapeAttr = (s: string) =>
  s.replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");

/** The JSON props of the first island called `name` in a page. */
export function islandProps(html: string, name: string): Record<string, unknown> {
  const m = html.match(new RegExp(`<div data-island="${name}" data-props="([^"]*)">`));
  assert(m, `no ${name} island in the page`);
  return JSON.parse(unescapeAttr(m[1]));
}
