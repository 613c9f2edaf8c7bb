// The layout rules of DESIGN.md §2-3 that a reader relies on, checked so they stay true.
import { assert, assertEquals } from "../lib/core/testing.ts";

const ROOT = new URL("../", import.meta.url);

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(new URL(dir, ROOT))) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await sourceFiles(path));
    else if (/\.tsx?$/.test(e.name)) out.push(path);
  }
  return out;
}

const readme = () => Deno.readTextFile(new URL("README.md", ROOT));

/** The "Where things are" section of the README, up to the next heading. */
async function whereThingsAre(): Promise<string> {
  const text = await readme();
  const start = text.indexOf("## Where things are");
  assert(start >= 0, "README has a 'Where things are' section");
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

Deno.test("route files hold no SQL and assert no user: they call lib/ and read the typed request state", async () => {
  const offenders: string[] = [];
  for (const file of await sourceFiles("routes")) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    if (/\bsql\s*(<[^>]*>)?\s*`/.test(text) || /\bsql\.begin\b/.test(text)) offenders.push(`${file}: SQL`);
    if (/\buser!/.test(text) || /get\("user"\)!/.test(text)) offenders.push(`${file}: user!`);
  }
  assertEquals(offenders, []);
});

Deno.test("every file the README's 'Where things are' table names exists", async () => {
  const section = await whereThingsAre();
  const files = [...section.matchAll(/`((?:routes|lib|islands|components|tests|workers)\/[^`]+\.tsx?)`/g)]
    .map((m) => m[1]);
  assert(files.length >= 20, `the table names the route files (found ${files.length})`);
  const missing: string[] = [];
  for (const file of files) {
    if (!await Deno.stat(new URL(file, ROOT)).then((s) => s.isFile, () => false)) missing.push(file);
  }
  assertEquals(missing, []);
});

Deno.test("every prefix app.ts mounts has a row in the README's 'Where things are' table", async () => {
  const section = await whereThingsAre();
  const app = await Deno.readTextFile(new URL("app.ts", ROOT));
  const prefixes = [...app.matchAll(/app\.route\("([^"]+)"/g)].map((m) => m[1]).filter((p) => p !== "/");
  assert(prefixes.length >= 15, `app.ts mounts by prefix (found ${prefixes.length})`);
  const rows = section.split("\n").filter((line) => line.startsWith("| `/"));
  const missing = prefixes.filter((p) => !rows.some((row) => row.includes(`\`${p}`)));
  assertEquals(missing, []);
});

Deno.test("islands import no lib/ mod.ts, so the browser bundle never pulls in server code", async () => {
  const offenders: string[] = [];
  for (const file of [...await sourceFiles("islands"), ...await sourceFiles("components"), "client.ts"]) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    for (const m of text.matchAll(/from "([^"]*lib\/[^"]*)"/g)) {
      if (m[1].endsWith("/mod.ts")) offenders.push(`${file}: ${m[1]}`);
    }
  }
  assertEquals(offenders, []);
});
