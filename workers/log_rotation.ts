// log-rotation (daily): rotates the access-log file when ACCESS_LOG_FILE is set.
import { rotateLogFile } from "../lib/ops/mod.ts";
import type { WorkerSpec } from "./spec.ts";

export const logRotationWorker: WorkerSpec = {
  name: "log-rotation",
  schedule: "15 3 * * *",
  async run(deps) {
    const file = deps.config.accessLogFile;
    if (!file) return { rotated: false, reason: "access log goes to stdout: nothing to rotate" };
    const { rotated, bytes } = await rotateLogFile(file, {
      maxBytes: deps.config.accessLogMaxBytes,
      keep: deps.config.accessLogKeep,
    });
    return { rotated, file, bytes };
  },
};
