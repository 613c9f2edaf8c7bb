import type { AppDeps } from "../core/mod.ts";
import { hashPassword, passwordPolicyError } from "../auth/mod.ts";

type Deps = Pick<AppDeps, "sql" | "config" | "log">;

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A 20-character random password (~116 bits) that satisfies the password policy. */
export function generatePassword(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(40));
    // Rejection sampling keeps every character equally likely.
    const chars = [...bytes].filter((b) => b < 4 * ALPHABET.length).map((b) => ALPHABET[b % ALPHABET.length]);
    if (chars.length < 20) continue;
    const pw = chars.slice(0, 20).join("");
    if (passwordPolicyError(pw) === null) return pw;
  }
}

/**
 * Creates the first administrator when the database has none: ADMIN_USERNAME with ADMIN_PASSWORD, or a
 * generated password printed once to stdout. Must change it at first login. Idempotent, and safe when
 * several replicas start together: only the process whose INSERT wins prints or reports anything.
 */
export async function ensureAdmin(
  deps: Deps,
  print: (line: string) => void = console.log,
): Promise<{ created: boolean; username: string }> {
  const { sql, config, log } = deps;
  const username = config.adminUsername;
  const [existing] = await sql`SELECT 1 FROM taguato.users WHERE role = 'admin' LIMIT 1`;
  if (existing) return { created: false, username };
  const generated = config.adminPassword ? undefined : generatePassword();
  const passwordHash = await hashPassword(config.adminPassword ?? generated!);
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, role, must_change_password)
    VALUES (${username}, ${passwordHash}, 'admin', true)
    ON CONFLICT (username) DO NOTHING
    RETURNING id`;
  if (!row) {
    const [other] = await sql<
      { role: string }[]
    >`SELECT role FROM taguato.users WHERE username = ${username}`;
    if (other?.role !== "admin") {
      log.warn("no administrator exists and ADMIN_USERNAME is taken by a non-admin user", { username });
    }
    return { created: false, username };
  }
  log.info("created the initial administrator", { username, user_id: row.id });
  if (generated) {
    print(
      `taguato: created admin user "${username}" with generated password: ${generated}  ` +
        `(shown only once; you must change it at first login)`,
    );
  }
  return { created: true, username };
}
