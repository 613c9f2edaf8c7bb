import { z } from "@hono/zod-openapi";
import { type AppDeps, fail, jsonBody, jsonContent, pathParam, routeDocs } from "../../lib/core/mod.ts";
import { auditAs } from "../../lib/accounts/mod.ts";
import {
  BACKUP_NAME,
  BackupError,
  backupPath,
  backupsUnavailable,
  createBackup,
  deleteBackup,
  findBackup,
  listBackups,
  restoreBackup,
} from "../../lib/ops/mod.ts";
import { adminRouter } from "./_middleware.ts";

const Backup = z.object({
  filename: z.string(),
  size: z.number().int().openapi({ description: "Bytes" }),
  created_at: z.string(),
  kind: z.enum(["auto", "manual", "pre_restore"]),
}).openapi("Backup");

const NameParam = z.object({ name: pathParam("name", "taguato_manual_20260101_120000.dump") });

const route = routeDocs({ tag: "Admin - Backups", admin: true });

/** `/admin/backup`: create, list, download, delete and restore database backups (server mode). */
export function adminBackupRoutes(deps: AppDeps) {
  const app = adminRouter(deps);
  const existing = async (name: string) => {
    const file = BACKUP_NAME.test(name) ? await findBackup(deps, name) : null;
    if (!file) throw fail("backup_not_found");
    return file;
  };
  const serverMode = () => {
    if (backupsUnavailable(deps)) throw fail("backups_embedded");
  };

  app.openapi(
    route({
      method: "post",
      path: "/",
      summary: "Create a backup now (pg_dump, verified)",
      responses: {
        201: jsonContent(
          z.object({ message: z.string(), filename: z.string(), size: z.number().int(), backup: Backup }),
          "Created",
        ),
      },
      errors: { 409: ["backups_embedded"], 500: ["backup_failed"] },
    }),
    async (c) => {
      serverMode();
      const file = await createBackup(deps, "manual").catch((err) => {
        deps.log.error("backup failed", { error: err instanceof BackupError ? err.message : String(err) });
        throw fail("backup_failed");
      });
      await auditAs(deps.sql, c.var.user, c.var.clientIp, {
        action: "backup_created",
        resourceType: "backup",
        resourceId: file.filename,
        details: { size: file.size },
      });
      return c.json(
        { message: "Backup created", filename: file.filename, size: file.size, backup: file },
        201,
      );
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Every backup file, newest first",
      responses: { 200: jsonContent(z.object({ backups: z.array(Backup) }), "Backups") },
    }),
    async (c) => c.json({ backups: await listBackups(deps) }, 200),
  );

  app.openapi(
    route({
      method: "get",
      path: "/{name}",
      summary: "Download a backup (pg_restore custom format)",
      request: { params: NameParam },
      responses: {
        200: { description: "The file", content: { "application/octet-stream": { schema: {} } } },
      },
      errors: { 404: ["backup_not_found"] },
    }),
    async (c) => {
      const file = await existing(c.req.valid("param").name);
      const handle = await Deno.open(backupPath(deps, file.filename), { read: true });
      return new Response(handle.readable, {
        headers: {
          "content-type": "application/octet-stream",
          "content-length": String(file.size),
          "content-disposition": `attachment; filename="${file.filename}"`,
        },
      }) as never;
    },
  );

  app.openapi(
    route({
      method: "delete",
      path: "/{name}",
      summary: "Delete a backup",
      request: { params: NameParam },
      responses: { 200: jsonContent(z.object({ deleted: z.string() }), "Deleted") },
      errors: { 404: ["backup_not_found"] },
    }),
    async (c) => {
      const file = await existing(c.req.valid("param").name);
      if (!await deleteBackup(deps, file.filename)) throw fail("backup_not_found");
      await auditAs(deps.sql, c.var.user, c.var.clientIp, {
        action: "backup_deleted",
        resourceType: "backup",
        resourceId: file.filename,
      });
      return c.json({ deleted: file.filename }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/{name}/restore",
      summary: "Restore a backup over the live database (a safety backup is taken first)",
      request: {
        params: NameParam,
        body: jsonBody(z.object({
          confirm: z.string({ error: "backup_confirm_required" }).max(200, "backup_confirm_required")
            .openapi({ description: 'Must be "RESTORE" or the backup\'s file name' }),
        })),
      },
      responses: {
        200: jsonContent(z.object({ restored: z.string(), safety_backup: z.string() }), "Restored"),
      },
      errors: {
        400: ["backup_confirm_required"],
        404: ["backup_not_found"],
        409: ["backups_embedded"],
        500: ["restore_failed"],
      },
    }),
    async (c) => {
      const file = await existing(c.req.valid("param").name);
      const { confirm } = c.req.valid("json");
      if (confirm !== "RESTORE" && confirm !== file.filename) throw fail("backup_confirm_required");
      serverMode();
      const { safety } = await restoreBackup(deps, file.filename).catch((err) => {
        deps.log.error("restore failed", { error: err instanceof Error ? err.message : String(err) });
        throw fail("restore_failed");
      });
      // After the restore, so the entry lands in the restored database.
      await auditAs(deps.sql, c.var.user, c.var.clientIp, {
        action: "backup_restored",
        resourceType: "backup",
        resourceId: file.filename,
        details: { safety_backup: safety.filename },
      });
      return c.json({ restored: file.filename, safety_backup: safety.filename }, 200);
    },
  );

  return app;
}
