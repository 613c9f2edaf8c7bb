/**
 * Backups (contract §8, fixed). Server mode: `pg_dump` in custom format (compressed, restorable with
 * `pg_restore --clean` over a live database, which the contract's plain dumps could not), run as child
 * processes (Deno.Command) so the event loop never blocks; the password goes in the child's environment,
 * never on its command line. Embedded mode: PGlite's dump of the whole data directory (a gzipped tarball),
 * restored by rebuilding the directory from it (lib/core/db.ts). The embedded database runs in this
 * process, so its dump takes the loop as long as a large query would (≈ 0.4 s for a new database).
 * Files live in BACKUP_DIR as `taguato_<auto|manual|pre_restore>_<UTC timestamp>.dump` (server) or `.tgz`
 * (embedded); a file of the other mode is not restored.
 */
import type { AppDeps } from "../core/mod.ts";

/** The only names the API accepts: what this module writes (no paths, no traversal). */
export const BACKUP_NAME = /^taguato_(auto|manual|pre_restore)_\d{8}_\d{6}(_\d{1,3})?\.(dump|tgz)$/;

export interface BackupFile {
  filename: string;
  size: number;
  created_at: string;
  kind: "auto" | "manual" | "pre_restore";
}

export class BackupError extends Error {}

/** Why backups are unavailable here, or null when they work (server mode with a URL, or embedded). */
export function backupsUnavailable(deps: AppDeps): string | null {
  if (deps.dbMode === "embedded") return deps.dbSnapshot ? null : "embedded";
  return deps.config.databaseUrl ? null : "embedded";
}

/** The file extension of this mode's backups. */
const extension = (deps: AppDeps) => deps.dbMode === "embedded" ? "tgz" : "dump";
/** A server dump cannot restore an embedded database, nor the reverse: each mode sees its own files. */
const ofThisMode = (deps: AppDeps, filename: string) => filename.endsWith(`.${extension(deps)}`);

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);

/** The database URL without its password (that goes in PGPASSWORD) for the client tools. */
function clientTarget(databaseUrl: string): { url: string; env: Record<string, string> } {
  const u = new URL(databaseUrl);
  const env: Record<string, string> = {};
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = "";
  return { url: u.href, env };
}

async function run(cmd: string, args: string[], env: Record<string, string>): Promise<void> {
  const out = await new Deno.Command(cmd, { args, env, stdin: "null", stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
    throw new BackupError(`${cmd} failed (exit ${out.code}): ${text.slice(0, 500)}`);
  }
}

async function info(dir: string, filename: string): Promise<BackupFile | null> {
  const m = BACKUP_NAME.exec(filename);
  if (!m) return null;
  try {
    const st = await Deno.stat(`${dir}/${filename}`);
    if (!st.isFile) return null;
    return {
      filename,
      size: st.size,
      created_at: (st.mtime ?? new Date(0)).toISOString(),
      kind: m[1] as BackupFile["kind"],
    };
  } catch {
    return null;
  }
}

/** Every backup file, newest first. */
export async function listBackups(deps: AppDeps): Promise<BackupFile[]> {
  const dir = deps.config.backupDir;
  const files: BackupFile[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const f = e.isFile && ofThisMode(deps, e.name) ? await info(dir, e.name) : null;
      if (f) files.push(f);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return files.sort((a, b) => b.filename.slice(-22).localeCompare(a.filename.slice(-22)) || b.size - a.size);
}

/** One backup by name; null when the name is not one of ours, is the other mode's, or no such file exists. */
export async function findBackup(deps: AppDeps, filename: string): Promise<BackupFile | null> {
  return ofThisMode(deps, filename) ? await info(deps.config.backupDir, filename) : null;
}

/** The absolute-enough path of a backup (the name is checked by the caller against BACKUP_NAME). */
export const backupPath = (deps: AppDeps, filename: string) => `${deps.config.backupDir}/${filename}`;

/** Dumps the database into a new file, verifies it with `pg_restore --list`, and returns it. */
export async function createBackup(
  deps: AppDeps,
  kind: "auto" | "manual" | "pre_restore",
): Promise<BackupFile> {
  if (backupsUnavailable(deps)) throw new BackupError("backups need the server database mode");
  const dir = deps.config.backupDir;
  await Deno.mkdir(dir, { recursive: true });
  const base = `taguato_${kind}_${stamp(new Date(deps.clock.now()))}`;
  const ext = extension(deps);
  let filename = `${base}.${ext}`;
  for (let i = 1; await info(dir, filename); i++) filename = `${base}_${i}.${ext}`;
  const path = `${dir}/${filename}`;
  const partial = `${path}.partial`;
  try {
    if (deps.dbSnapshot) {
      await Deno.writeFile(partial, await deps.dbSnapshot.dump());
    } else {
      const { url, env } = clientTarget(deps.config.databaseUrl!);
      await run(
        "pg_dump",
        ["--format=custom", "--no-owner", "--no-privileges", `--file=${partial}`, url],
        env,
      );
      await run("pg_restore", ["--list", partial], env);
    }
    await Deno.rename(partial, path);
  } catch (err) {
    await Deno.remove(partial).catch(() => {});
    throw err;
  }
  return (await info(dir, filename))!;
}

/** Deletes a backup; false when it did not exist. */
export async function deleteBackup(deps: AppDeps, filename: string): Promise<boolean> {
  if (!await findBackup(deps, filename)) return false;
  await Deno.remove(backupPath(deps, filename));
  return true;
}

/**
 * Restores a backup over the live database in one transaction (`--clean --if-exists`), after taking a
 * `pre_restore` safety dump so the restore itself can be undone.
 */
export async function restoreBackup(deps: AppDeps, filename: string): Promise<{ safety: BackupFile }> {
  if (!ofThisMode(deps, filename)) throw new BackupError(`${filename} was made by the other database mode`);
  const safety = await createBackup(deps, "pre_restore");
  if (deps.dbSnapshot) {
    await deps.dbSnapshot.restore(await Deno.readFile(backupPath(deps, filename)));
    return { safety };
  }
  const { url, env } = clientTarget(deps.config.databaseUrl!);
  await run("pg_restore", [
    "--clean",
    "--if-exists",
    "--single-transaction",
    "--no-owner",
    "--no-privileges",
    `--dbname=${url}`,
    backupPath(deps, filename),
  ], env);
  return { safety };
}

/** Keeps the newest `keep` automatic backups; returns the names deleted. */
export async function pruneAutoBackups(deps: AppDeps, keep: number): Promise<string[]> {
  const autos = (await listBackups(deps)).filter((b) => b.kind === "auto");
  const old = autos.slice(keep).map((b) => b.filename);
  for (const name of old) await Deno.remove(backupPath(deps, name)).catch(() => {});
  return old;
}
