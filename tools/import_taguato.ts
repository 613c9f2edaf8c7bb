// `deno task import:taguato --from <postgres url> [--dry-run] [--source NAME] [--source-timezone TZ]`
//
// Copies a TAGUATO-SEND database into this gateway's (DATABASE_URL, or the embedded one in DATA_DIR when
// the gateway is stopped), migrating it first. Progress goes to stderr, the summary to stdout. Its own
// entry point: main.ts stays the server's only file with side effects.
import { parseArgs } from "node:util";
import { connect, loadConfig, migrate, openDatabase } from "../lib/core/mod.ts";
import { formatSummary, importTaguato, progressBar } from "../lib/import/mod.ts";

const USAGE = `usage: deno task import:taguato --from postgres://user:pass@host:5432/db [options]
  --from URL              the TAGUATO-SEND database (schema taguato); only read
  --dry-run               read and convert everything, write nothing, print what would happen
  --source NAME           how import_map names this source (default: host:port/database of --from)
  --source-timezone TZ    time zone of the source's zone-less timestamps (default UTC)
The target is this gateway's database: DATABASE_URL (or POSTGRES_* settings), else the embedded one.`;

/** The source's name in import_map: where it is, never its password. */
export function defaultSourceName(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || "5432"}${u.pathname || "/"}`;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      source: { type: "string" },
      "source-timezone": { type: "string", default: "UTC" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.from || !/^postgres(ql)?:\/\//.test(values.from)) {
    console.error(`import: --from needs a postgres:// URL\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(Deno.env.toObject());
  const target = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, max: 2 });
  const from = connect(values.from, 2);
  try {
    await migrate(target.sql);
    const summary = await importTaguato({
      from,
      deps: { config, sql: target.sql },
      source: values.source ?? defaultSourceName(values.from),
      sourceTimezone: values["source-timezone"],
      dryRun: values["dry-run"],
      onProgress: progressBar(),
    });
    console.log(formatSummary(summary));
    return 0;
  } finally {
    await from.end({ timeout: 5 });
    await target.close();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    // One line the operator can act on (a wrong URL, a missing table column), not a stack trace.
    console.error(`import: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
