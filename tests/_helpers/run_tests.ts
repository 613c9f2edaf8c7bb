// `deno task test`: runs `deno test` with the given arguments and, when tests were ignored for want of
// PostgreSQL or Redis (see services.ts), closes with one line naming those suites. The exit code is
// deno test's own.
import { type Service, type Skip, SKIP_LOG, skipLine } from "./services.ts";

const log = await Deno.makeTempFile({ prefix: "taguato-skipped-" });
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", ...Deno.args],
  env: { [SKIP_LOG]: log },
  stdin: "inherit",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
const { code } = await child.status;
const skips: Skip[] = (await Deno.readTextFile(log)).split("\n").filter(Boolean).map((line) => {
  const [missing, module] = line.split("\t");
  return { missing: missing.split(",") as Service[], module };
});
await Deno.remove(log);
if (skips.length > 0) console.log(skipLine(skips));
Deno.exit(code);
