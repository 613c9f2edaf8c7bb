import { assert, assertEquals } from "../core/testing.ts";
import { fileLogger } from "./log_files.ts";

const lineNumbers = (text: string) => text.trim().split("\n").map((l) => JSON.parse(l).n as number);

async function readLines(file: string, count: number): Promise<number[]> {
  let text = "";
  for (let i = 0; i < 200; i++) {
    text = await Deno.readTextFile(file).catch(() => "");
    if (text.trim() && lineNumbers(text).length >= count) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return text.trim() ? lineNumbers(text) : [];
}

Deno.test("fileLogger: lines are gathered, then appended whole and in order", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/access.log`;
  try {
    const log = fileLogger(file);
    for (let n = 0; n < 10; n++) log.info("request", { n });
    // A few lines wait for the buffer's flush: nothing is written while the request that logged them runs.
    assertEquals(await Deno.readTextFile(file).catch(() => null), null);
    assertEquals(await readLines(file, 10), Array.from({ length: 10 }, (_, n) => n));
    // A burst larger than the buffer is written as it fills, then the rest, in order.
    for (let n = 10; n < 5_000; n++) log.info("request", { n });
    assertEquals(await readLines(file, 5_000), Array.from({ length: 5_000 }, (_, n) => n));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fileLogger: lines still waiting when the process exits are written before it ends", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/access.log`;
  try {
    const script = `import { fileLogger } from ${
      JSON.stringify(new URL("./log_files.ts", import.meta.url).href)
    };
      const log = fileLogger(${JSON.stringify(file)});
      for (let n = 0; n < 1000; n++) log.info("request", { n });
      Deno.exit(0);`;
    const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script], stderr: "piped" }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    assertEquals(lineNumbers(await Deno.readTextFile(file)), Array.from({ length: 1000 }, (_, n) => n));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
