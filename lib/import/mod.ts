// Moving from TAGUATO-SEND: reads its database (contract §4) into this gateway's (tools/import_taguato.ts).
export * from "./run.ts";
export * from "./progress.ts";
export { TABLES } from "./mapping.ts";
