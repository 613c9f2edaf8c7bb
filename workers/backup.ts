// backup (BACKUP_INTERVAL, default daily): an automatic dump, then the newest BACKUP_KEEP kept.
import { backupsUnavailable, createBackup, pruneAutoBackups } from "../lib/ops/mod.ts";
import type { WorkerSpec } from "./spec.ts";

/** The cron schedule closest to BACKUP_INTERVAL seconds (whole minutes, hours or days). */
export function backupSchedule(intervalSeconds: number): string {
  const minutes = Math.max(1, Math.round(intervalSeconds / 60));
  if (minutes < 60 && 60 % minutes === 0) return `*/${minutes} * * * *`;
  const hours = Math.round(minutes / 60);
  if (hours < 24 && 24 % hours === 0) return `0 */${hours} * * *`;
  return "30 2 * * *";
}

/** The backup worker for a configured interval. */
export function backupWorker(intervalSeconds: number): WorkerSpec {
  return {
    name: "backup",
    schedule: backupSchedule(intervalSeconds),
    async run(deps) {
      if (backupsUnavailable(deps)) return { skipped: "embedded database: backups need server mode" };
      const file = await createBackup(deps, "auto");
      const pruned = await pruneAutoBackups(deps, deps.config.backupKeep);
      return { filename: file.filename, size: file.size, pruned };
    },
  };
}
