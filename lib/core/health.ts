import type { Sql } from "./db.ts";
import { withTimeout } from "./timeout.ts";

/** Whether PostgreSQL answers `SELECT 1` within `ms` (GET /health). */
export async function databaseAnswers(sql: Sql, ms = 3_000): Promise<boolean> {
  return await withTimeout(sql`SELECT 1`.execute(), ms, "health check").then(() => true, () => false);
}
